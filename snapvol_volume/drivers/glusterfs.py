"""GlusterFS volumes, mounted with FUSE under [volume] mount_point_base."""

from snapvol_api.conf import CONF
from snapvol_api.runtime import glusterfs
from snapvol_volume.drivers import base


class GlusterfsShareDriver(base.FileShareDriver):
    kind = 'glusterfs'

    check_location = staticmethod(glusterfs.check_location)

    def __init__(self, location, options=None):
        super().__init__(location, options)
        self._mount = glusterfs.Mount(location, CONF.volume.mount_point_base)

    @property
    def mount_path(self):
        return self._mount.path

    def ensure_mounted(self):
        self._mount.ensure_mounted()
