"""A local directory: the embedded default share."""

import os

from snapvol_volume.drivers import base


class LocalShareDriver(base.FileShareDriver):
    kind = 'local'

    @staticmethod
    def check_location(location):
        if not os.path.isabs(location):
            return 'a local share needs an absolute path, not %r' % location
        return None

    @property
    def mount_path(self):
        return self.location

    def ensure_mounted(self):
        # QEMU runs as its own user and must reach the volume files.
        os.makedirs(self.location, mode=0o755, exist_ok=True)
