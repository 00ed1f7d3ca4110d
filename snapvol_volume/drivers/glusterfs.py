"""GlusterFS volumes, mounted with FUSE under [volume] mount_point_base."""

import hashlib
import os
import re

from oslo_concurrency import processutils
from oslo_log import log as logging
import tenacity

from snapvol_api.conf import CONF
from snapvol_api import exception
from snapvol_volume.drivers import base

LOG = logging.getLogger(__name__)

_LOCATION = re.compile(r'^[A-Za-z0-9.-]+:/[A-Za-z0-9_.-]+$')


class GlusterfsShareDriver(base.FileShareDriver):
    kind = 'glusterfs'

    @staticmethod
    def check_location(location):
        if not _LOCATION.match(location):
            return ('a glusterfs share is HOST:/VOLNAME, not %r'
                    % location)
        return None

    @property
    def host(self):
        return self.location.split(':', 1)[0]

    @property
    def volume_name(self):
        return self.location.split(':/', 1)[1]

    @property
    def mount_path(self):
        # A hash keeps the directory name stable and free of odd characters.
        digest = hashlib.sha256(self.location.encode()).hexdigest()[:32]
        return os.path.join(CONF.volume.mount_point_base, digest)

    def _mounted_source(self):
        """What is mounted at mount_path now (None if nothing)."""
        with open('/proc/mounts', encoding='utf-8') as f:
            for line in f:
                source, target, fstype = line.split()[:3]
                if target == self.mount_path:
                    return source, fstype
        return None

    def ensure_mounted(self):
        mounted = self._mounted_source()
        if mounted == (self.location, 'fuse.glusterfs'):
            try:
                os.statvfs(self.mount_path)
                return
            except OSError as e:
                # "Transport endpoint is not connected": glusterfs died.
                LOG.warning('Mount of %s at %s is stale (%s); remounting',
                            self.name, self.mount_path, e)
                processutils.execute('umount', '-l', self.mount_path,
                                     check_exit_code=False)
        elif mounted is not None:
            raise exception.ShareUnavailable(
                share=self.name,
                reason='%s already has %s mounted on it'
                       % (self.mount_path, mounted[0]))
        os.makedirs(self.mount_path, exist_ok=True)
        self._mount()
        LOG.info('Mounted %s at %s', self.name, self.mount_path)

    @tenacity.retry(stop=tenacity.stop_after_attempt(3),
                    wait=tenacity.wait_fixed(2), reraise=True,
                    retry=tenacity.retry_if_exception_type(
                        exception.ShareUnavailable))
    def _mount(self):
        try:
            options = CONF.volume.glusterfs_mount_options
            processutils.execute('mount', '-t', 'glusterfs',
                                 *(['-o', options] if options else []),
                                 self.location, self.mount_path)
        except processutils.ProcessExecutionError as e:
            raise exception.ShareUnavailable(
                share=self.name, reason=(e.stderr or str(e)).strip())
