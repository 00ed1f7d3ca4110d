"""Cinder's chunked backup format as the posix driver writes it, and the
guest data it is written from: the objects, the sha256 blocks, the
compression, incremental diffs, restores byte for byte, corruption found,
paths refused."""

import hashlib
import json
import os
import stat
import subprocess
import zlib

import pytest

from snapvol_api import exception
from snapvol_volume import guest_data
from snapvol_volume.backup_drivers import chunked
from snapvol_volume.backup_drivers import posix
from snapvol_volume.chain import Layer

BLOCK = 32 * 1024
OBJECT = 4 * BLOCK


class MemorySource:
    """A guest_data.Source over bytes, with the ranges it calls zero."""

    def __init__(self, data, zero_ranges=()):
        self.data = bytearray(data)
        self.size = len(data)
        self.zero_ranges = list(zero_ranges)
        self.reads = []

    def is_zero(self, offset, length):
        return any(start <= offset and offset + length <= stop
                   for start, stop in self.zero_ranges)

    def read_into(self, buffer, offset):
        self.reads.append((offset, len(buffer)))
        buffer[:] = self.data[offset:offset + len(buffer)]


def record(backup_id='b1', parent_id=None, container=None):
    return chunked.Record(
        id=backup_id, volume_id='v1', name='n', description='d',
        created_at='2026-12-09 00:00:00', parent_id=parent_id,
        container=container or 'ab/cd/%s' % backup_id,
        prefix='volume_v1_20261209000000_backup_%s' % backup_id)


@pytest.fixture
def store(tmp_path):
    return posix.PosixStore(str(tmp_path / 'backups'))


def driver(store, algorithm='zlib', threads=2, level=1):
    return chunked.ChunkedDriver(store, OBJECT, BLOCK, algorithm,
                                 threads=threads, level=level)


def compressible(size, seed=0):
    line = b'line %d of a log, value %x\n'
    text = b''.join(line % (i, i * 7919 + seed) for i in range(size // 16))
    return text[:size]


def restored(drv, records, size, tmp_path, new=True):
    path = tmp_path / 'restored.raw'
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC)
    try:
        os.ftruncate(fd, size)
        drv.restore(records, fd, new)
    finally:
        os.close(fd)
    return path.read_bytes()


def test_a_full_backup_is_cinders_layout(store, tmp_path):
    data = compressible(10 * BLOCK)          # 2.5 objects
    drv = driver(store)
    rec = record()
    assert drv.backup(rec, MemorySource(data), volume_meta={'a': 1}) == 3
    container = tmp_path / 'backups' / 'ab' / 'cd' / 'b1'
    assert sorted(os.listdir(container)) == sorted(
        [rec.prefix + '-00001', rec.prefix + '-00002',
         rec.prefix + '-00003', rec.prefix + '_metadata',
         rec.prefix + '_sha256file'])
    metadata = json.loads((container / (rec.prefix + '_metadata'))
                          .read_text())
    assert set(metadata) == {'version', 'backup_id', 'volume_id',
                             'backup_name', 'backup_description',
                             'created_at', 'objects', 'parent_id',
                             'volume_meta'}
    assert (metadata['version'], metadata['backup_id'],
            metadata['volume_id'], metadata['backup_name'],
            metadata['parent_id'], metadata['volume_meta']) == (
        '1.0.0', 'b1', 'v1', 'n', None, {'a': 1})
    entries = [(name, e) for o in metadata['objects'] for name, e in
               o.items()]
    assert [(e['offset'], e['length']) for _n, e in entries] == [
        (0, OBJECT), (OBJECT, OBJECT), (2 * OBJECT, 2 * BLOCK)]
    for name, entry in entries:
        piece = data[entry['offset']:entry['offset'] + entry['length']]
        stored = (container / name).read_bytes()
        assert entry['compression'] == 'zlib'
        assert zlib.decompress(stored) == piece
        assert entry['md5'] == hashlib.md5(piece).hexdigest()
    sha256file = json.loads((container / (rec.prefix + '_sha256file'))
                            .read_text())
    assert sha256file['chunk_size'] == BLOCK
    assert sha256file['sha256s'] == [
        hashlib.sha256(data[i:i + BLOCK]).hexdigest()
        for i in range(0, len(data), BLOCK)]
    assert restored(drv, [rec], len(data), tmp_path) == data


def test_files_are_0600_in_0700_directories_whatever_the_umask(store,
                                                               tmp_path):
    old = os.umask(0)
    try:
        driver(store).backup(record(), MemorySource(compressible(OBJECT)))
    finally:
        os.umask(old)
    root = tmp_path / 'backups'
    for path, _dirs, files in os.walk(root):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o700, path
        for name in files:
            assert stat.S_IMODE(os.stat(os.path.join(
                path, name)).st_mode) == 0o600, name


@pytest.mark.parametrize('algorithm, stored', [
    ('zlib', 'zlib'), ('gzip', 'gzip'), ('bz2', 'bz2'), ('none', 'none')])
def test_compression_and_what_does_not_shrink(store, tmp_path, algorithm,
                                              stored):
    noise = os.urandom(OBJECT)
    data = compressible(OBJECT) + noise
    drv = driver(store, algorithm)
    drv.backup(record(), MemorySource(data))
    metadata = drv.read_metadata(record())
    compressions = [e['compression'] for o in metadata['objects']
                    for e in o.values()]
    # Random bytes never shrink: stored as they are, as Cinder does.
    assert compressions == [stored, 'none']
    container = tmp_path / 'backups' / 'ab' / 'cd' / 'b1'
    assert (container / (record().prefix + '-00002')).read_bytes() == noise
    assert restored(drv, [record()], len(data), tmp_path) == data


def test_zeros_are_neither_read_nor_written_back(store, tmp_path):
    size = 6 * OBJECT
    data = bytearray(size)
    data[OBJECT + 5:OBJECT + 9] = b'data'
    source = MemorySource(data, zero_ranges=[(0, OBJECT),
                                             (2 * OBJECT, size)])
    drv = driver(store)
    assert drv.backup(record(), source) == 6
    # Only the object with data was read.
    assert source.reads == [(OBJECT, OBJECT)]
    shas = drv.read_shas(record())
    assert shas[0] == hashlib.sha256(bytes(BLOCK)).hexdigest()
    path = tmp_path / 'restored.raw'
    assert restored(drv, [record()], size, tmp_path) == data
    # Restored into a new volume: its zeros are holes.
    assert os.stat(path).st_blocks * 512 < size // 2


def test_an_incremental_backup_holds_the_changed_blocks_only(store,
                                                             tmp_path):
    size = 3 * OBJECT
    old = compressible(size)
    drv = driver(store)
    full = record('full')
    drv.backup(full, MemorySource(old))
    new = bytearray(old)
    new[5 * BLOCK + 7] ^= 0xff                       # block 5
    new[7 * BLOCK:9 * BLOCK] = os.urandom(2 * BLOCK)  # blocks 7, 8: across
    incremental = record('incr', parent_id='full')    # objects 1 and 2
    count = drv.backup(incremental, MemorySource(new),
                       parent_shas=drv.read_shas(full))
    entries = [e for o in drv.read_metadata(incremental)['objects']
               for e in o.values()]
    assert [(e['offset'], e['length']) for e in entries] == [
        (5 * BLOCK, BLOCK), (7 * BLOCK, BLOCK), (8 * BLOCK, BLOCK)]
    assert count == 3
    assert drv.read_metadata(incremental)['parent_id'] == 'full'
    # The full backup, then the incremental one, onto any volume.
    assert restored(drv, [full, incremental], size, tmp_path) == new
    assert restored(drv, [full, incremental], size, tmp_path,
                    new=False) == new
    # Nothing changed: nothing written.
    again = record('again', parent_id='incr')
    assert drv.backup(again, MemorySource(new),
                      parent_shas=drv.read_shas(incremental)) == 0
    assert restored(drv, [full, incremental, again], size,
                    tmp_path) == new


def test_a_changed_hash_block_size_needs_a_full_backup(store):
    driver(store).backup(record(), MemorySource(compressible(OBJECT)))
    other = chunked.ChunkedDriver(store, OBJECT, BLOCK // 2, 'zlib')
    with pytest.raises(exception.InvalidBackup, match='Do a full backup'):
        other.read_shas(record())
    with pytest.raises(exception.ConfigInvalid):
        chunked.ChunkedDriver(store, OBJECT + 1, BLOCK, 'zlib')


def test_a_restore_finds_changed_or_missing_objects(store, tmp_path):
    data = compressible(2 * OBJECT)
    drv = driver(store, 'none')
    rec = record()
    drv.backup(rec, MemorySource(data))
    container = tmp_path / 'backups' / 'ab' / 'cd' / 'b1'
    first = container / (rec.prefix + '-00001')
    first.write_bytes(b'X' + first.read_bytes()[1:])
    with pytest.raises(exception.BackupCorrupt, match='does not hold'):
        restored(drv, [rec], len(data), tmp_path)
    first.unlink()
    with pytest.raises(exception.BackupCorrupt, match='objects are not'):
        restored(drv, [rec], len(data), tmp_path)
    (container / (rec.prefix + '_metadata')).write_text('{"version": "9"}')
    with pytest.raises(exception.BackupCorrupt, match='version 9'):
        restored(drv, [rec], len(data), tmp_path)


def test_a_cancelled_backup_stops_and_its_delete_removes_everything(
        store, tmp_path):
    drv = driver(store)
    asked = []

    def going_on():
        asked.append(1)
        return len(asked) < 2
    with pytest.raises(chunked.Cancelled):
        drv.backup(record(), MemorySource(compressible(3 * OBJECT)),
                   going_on=going_on)
    drv.delete(record())
    assert os.listdir(tmp_path / 'backups') == []


@pytest.mark.parametrize('container', [
    '../x', '/etc', 'a/../b', 'a//b', '.hidden', 'a/./b', '', 'x' * 300,
    '/'.join('a' * 9)])
def test_containers_are_relative_paths_of_names(store, container):
    with pytest.raises(exception.InvalidInput, match='container'):
        posix.check_container(container)
    with pytest.raises(exception.InvalidInput):
        store.make_container(container)


def test_a_container_may_be_a_path_of_names(store, tmp_path):
    assert posix.check_container('nightly/vol-1') == 'nightly/vol-1'
    drv = driver(store)
    drv.backup(record(container='nightly/vol-1'),
               MemorySource(compressible(OBJECT)))
    assert (tmp_path / 'backups' / 'nightly' / 'vol-1').is_dir()


# The guest data of a real chain ---------------------------------------------

class Chain:
    """What guest_data needs of a VolumeChain."""

    volume_id = 'v1'

    def __init__(self, directory):
        self.directory = directory

    def path(self, name):
        return os.path.join(self.directory, name)


def qemu(*args):
    subprocess.run(('qemu-img',) + args, check=True, capture_output=True)


def qemu_io(path, fmt, command):
    subprocess.run(['qemu-io', '-f', fmt, '-c', command, path], check=True,
                   capture_output=True)


def read_all(source):
    buffer = bytearray(source.size)
    source.read_into(buffer, 0)
    return bytes(buffer)


def converted(path, fmt, tmp_path):
    raw = tmp_path / 'expected.raw'
    qemu('convert', '-f', fmt, '-O', 'raw', path, str(raw))
    return raw.read_bytes()


@pytest.mark.parametrize('compressed_base', [False, True])
def test_a_chain_is_read_as_its_guest_sees_it(tmp_path, compressed_base):
    chain = Chain(str(tmp_path))
    base = chain.path('base')
    qemu('create', '-q', '-f', 'raw', base, '8M')
    qemu_io(base, 'raw', 'write -P 0x11 0 1M')
    qemu_io(base, 'raw', 'write -P 0x12 6M 64k')
    base_fmt = 'raw'
    if compressed_base:
        # Compressed clusters have no offset: read through a conversion.
        qemu('convert', '-c', '-f', 'raw', '-O', 'qcow2', base,
             chain.path('cbase'))
        base, base_fmt = chain.path('cbase'), 'qcow2'
    middle, top = chain.path('middle'), chain.path('top')
    qemu('create', '-q', '-f', 'qcow2', '-b', os.path.basename(base), '-F',
         base_fmt, middle, '8M')
    qemu_io(middle, 'qcow2', 'write -P 0x21 512k 1M')
    qemu_io(middle, 'qcow2', 'write -z 6M 32k')
    qemu('create', '-q', '-f', 'qcow2', '-b', 'middle', '-F', 'qcow2', top,
         '12M')
    qemu_io(top, 'qcow2', 'write -P 0x31 7M 4k')
    layers = [chunked_layer('top', 'qcow2'), chunked_layer('middle',
                                                           'qcow2'),
              chunked_layer(os.path.basename(base), base_fmt)]
    scratch = str(tmp_path / 'scratch')
    with guest_data.Source.open(chain, layers, scratch) as source:
        assert source.size == 12 * 1024 * 1024
        assert read_all(source) == converted(top, 'qcow2', tmp_path)
        assert source.is_zero(9 * 1024 * 1024, 1024 * 1024)
        assert not source.is_zero(0, 4096)
        # A point in time below: the middle file's chain.
    with guest_data.Source.open(chain, layers[1:], scratch) as source:
        assert read_all(source) == converted(middle, 'qcow2', tmp_path)
    # The conversion's scratch file is gone with the source.
    assert not os.path.exists(scratch) or os.listdir(scratch) == []


def chunked_layer(name, fmt):
    return Layer(name, fmt, None)
