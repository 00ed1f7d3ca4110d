"""The snapshot info store: ``volume-<uuid>.info`` beside the volume.

A JSON object: ``"active"`` names the file a reader of the volume opens, and
each snapshot id names the overlay file created at that snapshot (seed 000).
It is replaced atomically (temp file, fsync, rename, fsync of the
directory), so a crash leaves either the old or the new content.
"""

import json
import os

from snapvol_api import exception

ACTIVE = 'active'
# The volume service alone reads it; tenants' guests never do.
MODE = 0o640


class InfoStore:

    def __init__(self, path):
        self.path = path

    @property
    def tmp_path(self):
        return self.path + '.tmp'

    def exists(self):
        return os.path.exists(self.path)

    def read(self):
        try:
            with open(self.path, encoding='utf-8') as f:
                data = json.load(f)
        except FileNotFoundError:
            raise exception.InfoStoreCorrupt(path=self.path,
                                             reason='it does not exist')
        except (OSError, ValueError) as e:
            raise exception.InfoStoreCorrupt(path=self.path, reason=e)
        if (not isinstance(data, dict)
                or not isinstance(data.get(ACTIVE), str)
                or not all(isinstance(k, str) and isinstance(v, str)
                           for k, v in data.items())):
            raise exception.InfoStoreCorrupt(
                path=self.path,
                reason='not an object of file names with an "active" key')
        return data

    def write(self, data):
        if not isinstance(data.get(ACTIVE), str):
            raise ValueError('an info store needs an active file')
        fd = os.open(self.tmp_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                     MODE)
        # Whatever the umask, and for a temp file a crash left behind.
        os.fchmod(fd, MODE)
        with open(fd, 'w', encoding='utf-8') as f:
            json.dump(data, f, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(self.tmp_path, self.path)
        _fsync_dir(os.path.dirname(self.path))

    def remove(self):
        for path in (self.path, self.tmp_path):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
