"""The files of one volume on a share: its qcow2 chain and its info store.

``volume-<V>`` is the base; a snapshot S adds the overlay ``volume-<V>.<S>``
on top of the active file. S's data is the chain *below* its overlay, so
deleting S merges the overlay into the file below it and points the file
above (if any) at that file: no other snapshot's point in time moves
(``merges``).

Every operation first walks the chain from the active file down, checking
each header against the recorded formats (never probing) and refusing a
backing file that is not one of the volume's own files in its directory.
Callers hold the volume's chain lock.
"""

import collections
import functools
import os
import re
import stat

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api import names
from snapvol_volume import info as info_store
from snapvol_volume import qemu_img
from snapvol_volume import retention

LOG = logging.getLogger(__name__)

GiB = 1024 ** 3
# QEMU's libgfapi driver fails on a qcow2 file whose size is not a multiple
# of 512 (a short read at EOF is an I/O error); pad new overlays.
PAD_TO = 64 * 1024
# Cinder's secure NAS permissions: the owner and QEMU's group (libvirt
# gives QEMU the files it opens) read and write; other users nothing.
IMAGE_MODE = 0o660
_UUID = r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

# ``size``: the size the guest sees, from the header.
Layer = collections.namedtuple('Layer', 'name fmt backing size',
                               defaults=(None,))


class VolumeChain:

    def __init__(self, directory, volume_id, formats, owner=None):
        """``formats``: {file name: recorded format} of the volume;
        ``owner``: (uid, gid) given the image files made here."""
        self.directory = directory
        self.owner = owner
        self.volume_id = volume_id
        self.formats = dict(formats)
        self.base_name = 'volume-%s' % volume_id
        self.info = info_store.InfoStore(
            os.path.join(directory, self.base_name + '.info'))
        self._own_name = re.compile(
            r'^%s(\.%s)?$' % (re.escape(self.base_name), _UUID))

    def snapshot_file(self, snapshot_id):
        return self.path_name('%s.%s' % (self.base_name, snapshot_id))

    def is_own(self, name):
        return bool(self._own_name.match(name or ''))

    def path_name(self, name):
        """``name`` itself, once checked to be one of the volume's files.

        The check is on the bare name (no directory part, no ``..``), so a
        name from a request or a header never leaves the share directory.
        """
        if not (names.is_file_name(name) and self.is_own(name)):
            raise exception.InvalidFileName(name=name,
                                            volume_id=self.volume_id)
        return name

    def path(self, name):
        return os.path.join(self.directory, self.path_name(name))

    # Reading ----------------------------------------------------------------

    def read_info(self):
        data = self.info.read()
        for key, name in data.items():
            if not self.is_own(name):
                raise exception.InfoStoreCorrupt(
                    path=self.info.path,
                    reason='%s names %r, not a file of this volume'
                           % (key, name))
        return data

    def walk(self):
        """(info, layers): the info store and the chain from the active
        file down to its bottom, every header checked. The bottom is the
        base file, unless a live merge pulled all of it into the active
        file."""
        data = self.read_info()
        layers, seen = [], set()
        name = data[info_store.ACTIVE]
        while name is not None:
            if name in seen:
                raise exception.ChainMismatch(
                    volume_id=self.volume_id,
                    reason='%s appears twice in the chain' % name)
            seen.add(name)
            layers.append(self.layer(name))
            name = layers[-1].backing
        return data, layers

    def layer(self, name):
        """The Layer of the file ``name``, its header checked."""
        path = self.path(name)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            raise exception.ChainMismatch(volume_id=self.volume_id,
                                          reason='%s is missing' % name)
        if not stat.S_ISREG(st.st_mode):
            raise exception.UnsafeBackingFile(path=path,
                                              reason='not a regular file')
        fmt = self.formats.get(name)
        if fmt is None:
            raise exception.ChainMismatch(
                volume_id=self.volume_id,
                reason='no format is recorded for %s' % name)
        header = _header(path, fmt, (st.st_dev, st.st_ino, st.st_size,
                                     st.st_mtime_ns, st.st_ctime_ns))
        if header.get('format') != fmt:
            raise exception.ChainMismatch(
                volume_id=self.volume_id,
                reason='%s is not %s' % (name, fmt))
        specific = header.get('format-specific', {}).get('data', {})
        if specific.get('data-file'):
            raise exception.UnsafeBackingFile(
                path=path, reason='it has an external data file %r'
                                  % specific['data-file'])
        backing = header.get('backing-filename')
        if backing is not None:
            if not self.is_own(backing):
                raise exception.UnsafeBackingFile(
                    path=path,
                    reason='its backing file %r is not a file of volume %s '
                           'in its share' % (backing, self.volume_id))
            backing_fmt = header.get('backing-filename-format')
            if backing_fmt is None:
                raise exception.UnsafeBackingFile(
                    path=path, reason='its header names no backing format')
            if backing_fmt != self.formats.get(backing):
                raise exception.UnsafeBackingFile(
                    path=path,
                    reason='its backing format %s is not the recorded %s'
                           % (backing_fmt, self.formats.get(backing)))
        return Layer(name, fmt, backing, header.get('virtual-size'))

    def check(self):
        """The chain as walk() returns it, also checking that every
        snapshot the info store names is in it."""
        data, layers = self.walk()
        names = {layer.name for layer in layers}
        for snapshot_id, name in data.items():
            if name not in names:
                raise exception.ChainMismatch(
                    volume_id=self.volume_id,
                    reason='%s of snapshot %s is not in the chain'
                           % (name, snapshot_id))
        return data, layers

    def snapshot_source(self, snapshot_id):
        """The layer whose chain shows the data of ``snapshot_id``."""
        data, layers = self.check()
        if snapshot_id not in data or snapshot_id == info_store.ACTIVE:
            raise exception.ChainMismatch(
                volume_id=self.volume_id,
                reason='snapshot %s has no file' % snapshot_id)
        names = [layer.name for layer in layers]
        return layers[names.index(data[snapshot_id]) + 1]

    # Changing ---------------------------------------------------------------

    def _give(self, path):
        os.chmod(path, IMAGE_MODE)
        if self.owner is not None:
            os.chown(path, *self.owner)

    def create_base(self, size_gb, fmt):
        qemu_img.create(self.path(self.base_name), fmt, size_gb * GiB)
        self._give(self.path(self.base_name))
        self.formats[self.base_name] = fmt
        self.info.write({info_store.ACTIVE: self.base_name})

    def create_from(self, source, snapshot_id, fmt, size_gb):
        """A new, independent base holding the data of ``source``'s
        snapshot (another VolumeChain)."""
        src = source.snapshot_source(snapshot_id)
        dest = self.path(self.base_name)
        qemu_img.convert(source.path(src.name), src.fmt, dest, fmt)
        if qemu_img.info(dest, fmt)['virtual-size'] < size_gb * GiB:
            qemu_img.resize(dest, fmt, size_gb * GiB)
        self._give(dest)
        self.formats[self.base_name] = fmt
        self.info.write({info_store.ACTIVE: self.base_name})

    def new_overlay(self, snapshot_id, size_gb):
        """Creates the overlay of ``snapshot_id`` on top of the active
        file, leaving the info store as it is; returns its name."""
        data, layers = self.check()
        name = self.snapshot_file(snapshot_id)
        if data.get(snapshot_id) == name:
            return name
        # Here, under the chain lock, whichever way the snapshot came
        # (alone, in a group, of an attached volume), and whatever
        # creates passed the request's check together.
        retention.refuse_deeper(self.volume_id, retention.depth(data))
        path = self.path(name)
        try:
            qemu_img.create(path, 'qcow2', size_gb * GiB,
                            backing=layers[0].name, backing_fmt=layers[0].fmt)
            _pad(path)
            self._give(path)
        except Exception:
            unlink(path)
            raise
        self.formats[name] = 'qcow2'
        return name

    def activate_overlay(self, snapshot_id):
        """Makes the overlay of ``snapshot_id`` the active file, unless the
        info store already has it: then it was activated before, and the
        active file (maybe a newer overlay on top of it) stays."""
        data = self.read_info()
        name = self.snapshot_file(snapshot_id)
        if data.get(snapshot_id) == name:
            if data[info_store.ACTIVE] != name:
                LOG.warning('%s is already below the active file %s; it '
                            'stays active', name, data[info_store.ACTIVE])
            return
        data[snapshot_id] = data[info_store.ACTIVE] = name
        self.info.write(data)

    def discard_overlay(self, snapshot_id):
        """Removes the overlay of ``snapshot_id`` unless the info store
        uses it."""
        name = self.snapshot_file(snapshot_id)
        if name not in self.read_info().values():
            unlink(self.path(name))
            self.formats.pop(name, None)

    def create_overlay(self, snapshot_id, size_gb):
        """Adds the overlay of ``snapshot_id`` on top of the active file
        and makes it active; returns its name. Nothing changes if it
        fails."""
        name = self.new_overlay(snapshot_id, size_gb)
        try:
            self.activate_overlay(snapshot_id)
        except Exception:
            self.discard_overlay(snapshot_id)
            raise
        return name

    def grow(self, size_gb):
        """The active file becomes ``size_gb`` (os-extend); the files below
        keep their sizes, each the point in time of a snapshot. Returns
        the size in GiB it has now, which may be larger (a grow done
        before a crash)."""
        _data, layers = self.check()
        active = layers[0]
        path = self.path(active.name)
        current = qemu_img.info(path, active.fmt)['virtual-size']
        if current < size_gb * GiB:
            qemu_img.resize(path, active.fmt, size_gb * GiB)
            if active.fmt == 'qcow2':
                _pad(path)
            current = size_gb * GiB
        return current // GiB

    def revert_to(self, snapshot_id):
        """The volume holds exactly the data of ``snapshot_id`` again, its
        newest snapshot, whose overlay is the active file: a new empty
        overlay on the same file below replaces the active file by a
        rename, so a crash leaves the old file or the new one, and this
        can be run again."""
        data, layers = self.check()
        name = data.get(snapshot_id)
        if name is None or name != data[info_store.ACTIVE] or len(
                layers) < 2:
            raise exception.ChainMismatch(
                volume_id=self.volume_id,
                reason='the active file is not the overlay of snapshot %s'
                       % snapshot_id)
        below = layers[1]
        path, new = self.path(name), self.path(name) + '.revert'
        unlink(new)
        size = qemu_img.info(path, 'qcow2')['virtual-size']
        try:
            qemu_img.create(new, 'qcow2', size, backing=below.name,
                            backing_fmt=below.fmt)
            _pad(new)
            self._give(new)
            _fsync(new)
            os.replace(new, path)
            _fsync(self.directory)
        finally:
            unlink(new)
        LOG.info('Volume %s: %s is empty again, on %s', self.volume_id,
                 name, below.name)

    def remove_orphans(self):
        """Removes the volume's files that the info store does not use
        (left by a crash); returns their paths."""
        data = self.read_info()
        used = set(data.values()) | {self.base_name}
        orphans = [os.path.join(self.directory, entry)
                   for entry in sorted(os.listdir(self.directory))
                   if self.is_own(entry) and entry not in used]
        if os.path.exists(self.info.tmp_path):
            orphans.append(self.info.tmp_path)
        for path in orphans:
            unlink(path)
        return orphans

    def remove_all(self):
        for entry in os.listdir(self.directory):
            if self.is_own(entry):
                unlink(os.path.join(self.directory, entry))
        self.info.remove()


@functools.lru_cache(maxsize=4096)
def _header(path, fmt, identity):
    """qemu-img's view of a header, read again whenever the file changed
    (``identity`` holds its inode, size and times): a walk of a deep chain
    then costs one qemu-img run, for the active file, not one per layer.
    The result is shared; do not change it."""
    return qemu_img.info(path, fmt)


def _pad(path):
    size = os.path.getsize(path)
    if size % PAD_TO:
        os.truncate(path, size + PAD_TO - size % PAD_TO)


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def unlink(path):
    """Removes ``path``; one already gone is no error."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
