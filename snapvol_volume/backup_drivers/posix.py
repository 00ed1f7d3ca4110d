"""The posix object store of backups (Cinder's posix backup driver): a
container is a directory under ``[backup] posix_path``, an object a file
in it.

Backups hold a project's data: directories are made 0700 and files 0600,
whatever the umask. A container name comes from the API (Cinder's
``container``): it is a relative path of bare names, never joined
blindly.
"""

import errno
import os

from snapvol_api import exception
from snapvol_api import names

DIR_MODE = 0o700
FILE_MODE = 0o600
# A container is at most this many directories deep (Cinder's default
# container is three: ab/cd/<backup id>).
MAX_DEPTH = 8


def check_container(container):
    """``container`` if it is a relative path of bare names (letters,
    digits, '.', '_', '-'; no '..', no leading '/'), else InvalidInput."""
    parts = container.split('/') if isinstance(container, str) else [None]
    if (not container or len(container) > names.MAX_LENGTH
            or len(parts) > MAX_DEPTH
            or not all(names.is_file_name(p) for p in parts)):
        raise exception.InvalidInput(
            reason="container must be a relative path of at most %d names "
                   "of letters, digits, '.', '_' and '-' (no '..' and no "
                   "leading '/'), not %r" % (MAX_DEPTH, container))
    return container


class PosixStore:

    def __init__(self, root):
        self.root = root

    def _dir(self, container):
        return os.path.join(self.root, check_container(container))

    def _path(self, container, name):
        return os.path.join(self._dir(container),
                            names.check_file_name(name, 'object name'))

    def make_container(self, container):
        """Makes the container's directories (and the root) that are not
        there yet, each 0700."""
        path = self.root
        for part in [''] + check_container(container).split('/'):
            path = os.path.join(path, part) if part else path
            try:
                os.mkdir(path, DIR_MODE)
            except FileExistsError:
                continue
            os.chmod(path, DIR_MODE)

    def write(self, container, name, data):
        """Writes the object (replacing one of that name) and syncs it."""
        fd = os.open(self._path(container, name),
                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC,
                     FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)
            view = memoryview(data).cast('B')
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)

    def sync(self, container):
        """Makes the container's entries durable."""
        fd = os.open(self._dir(container), os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self, container, name):
        with open(self._path(container, name), 'rb') as f:
            return f.read()

    def list(self, container, prefix):
        """The names of the container's objects starting with ``prefix``
        (none when the container is not there)."""
        try:
            entries = os.listdir(self._dir(container))
        except FileNotFoundError:
            return []
        return sorted(e for e in entries if e.startswith(prefix))

    def delete(self, container, name):
        try:
            os.unlink(self._path(container, name))
        except FileNotFoundError:
            pass

    def remove_container(self, container):
        """Removes the container's directories that are empty, deepest
        first, never the root."""
        parts = check_container(container).split('/')
        while parts:
            try:
                os.rmdir(os.path.join(self.root, *parts))
            except OSError as e:
                if e.errno in (errno.ENOTEMPTY, errno.EEXIST):
                    return
                if e.errno != errno.ENOENT:
                    raise
            parts.pop()
