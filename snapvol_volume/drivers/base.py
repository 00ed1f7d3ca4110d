"""What every file-based share driver provides."""

import abc
import os

from snapvol_volume import chain


class FileShareDriver(abc.ABC):
    """A share that holds volume files in one directory.

    ``name`` ("kind:location") is what a volume records as its share.
    """

    kind = None

    def __init__(self, location):
        self.location = location
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

    def free_bytes(self):
        st = os.statvfs(self.mount_path)
        return st.f_bavail * st.f_frsize

    def chain(self, volume_id, formats):
        return chain.VolumeChain(self.mount_path, volume_id, formats)

    def __repr__(self):
        return '<%s %s>' % (type(self).__name__, self.name)
