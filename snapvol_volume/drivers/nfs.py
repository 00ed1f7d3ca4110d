"""NFS exports, mounted under [volume] mount_point_base with the kernel's
client or snapvol's user-space one ([volume] nfs_client)."""

from snapvol_api.conf import CONF
from snapvol_api.runtime import nfs
from snapvol_volume.drivers import base


class NfsShareDriver(base.FileShareDriver):
    kind = 'nfs'
    takes_options = True

    check_location = staticmethod(nfs.check_location)

    def __init__(self, location, options=None):
        super().__init__(location, options)
        # A share's own options replace the service-wide ones, as in
        # Cinder's nfs_shares_config.
        self._mount = nfs.Mount(
            location, CONF.volume.mount_point_base,
            options or CONF.volume.nfs_mount_options,
            CONF.volume.nfs_client)

    @property
    def mount_path(self):
        return self._mount.path

    def ensure_mounted(self):
        self._mount.ensure_mounted()
