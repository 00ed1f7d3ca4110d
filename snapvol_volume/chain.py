"""The files of one volume on a share: its qcow2 chain and its info store.

``volume-<V>`` is the base; a snapshot S adds the overlay ``volume-<V>.<S>``
on top of the active file. S's data is the chain *below* its overlay, so
deleting S merges the overlay into the file below it and points the file
above (if any) at that file: no other snapshot's point in time moves.

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

LOG = logging.getLogger(__name__)

GiB = 1024 ** 3
# QEMU's libgfapi driver fails on a qcow2 file whose size is not a multiple
# of 512 (a short read at EOF is an I/O error); pad new overlays.
PAD_TO = 64 * 1024
# Cinder's secure NAS permissions: the owner and QEMU's group (libvirt
# gives QEMU the files it opens) read and write; other users nothing.
IMAGE_MODE = 0o660
_UUID = r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

Layer = collections.namedtuple('Layer', 'name fmt backing')


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
        layers = []
        name = data[info_store.ACTIVE]
        while name is not None:
            if any(layer.name == name for layer in layers):
                raise exception.ChainMismatch(
                    volume_id=self.volume_id,
                    reason='%s appears twice in the chain' % name)
            layers.append(self._layer(name))
            name = layers[-1].backing
        return data, layers

    def _layer(self, name):
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
        return Layer(name, fmt, backing)

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
        path = self.path(name)
        try:
            qemu_img.create(path, 'qcow2', size_gb * GiB,
                            backing=layers[0].name, backing_fmt=layers[0].fmt)
            _pad(path)
            self._give(path)
        except Exception:
            _unlink(path)
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
            _unlink(self.path(name))
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

    def merge_plan(self, snapshot_id):
        """How to merge the overlay of ``snapshot_id`` while a guest runs
        the chain: (delete_info for the compute service, the file the
        merge makes useless, the info store afterwards). delete_info is
        None when the chain already shows the merge done (a report lost, or
        a crash before the info store changed).

        The newest snapshot's overlay is the active file: the file below it
        is pulled into it (and the active file takes that file's place for
        the snapshot that had it). Any other overlay is committed into the
        file below it, and the file above is re-pointed.
        """
        data, layers = self.walk()
        if snapshot_id not in data or snapshot_id == info_store.ACTIVE:
            raise exception.ChainMismatch(
                volume_id=self.volume_id,
                reason='snapshot %s has no file' % snapshot_id)
        name = data[snapshot_id]
        names = [layer.name for layer in layers]
        # Files the info store (or the base) has that the chain lost: what
        # a merge removed from the chain before the info store followed
        # (the file is removed only after the info store changed).
        lost = sorted(f for f in set(data.values()) | {self.base_name}
                      if f not in names and (f in data.values() or
                                             os.path.exists(self.path(f))))
        gone = [f for f in lost if not os.path.exists(self.path(f))]
        if gone:
            raise exception.ChainMismatch(
                volume_id=self.volume_id,
                reason='%s is missing' % ', '.join(gone))
        after = dict(data)
        del after[snapshot_id]
        if lost == [name]:
            return None, name, after            # committed
        if len(lost) > 1 or (lost and name != names[0]):
            raise exception.ChainMismatch(
                volume_id=self.volume_id,
                reason='%s not in the chain' % ', '.join(lost))
        index = names.index(name)
        if lost:
            below, delete_info = lost[0], None  # pulled
        elif layers[index].backing is None:
            raise exception.ChainMismatch(
                volume_id=self.volume_id,
                reason='%s of snapshot %s has no backing file'
                       % (name, snapshot_id))
        elif index == 0:
            below = layers[1].name
            delete_info = {'file_to_merge': layers[1].backing,
                           'merge_target_file': None}
        else:
            return ({'file_to_merge': name,
                     'merge_target_file': layers[index + 1].name},
                    name, after)
        for other, file_name in data.items():
            if file_name == below and other != info_store.ACTIVE:
                after[other] = name
        return delete_info, below, after

    def merge_offline(self, snapshot_id):
        """merge_plan carried out with qemu-img, for a volume attached to a
        shut-off instance: its definition names the active file, which
        stays. Returns the removed file; can be run again after a crash."""
        delete_info, merged, after = self.merge_plan(snapshot_id)
        if delete_info is not None:
            layers = self.walk()[1]
            names = [layer.name for layer in layers]
            target = delete_info['merge_target_file']
            if target is None:
                base = delete_info['file_to_merge']
                qemu_img.rebase(self.path(layers[0].name), layers[0].fmt,
                                base, self.formats.get(base))
            else:
                index = names.index(merged)
                qemu_img.commit(self.path(merged), layers[index].fmt)
                above = layers[index - 1]
                qemu_img.rebase_unsafe(self.path(above.name), above.fmt,
                                       target, self.formats[target])
        self.finish_merge(merged, after)
        return merged

    def finish_merge(self, merged, info_after):
        """After a live merge: the info store as ``merge_plan`` said, and
        the merged file gone."""
        self.info.write(info_after)
        _unlink(self.path(merged))
        self.formats.pop(merged, None)

    def delete_snapshot(self, snapshot_id):
        """Merges the overlay of ``snapshot_id`` into the file below it.

        Returns the removed file name (None when there was none). Each step
        can be run again after a crash: commit leaves the overlay intact,
        and the info store changes only once the chain is consistent.
        """
        data = self.read_info()
        name = data.get(snapshot_id)
        if name is None or snapshot_id == info_store.ACTIVE:
            # Never got a file, or a crash after the info store was updated.
            stray = self.snapshot_file(snapshot_id)
            if stray not in data.values():
                _unlink(self.path(stray))
            return None
        data, layers = self.walk()
        names = [layer.name for layer in layers]
        if name in names:
            index = names.index(name)
            layer = layers[index]
            if layer.backing is None:
                raise exception.ChainMismatch(
                    volume_id=self.volume_id,
                    reason='%s of snapshot %s has no backing file'
                           % (name, snapshot_id))
            below = layers[index + 1]
            qemu_img.commit(self.path(name), layer.fmt)
            if index == 0:
                data[info_store.ACTIVE] = below.name
            else:
                above = layers[index - 1]
                qemu_img.rebase_unsafe(self.path(above.name), above.fmt,
                                       below.name, below.fmt)
        else:
            # A crash after the file above was re-pointed: already merged.
            LOG.info('%s of snapshot %s is already out of the chain',
                     name, snapshot_id)
        del data[snapshot_id]
        self.info.write(data)
        _unlink(self.path(name))
        self.formats.pop(name, None)
        return name

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
            _unlink(path)
        return orphans

    def remove_all(self):
        for entry in os.listdir(self.directory):
            if self.is_own(entry):
                _unlink(os.path.join(self.directory, entry))
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


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
