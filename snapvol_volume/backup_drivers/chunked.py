"""Cinder's chunked backup format (cinder/backup/chunkeddriver.py,
version 1.0.0), written and read on an object store (``posix``).

A backup is a container holding, under its object prefix (the backup's
``service_metadata``):

- data objects ``<prefix>-00001``, ``<prefix>-00002``...: each the bytes
  of one range of the guest data, compressed unless that would not make
  it smaller (samples of it tell first, to spare compressing data that
  does not shrink);
- ``<prefix>_sha256file``: JSON with the sha256 of every
  ``chunk_size``-byte block of the whole volume at the backup's point in
  time;
- ``<prefix>_metadata``: JSON with ``objects``, a list of
  ``{name: {offset, length, compression, md5}}`` in order, the backup's
  ``parent_id`` and the volume's metadata (``volume_meta``).

A full backup's objects cover the whole volume, one per ``object_size``
bytes. An incremental backup compares each block's sha256 with its
parent's and writes only the runs of blocks that changed, an object per
run. A restore writes the full backup's objects, then each incremental
one's in turn; every object is checked against its backup's sha256file
before it is written.

Hashing and compression run in ``threads`` threads (hashlib, zlib and
bz2 release Python's lock); objects are written in order. Ranges the
source's map shows as zeros are never read, and their hashes and
compressed objects are computed once.
"""

import bz2
import collections
import concurrent.futures
import dataclasses
import functools
import hashlib
import json
import os
import zlib

from oslo_log import log as logging

from snapvol_api import exception

LOG = logging.getLogger(__name__)

VERSION = '1.0.0'
_COMPRESSORS = {'none': None, 'off': None, 'no': None, 'zlib': zlib,
                'gzip': zlib, 'bz2': bz2, 'bzip2': bz2}
# Before an object is compressed, this many samples of it are.
SAMPLES = 8
SAMPLE_SIZE = 16 * 1024
# A restore into a new volume leaves ranges of zeros this size unwritten
# (the file stays sparse), as Cinder's does.
SPARSE_PIECE = 1024 * 1024


class Cancelled(Exception):
    """The backup's work was taken away (a force delete) while it ran."""


def compressor(algorithm):
    """The module compressing objects as ``algorithm`` names it (None:
    not compressed); ValueError for one Cinder does not know."""
    try:
        return _COMPRESSORS[(algorithm or 'none').lower()]
    except KeyError:
        raise ValueError('unsupported compression algorithm: %s'
                         % algorithm)


@dataclasses.dataclass(frozen=True)
class Record:
    """What the format records of a backup (Cinder's backup fields)."""
    id: str
    volume_id: str
    name: str | None
    description: str | None
    created_at: str
    parent_id: str | None
    container: str
    prefix: str

    @property
    def metadata_name(self):
        return '%s_metadata' % self.prefix

    @property
    def sha256_name(self):
        return '%s_sha256file' % self.prefix

    def object_name(self, number):
        return '%s-%05d' % (self.prefix, number)


@dataclasses.dataclass
class _Piece:
    """One object's worth of work, done in a thread."""
    offset: int
    shas: list
    # (offset, length, compression, payload, md5) of each object to write
    objects: list


class ChunkedDriver:

    def __init__(self, store, object_size, sha_block_size, algorithm,
                 threads=1, level=None):
        if object_size % sha_block_size:
            raise exception.ConfigInvalid(
                reason='[backup] backup_file_size (%d) is not a multiple '
                       'of backup_sha_block_size_bytes (%d)'
                       % (object_size, sha_block_size))
        self.store = store
        self.object_size = object_size
        self.sha_block_size = sha_block_size
        self.algorithm = (algorithm or 'none').lower()
        self._compressor = compressor(self.algorithm)
        self._level = level
        self.threads = threads
        self._zeros = {}

    # Writing ----------------------------------------------------------------

    def backup(self, record, source, parent_shas=None, volume_meta=None,
               going_on=lambda: True):
        """Writes the backup of ``source`` (a guest_data.Source) as
        ``record`` says; with ``parent_shas`` (the parent's sha256 list)
        an incremental one. ``going_on()`` is asked before each object:
        when false, Cancelled. Returns the number of data objects."""
        self.store.make_container(record.container)
        ranges = [(offset, min(self.object_size, source.size - offset))
                  for offset in range(0, source.size, self.object_size)]
        shas, objects = [], []
        with concurrent.futures.ThreadPoolExecutor(
                self.threads, thread_name_prefix='backup-object') as pool:
            pending = collections.deque()
            ranges = iter(ranges)
            for offset, length in _take(ranges, self.threads):
                pending.append(pool.submit(self._piece, source, offset,
                                           length, parent_shas))
            while pending:
                piece = pending.popleft().result()
                for offset, length in _take(ranges, 1):
                    pending.append(pool.submit(self._piece, source, offset,
                                               length, parent_shas))
                shas.extend(piece.shas)
                for offset, length, algorithm, payload, md5 in piece.objects:
                    if not going_on():
                        raise Cancelled(record.id)
                    name = record.object_name(len(objects) + 1)
                    self.store.write(record.container, name, payload)
                    objects.append({name: {'offset': offset,
                                           'length': length,
                                           'compression': algorithm,
                                           'md5': md5}})
        self._write_json(record, record.sha256_name, {
            'chunk_size': self.sha_block_size, 'sha256s': shas})
        self._write_json(record, record.metadata_name, {
            'objects': objects, 'parent_id': record.parent_id,
            'volume_meta': volume_meta})
        self.store.sync(record.container)
        return len(objects)

    def _piece(self, source, offset, length, parent_shas):
        if source.is_zero(offset, length):
            data = None
            shas = _zero_shas(length, self.sha_block_size)
        else:
            data = bytearray(length)
            source.read_into(data, offset)
            shas = _shas(data, self.sha_block_size)
        if parent_shas is None:
            runs = [(0, length)]
        else:
            first = offset // self.sha_block_size
            runs = _changed_runs(shas, parent_shas[first:first + len(shas)],
                                 self.sha_block_size, length)
        objects = []
        for start, stop in runs:
            if data is None:
                packed = self._zero_object(stop - start)
            else:
                packed = self._pack(memoryview(data)[start:stop])
            objects.append((offset + start, stop - start) + packed)
        return _Piece(offset, shas, objects)

    def _pack(self, data):
        """(compression, payload, md5) of one object's data: compressed
        when that makes it smaller (Cinder's rule), unless samples of it
        show it will not shrink."""
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        if self._compressor is not None and self._shrinks(data):
            compressed = self._compress(data)
            if len(compressed) < len(data):
                return self.algorithm, compressed, md5
        return 'none', data, md5

    def _compress(self, data):
        if self._level is None:
            return self._compressor.compress(data)
        return self._compressor.compress(data, self._level)

    def _shrinks(self, data):
        """Whether samples of ``data`` compress. Deflate finds repeats
        within 32 KiB only, so data whose samples do not shrink (already
        compressed or encrypted) will not as a whole: it is stored as it
        is without the cost of compressing it."""
        if len(data) < SAMPLES * SAMPLE_SIZE * 4:
            return True
        step = len(data) // SAMPLES
        view = memoryview(data)
        sample = b''.join(view[i * step:i * step + SAMPLE_SIZE]
                          for i in range(SAMPLES))
        return len(self._compress(sample)) < len(sample) * 0.97

    def _zero_object(self, length):
        """The (compression, payload, md5) of ``length`` zeros, made once
        per length."""
        packed = self._zeros.get(length)
        if packed is None:
            packed = self._zeros[length] = self._pack(bytes(length))
        return packed

    def _write_json(self, record, name, fields):
        body = dict(fields, version=VERSION, backup_id=record.id,
                    volume_id=record.volume_id, backup_name=record.name,
                    backup_description=record.description,
                    created_at=record.created_at)
        self.store.write(record.container, name, json.dumps(
            body, sort_keys=True, indent=2).encode('utf-8'))

    # Reading ----------------------------------------------------------------

    def read_metadata(self, record):
        return self._read_json(record, record.metadata_name)

    def read_shas(self, record):
        """The backup's sha256 list, if its blocks are this driver's size
        (else InvalidBackup: an incremental one needs a full backup)."""
        sha256file = self._read_json(record, record.sha256_name)
        if sha256file['chunk_size'] != self.sha_block_size:
            raise exception.InvalidBackup(
                reason='Hash block size has changed since the last backup. '
                       'New hash block size: %s. Old hash block size: %s. '
                       'Do a full backup.' % (self.sha_block_size,
                                              sha256file['chunk_size']))
        return sha256file['sha256s']

    def _read_json(self, record, name):
        try:
            body = json.loads(self.store.read(record.container, name))
        except (OSError, ValueError) as e:
            raise exception.BackupCorrupt(backup_id=record.id,
                                          reason='%s: %s' % (name, e))
        if body.get('version') != VERSION:
            raise exception.BackupCorrupt(
                backup_id=record.id,
                reason='no support to restore backup version %s'
                       % body.get('version'))
        return body

    def restore(self, records, fd, volume_is_new, going_on=lambda: True):
        """Writes the data of the last of ``records`` (the backups from
        the full one to it, in order) into the file ``fd``; a new
        volume's zeros are left unwritten."""
        for record in records:
            self._restore_one(record, fd, volume_is_new, going_on)
        os.fsync(fd)

    def _restore_one(self, record, fd, volume_is_new, going_on):
        metadata = self.read_metadata(record)
        sha256file = self._read_json(record, record.sha256_name)
        listed = [name for entry in metadata['objects'] for name in entry]
        stored = [name for name in self.store.list(record.container,
                                                   record.prefix)
                  if name not in (record.metadata_name,
                                  record.sha256_name)]
        if sorted(listed) != sorted(stored):
            raise exception.BackupCorrupt(
                backup_id=record.id,
                reason='its objects are not those its metadata lists')
        # The objects of one backup do not overlap: written as they come.
        with concurrent.futures.ThreadPoolExecutor(
                self.threads, thread_name_prefix='restore-object') as pool:
            pending = collections.deque()
            for entry in metadata['objects']:
                if not going_on():
                    raise Cancelled(record.id)
                (name, obj), = entry.items()
                pending.append(pool.submit(
                    self._restore_object, record, name, obj, sha256file, fd,
                    volume_is_new))
                while len(pending) > self.threads:
                    pending.popleft().result()
            while pending:
                pending.popleft().result()

    def _restore_object(self, record, name, obj, sha256file, fd,
                        volume_is_new):
        payload = self.store.read(record.container, name)
        length = obj['length']
        zero = self._zero_object(length)
        if (obj['compression'], payload) == zero[:2]:
            # What this driver writes for zeros: nothing to decompress,
            # check or (into a new volume) write.
            self._check(record, name, obj, None, sha256file)
            if not volume_is_new:
                _write(fd, obj['offset'], bytes(length), sparse=False)
            return
        data = _decompress(obj['compression'], payload, length)
        self._check(record, name, obj, data, sha256file)
        _write(fd, obj['offset'], data, sparse=volume_is_new)

    @staticmethod
    def _check(record, name, obj, data, sha256file):
        """BackupCorrupt unless ``data`` (None: zeros) is the object's
        length and, where it starts on a block, has the hashes its
        backup's sha256file records."""
        block, shas = sha256file['chunk_size'], sha256file['sha256s']
        length = obj['length'] if data is None else len(data)
        first, rest = divmod(obj['offset'], block)
        found = None
        if not rest:
            found = (_zero_shas(length, block) if data is None
                     else _shas(data, block))
        if length != obj['length'] or (
                found is not None
                and found != shas[first:first + -(-length // block)]):
            raise exception.BackupCorrupt(
                backup_id=record.id,
                reason='object %s does not hold the data its sha256file '
                       'records' % name)

    def delete(self, record):
        """Removes every object of the backup, then its container if that
        is empty."""
        for name in self.store.list(record.container, record.prefix):
            self.store.delete(record.container, name)
        self.store.remove_container(record.container)


def _decompress(algorithm, payload, length):
    module = compressor(algorithm)
    if module is None:
        return payload
    if module is zlib:
        # Sized at once: growing the buffer costs more than inflating.
        return zlib.decompress(payload, bufsize=max(length, 1))
    return module.decompress(payload)


def _take(iterator, count):
    return [item for _, item in zip(range(count), iterator)]


def _shas(data, block):
    view = memoryview(data)
    return [hashlib.sha256(view[i:i + block]).hexdigest()
            for i in range(0, len(view), block)]


@functools.lru_cache(maxsize=16)
def _zero_sha(length):
    return hashlib.sha256(bytes(length)).hexdigest()


def _zero_shas(length, block):
    full, rest = divmod(length, block)
    return [_zero_sha(block)] * full + ([_zero_sha(rest)] if rest else [])


def _changed_runs(shas, parent_shas, block, length):
    """[(start, stop)] byte ranges of the runs of blocks whose sha256
    differs from the parent's (a block the parent did not have is
    changed)."""
    runs, start = [], None
    for i, sha in enumerate(shas):
        changed = i >= len(parent_shas) or sha != parent_shas[i]
        if changed and start is None:
            start = i * block
        elif not changed and start is not None:
            runs.append((start, i * block))
            start = None
    if start is not None:
        runs.append((start, length))
    return runs


def _write(fd, offset, data, sparse):
    """Writes ``data`` (bytes) at ``offset``; ``sparse``: its pieces of
    zeros are left unwritten."""
    step = SPARSE_PIECE if sparse else max(len(data), 1)
    view = memoryview(data)
    for start in range(0, len(data), step):
        stop = min(start + step, len(data))
        if sparse and data.count(0, start, stop) == stop - start:
            continue
        piece, at = view[start:stop], offset + start
        while piece:
            n = os.pwrite(fd, piece, at)
            piece, at = piece[n:], at + n
