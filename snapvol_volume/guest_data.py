"""What a guest sees in a volume at one point in time, read without the
qcow2 container: the source of backups and exports.

A point in time is a chain from one layer down: the active file for the
volume's current data, the layer below a snapshot's overlay for the
snapshot's (``layers_at``). ``qemu-img map`` tells, for every range,
whether it reads as zeros or which layer holds it and where; ``Source``
then reads those bytes from the layer files themselves (a qcow2 data
cluster holds the guest's bytes as they are), so a backup costs one read
of the allocated data and nothing for the rest. A map with data but no
offset (compressed or encrypted clusters: never in the files snapvol
makes) is read through ``qemu-img convert`` into a raw file instead.

Formats are always given, never probed (OSSA 2014-033); ``-U`` lets
qemu-img read files a running guest holds open. The caller holds the
chain lock while it opens a Source (the map and the file descriptors
then agree), and keeps the layers from changing while it reads (a
snapshot or volume marked as read: ``snapvol_volume.reads``).
"""

import bisect
import json
import os

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_volume import qemu_img

LOG = logging.getLogger(__name__)

# qemu-img's own runner: explicit formats, timeout, killed with us.
_run = qemu_img._run


def layers_at(chain, snapshot_id=None):
    """The layers whose chain shows the data of ``snapshot_id`` (None:
    the volume's current data), top first, each header checked."""
    _data, layers = chain.check()
    if snapshot_id is None:
        return layers
    top = chain.snapshot_source(snapshot_id)
    names = [layer.name for layer in layers]
    return layers[names.index(top.name):]


def image_map(path, fmt):
    """qemu-img's map of an image and its backing chain: [{start, length,
    depth, zero, data, offset?}], in order."""
    if fmt not in qemu_img.FORMATS:
        raise exception.InvalidInput(reason='unsupported format %r' % fmt)
    return json.loads(_run('map', '-U', '--output=json', '-f', fmt, path))


def convert(path, fmt, dest, dest_fmt):
    """A standalone image (no backing file) at ``dest`` with the data the
    chain of ``path`` shows."""
    for f in (fmt, dest_fmt):
        if f not in qemu_img.FORMATS:
            raise exception.InvalidInput(reason='unsupported format %r' % f)
    _run('convert', '-U', '-q', '-f', fmt, '-O', dest_fmt, path, dest)


def write_into(path, fmt, dest, dest_fmt):
    """Writes the data of ``path`` into the existing image ``dest`` (its
    backing chain stays; every byte of the range ``path`` covers is
    written, zeros too)."""
    for f in (fmt, dest_fmt):
        if f not in qemu_img.FORMATS:
            raise exception.InvalidInput(reason='unsupported format %r' % f)
    _run('convert', '-q', '-n', '-f', fmt, '-O', dest_fmt, path, dest)


class Source:
    """The guest data of one point in time, open for reading: ``size``
    bytes, read with ``read_into``; ``is_zero`` says where it reads as
    zeros without reading it. Close it (or use it as a context)."""

    def __init__(self, paths, extents, cleanup=(), label=None):
        self.label = label or paths[0]
        self._fds = [os.open(p, os.O_RDONLY | os.O_CLOEXEC) for p in paths]
        self._cleanup = list(cleanup)
        self._starts = [e['start'] for e in extents]
        self._extents = extents
        last = extents[-1] if extents else {'start': 0, 'length': 0}
        self.size = last['start'] + last['length']
        self.allocated = sum(e['length'] for e in extents
                             if not _reads_zero(e))

    @classmethod
    def open(cls, chain, layers, scratch_dir):
        """The Source of ``layers`` (``layers_at``) of ``chain``;
        ``scratch_dir``: where a chain that cannot be mapped is converted
        to raw first."""
        top = layers[0]
        extents = image_map(chain.path(top.name), top.fmt)
        if all(_reads_zero(e) or ('offset' in e and not e.get('compressed'))
               for e in extents):
            return cls([chain.path(layer.name) for layer in layers],
                       extents, label=chain.volume_id)
        LOG.info('Volume %s: %s has data without an offset (compressed or '
                 'encrypted clusters); reading it through qemu-img convert',
                 chain.volume_id, top.name)
        os.makedirs(scratch_dir, mode=0o700, exist_ok=True)
        raw = os.path.join(scratch_dir, '%s.%s.raw' % (chain.volume_id,
                                                       os.getpid()))
        try:
            convert(chain.path(top.name), top.fmt, raw, 'raw')
            return cls([raw], image_map(raw, 'raw'), cleanup=[raw],
                       label=chain.volume_id)
        except Exception:
            unlink(raw)
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for fd in self._fds:
            os.close(fd)
        self._fds = []
        for path in self._cleanup:
            unlink(path)

    def _covering(self, offset, length):
        """(extent, its part's start, its part's end) of each extent that
        overlaps [offset, offset + length)."""
        end = offset + length
        i = max(bisect.bisect_right(self._starts, offset) - 1, 0)
        while i < len(self._extents):
            extent = self._extents[i]
            start = extent['start']
            if start >= end:
                break
            stop = start + extent['length']
            if stop > offset:
                yield extent, max(start, offset), min(stop, end)
            i += 1

    def is_zero(self, offset, length):
        """Whether the map says [offset, offset + length) reads as
        zeros."""
        return all(_reads_zero(extent)
                   for extent, _a, _b in self._covering(offset, length))

    def read_into(self, buffer, offset):
        """Fills ``buffer`` (a writable bytes-like object, within
        ``size``) with the guest data at ``offset``."""
        view = memoryview(buffer).cast('B')
        for extent, start, end in self._covering(offset, len(view)):
            part = view[start - offset:end - offset]
            if _reads_zero(extent):
                part[:] = bytes(len(part))
                continue
            fd = self._fds[extent['depth']]
            at = extent['offset'] + start - extent['start']
            while part:
                n = os.preadv(fd, [part], at)
                if n <= 0:
                    raise exception.ChainMismatch(
                        volume_id=self.label,
                        reason='a layer ended before the data its map '
                               'shows (%d bytes short)' % len(part))
                part, at = part[n:], at + n


def _reads_zero(extent):
    return extent['zero'] or not extent['data']


def unlink(path):
    """Removes ``path``; one already gone is no error."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
