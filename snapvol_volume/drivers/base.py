"""What every file-based share driver provides."""

import abc
import functools
import grp
import os
import pwd

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_volume import chain


@functools.cache
def file_owner(spec):
    """(uid, gid) of "user[:group]" ([volume] file_owner); None if unset."""
    if not spec:
        return None
    user, _, group = spec.partition(':')
    try:
        entry = pwd.getpwnam(user)
        gid = grp.getgrnam(group).gr_gid if group else entry.pw_gid
    except KeyError as e:
        raise exception.ConfigInvalid(
            reason='[volume] file_owner %r: %s' % (spec, e.args[0]))
    return entry.pw_uid, gid


class FileShareDriver(abc.ABC):
    """A share that holds volume files in one directory.

    ``name`` ("kind:location") is what a volume records as its share;
    ``options`` (mount options of a share line) are not part of it.
    """

    kind = None
    takes_options = False

    def __init__(self, location, options=None):
        self.location = location
        self.options = options
        self.name = '%s:%s' % (self.kind, location)

    @staticmethod
    @abc.abstractmethod
    def check_location(location):
        """None when ``location`` is well-formed, else the reason."""

    @property
    @abc.abstractmethod
    def mount_path(self):
        """The directory holding the volume files on this host."""

    @abc.abstractmethod
    def ensure_mounted(self):
        """Makes ``mount_path`` usable; safe to call again."""

    def capacity(self):
        """(total, free) bytes of the filesystem under the share."""
        st = os.statvfs(self.mount_path)
        return st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize

    def chain(self, volume_id, formats):
        return chain.VolumeChain(self.mount_path, volume_id, formats,
                                 owner=file_owner(CONF.volume.file_owner))

    def __repr__(self):
        return '<%s %s>' % (type(self).__name__, self.name)
