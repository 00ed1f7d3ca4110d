"""The user-space NFS client (snapvol-nfs-fuse) against the test bed's
nfs-ganesha, through runtime.nfs.Mount as the services use it: a qcow2
chain with relative backing names, concurrent I/O, permissions, a server
restart under a writer, unmount and stale remounts."""

import hashlib
import json
import os
from pathlib import Path
import signal
import subprocess
import threading
import time
import uuid

import pytest

from snapvol_api.runtime import nfs
from tests.imagedata import MiB
from tests.imagedata import create_image
from tests.imagedata import has_pattern
from tests.imagedata import image_chain
from tests.imagedata import write_pattern

from . import harness


@pytest.fixture(scope='module')
def mount_base():
    base = harness.new_mount_dir('nfs-client')
    yield base
    harness.remove_mount_dir(base)


@pytest.fixture(scope='module')
def mount(nfs_share, mount_base):
    m = nfs.Mount(nfs_share.split(':', 1)[1], str(mount_base),
                  client='fuse')
    m.ensure_mounted()
    yield m
    m.unmount()


@pytest.fixture
def workdir(mount):
    path = Path(mount.path) / f'test-{uuid.uuid4().hex[:12]}'
    path.mkdir()
    yield path
    for child in path.iterdir():
        child.unlink()
    path.rmdir()


def _fuse_pid(m):
    return int(Path(m.pid_file).read_text())


def test_qcow2_chain_with_relative_backing_names(workdir):
    base = create_image(workdir / 'volume-a', 'qcow2', 16 * MiB)
    write_pattern(base, 'qcow2', 0x11, 0, 1 * MiB)
    # Relative backing names, resolved against the overlay's directory,
    # as the volume service writes them.
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b',
                    'volume-a', '-F', 'qcow2', workdir / 'volume-a.s1'],
                   check=True)
    write_pattern(workdir / 'volume-a.s1', 'qcow2', 0x22, 1 * MiB, 1 * MiB)
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b',
                    'volume-a.s1', '-F', 'qcow2', workdir / 'volume-a.s2'],
                   check=True)
    write_pattern(workdir / 'volume-a.s2', 'qcow2', 0x33, 2 * MiB, 1 * MiB)
    top = workdir / 'volume-a.s2'
    assert [Path(i['filename']).name for i in image_chain(top, 'qcow2')] \
        == ['volume-a.s2', 'volume-a.s1', 'volume-a']

    # Delete s1's snapshot: commit s2 into s1 ... then pull: rebase s2 onto
    # the base, copying s1's data into s2 (a safe, flattening rebase).
    subprocess.run(['qemu-img', 'commit', '-q', '-f', 'qcow2', '-d', top],
                   check=True)
    assert has_pattern(workdir / 'volume-a.s1', 'qcow2', 0x33, 2 * MiB,
                       1 * MiB)
    subprocess.run(['qemu-img', 'rebase', '-q', '-f', 'qcow2', '-b',
                    'volume-a', '-F', 'qcow2', top], check=True)
    info = json.loads(subprocess.run(
        ['qemu-img', 'info', '--output=json', '-f', 'qcow2', top],
        check=True, capture_output=True, text=True).stdout)
    assert info['backing-filename'] == 'volume-a'
    os.unlink(workdir / 'volume-a.s1')
    for pattern, offset in ((0x11, 0), (0x22, 1 * MiB), (0x33, 2 * MiB)):
        assert has_pattern(top, 'qcow2', pattern, offset, 1 * MiB)

    # The services' atomic .info write: temp, fsync, rename over, dir fsync.
    info_file = workdir / 'volume-a.info'
    for n in range(2):
        tmp = workdir / 'volume-a.info.tmp'
        with open(tmp, 'w') as f:
            json.dump({'active': f'volume-a.s{n}'}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, info_file)
        dfd = os.open(workdir, os.O_RDONLY)
        os.fsync(dfd)
        os.close(dfd)
    assert json.loads(info_file.read_text()) == {'active': 'volume-a.s1'}
    assert sorted(os.listdir(workdir)) == ['volume-a', 'volume-a.info',
                                           'volume-a.s2']
    os.truncate(info_file, 3)
    assert info_file.stat().st_size == 3
    st = os.statvfs(workdir)
    assert st.f_blocks > 0 and 0 < st.f_bavail <= st.f_blocks


def test_concurrent_writers_and_readers(workdir):
    chunk = 256 * 1024
    shared = workdir / 'shared'
    shared.write_bytes(b'')
    errors = []

    def writer(n):
        try:
            data = hashlib.sha256(b'%d' % n).digest() * (chunk // 32)
            own = workdir / f'file{n}'
            with open(own, 'wb') as f:
                for _ in range(8):
                    f.write(data)
                f.flush()
                os.fsync(f.fileno())
            # Disjoint regions of one file, as QEMU's threads write.
            fd = os.open(shared, os.O_WRONLY)
            for i in range(4):
                os.pwrite(fd, data, (i * 4 + n) * chunk)
            os.fsync(fd)
            os.close(fd)
            for _ in range(3):
                assert own.read_bytes() == data * 8
        except Exception as e:   # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    blob = shared.read_bytes()
    assert len(blob) == 16 * chunk
    for i in range(4):
        for n in range(4):
            off = (i * 4 + n) * chunk
            assert blob[off:off + 32] == hashlib.sha256(b'%d' % n).digest()


def test_mode_and_owner_are_enforced(workdir):
    os.chmod(workdir, 0o755)
    secret = workdir / 'secret'
    fd = os.open(secret, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o640)
    os.write(fd, b'private')
    os.close(fd)
    # nfs-rs creates files 0666: the client must apply the requested mode.
    assert secret.stat().st_mode & 0o777 == 0o640
    public = workdir / 'public'
    public.write_text('hello')
    public.chmod(0o644)

    def as_nobody(*cmd):
        return subprocess.run(['setpriv', '--reuid=nobody', '--regid=nogroup',
                               '--clear-groups', *cmd],
                              capture_output=True, text=True, check=False)

    denied = as_nobody('cat', str(secret))
    assert denied.returncode != 0 and 'Permission denied' in denied.stderr
    assert as_nobody('cat', str(public)).stdout == 'hello'
    assert as_nobody('touch', str(workdir / 'intruder')).returncode != 0
    # chown gives it to libvirt-qemu's uid, as [volume] file_owner does.
    os.chown(secret, 64055, 64055)
    st = secret.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (64055, 64055,
                                                          0o640)
    os.chown(secret, -1, 0)
    assert (secret.stat().st_uid, secret.stat().st_gid) == (64055, 0)


def test_server_restart_under_an_open_writer(nfs_share, workdir):
    if not harness.ganesha_restartable(nfs_share):
        pytest.skip('the NFS server is not the test bed\'s ganesha')
    chunk = 256 * 1024
    path = workdir / 'busy'
    written = threading.Event()
    errors = []

    def writer():
        try:
            with open(path, 'r+b' if path.exists() else 'w+b') as f:
                for i in range(64):
                    f.seek(i * chunk)
                    f.write(bytes([i]) * chunk)
                    f.flush()
                    os.fsync(f.fileno())
                    if i == 8:
                        written.set()
                    time.sleep(0.05)
        except Exception as e:
            errors.append(e)
            written.set()

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert written.wait(60)
        harness.restart_ganesha()
    finally:
        t.join(180)
    assert not t.is_alive() and not errors, errors
    data = path.read_bytes()
    assert len(data) == 64 * chunk
    for i in range(64):
        assert data[i * chunk:(i + 1) * chunk] == bytes([i]) * chunk, i


def test_unmount_stops_the_client(nfs_share):
    base = harness.new_mount_dir('nfs-unmount')
    try:
        m = nfs.Mount(nfs_share.split(':', 1)[1], str(base), client='fuse')
        m.ensure_mounted()
        pid = _fuse_pid(m)
        assert harness.running(pid)
        assert m.name == nfs_share and m.client == 'fuse'
        m.unmount()
        assert harness.mounts_under(base) == []
        assert not harness.running(pid)
        assert not Path(m.pid_file).exists()
    finally:
        harness.remove_mount_dir(base)


def test_ensure_mounted_reuses_and_remounts_stale(nfs_share):
    base = harness.new_mount_dir('nfs-stale')
    location = nfs_share.split(':', 1)[1]
    try:
        m = nfs.Mount(location, str(base), client='fuse')
        m.ensure_mounted()
        pid = _fuse_pid(m)
        probe = Path(m.path) / f'probe-{uuid.uuid4().hex}'
        probe.write_text('still here')
        # Another process's Mount (the compute service) reuses it.
        other = nfs.Mount(location, str(base), client='fuse')
        assert other.path == m.path
        other.ensure_mounted()
        assert _fuse_pid(other) == pid
        # The client dies: the mount is stale, and is mounted again.
        os.kill(pid, signal.SIGKILL)
        harness.wait_for(lambda: not harness.running(pid), 10,
                         what='client to die')
        other.ensure_mounted()
        assert _fuse_pid(other) != pid
        assert probe.read_text() == 'still here'
        probe.unlink()
        assert len(harness.mounts_under(base)) == 1
        other.unmount()
    finally:
        harness.remove_mount_dir(base)
