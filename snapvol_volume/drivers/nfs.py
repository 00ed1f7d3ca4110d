"""NFS exports: the form is known; the driver comes with later work."""

import re

from snapvol_api import exception
from snapvol_volume.drivers import base

_LOCATION = re.compile(r'^[A-Za-z0-9.:\[\]-]+:/\S*$')


class NfsShareDriver(base.FileShareDriver):
    kind = 'nfs'

    @staticmethod
    def check_location(location):
        if not _LOCATION.match(location):
            return 'an nfs share is HOST:/EXPORT, not %r' % location
        return None

    @property
    def mount_path(self):
        raise exception.ShareUnavailable(
            share=self.name, reason='the NFS driver is not available yet')

    def ensure_mounted(self):
        return self.mount_path
