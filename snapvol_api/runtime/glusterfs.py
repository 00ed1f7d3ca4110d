"""FUSE mounts of GlusterFS volumes, shared by the volume service (its
shares) and the compute service (volumes QEMU opens as files, when it may
not use libgfapi). Both name a mount directory after the volume, so on one
host they share a mount."""

import hashlib
import os
import re

from oslo_concurrency import processutils
from oslo_log import log as logging
import tenacity

from snapvol_api import exception
from snapvol_api.conf import CONF

LOG = logging.getLogger(__name__)

_LOCATION = re.compile(r'^[A-Za-z0-9.-]+:/[A-Za-z0-9_.-]+$')


def check_location(location):
    """None when ``location`` is HOST:/VOLNAME, else the reason."""
    if not _LOCATION.match(location or ''):
        return 'a glusterfs share is HOST:/VOLNAME, not %r' % location
    return None


class Mount:

    def __init__(self, location, mount_point_base):
        reason = check_location(location)
        if reason:
            raise exception.InvalidInput(reason=reason)
        self.location = location
        # A hash keeps the directory name stable and free of odd characters.
        digest = hashlib.sha256(location.encode()).hexdigest()[:32]
        self.path = os.path.join(mount_point_base, digest)

    @property
    def name(self):
        return 'glusterfs:%s' % self.location

    def _mounted_source(self):
        """What is mounted at path now (None if nothing)."""
        with open('/proc/mounts', encoding='utf-8') as f:
            for line in f:
                source, target, fstype = line.split()[:3]
                if target == self.path:
                    return source, fstype
        return None

    def ensure_mounted(self):
        """Mounts the volume unless it is mounted and answers; safe to call
        again, and from other processes."""
        mounted = self._mounted_source()
        if mounted == (self.location, 'fuse.glusterfs'):
            try:
                os.statvfs(self.path)
                return
            except OSError as e:
                # "Transport endpoint is not connected": glusterfs died.
                LOG.warning('Mount of %s at %s is stale (%s); remounting',
                            self.name, self.path, e)
                processutils.execute('umount', '-l', self.path,
                                     check_exit_code=False)
        elif mounted is not None:
            raise exception.ShareUnavailable(
                share=self.name,
                reason='%s already has %s mounted on it'
                       % (self.path, mounted[0]))
        os.makedirs(self.path, exist_ok=True)
        self._mount()
        LOG.info('Mounted %s at %s', self.name, self.path)

    @tenacity.retry(stop=tenacity.stop_after_attempt(3),
                    wait=tenacity.wait_fixed(2), reraise=True,
                    retry=tenacity.retry_if_exception_type(
                        exception.ShareUnavailable))
    def _mount(self):
        if self._mounted_source() == (self.location, 'fuse.glusterfs'):
            return      # another process won the race
        try:
            options = CONF.volume.glusterfs_mount_options
            processutils.execute('mount', '-t', 'glusterfs',
                                 *(['-o', options] if options else []),
                                 self.location, self.path)
        except processutils.ProcessExecutionError as e:
            raise exception.ShareUnavailable(
                share=self.name, reason=(e.stderr or str(e)).strip())
