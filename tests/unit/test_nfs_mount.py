"""runtime.nfs.Mount without a server: locations, client choice, commands
and stale detection."""

import errno
import os
import subprocess

import pytest

from snapvol_api import exception
from snapvol_api.runtime import nfs


@pytest.mark.parametrize('location', ['h:/e', 'nfs1.example.org:/export/vols',
                                      '10.0.0.1:/', '[fd00::1]:/x'])
def test_valid_locations(location):
    assert nfs.check_location(location) is None


@pytest.mark.parametrize('location', ['', 'h', 'h:e', ':/e', 'h:/a/../b',
                                      'h:/e x', '-h:/e'])
def test_invalid_locations(location):
    assert nfs.check_location(location)


def test_auto_uses_kernel_when_it_can(monkeypatch):
    monkeypatch.setattr(nfs, 'kernel_can_mount', lambda: (True, 'yes'))
    assert nfs.resolve_client('auto') == ('kernel', 'yes')
    monkeypatch.setattr(nfs, 'kernel_can_mount', lambda: (False, 'no'))
    assert nfs.resolve_client('auto') == ('fuse', 'no')
    assert nfs.resolve_client('kernel')[0] == 'kernel'
    with pytest.raises(exception.InvalidInput):
        nfs.resolve_client('libnfs')


def test_commands_and_shared_path(tmp_path):
    m = nfs.Mount('h:/e', str(tmp_path), options='vers=3', client='kernel')
    assert m.name == 'nfs:h:/e'
    assert m.kernel_command() == ['mount', '-t', 'nfs', '-o', 'vers=3',
                                  'h:/e', m.path]
    f = nfs.Mount('h:/e', str(tmp_path), client='fuse')
    assert f.path == m.path
    cmd = f.fuse_command()
    assert cmd[-6:] == ['h:/e', m.path, '--pid-file', m.pid_file,
                        '--log-file', m.log_file]


def test_stale_when_statvfs_fails_or_client_gone(tmp_path, monkeypatch):
    m = nfs.Mount('h:/e', str(tmp_path), client='fuse')

    def enotconn(path):
        raise OSError(errno.ENOTCONN, 'Transport endpoint is not connected')

    monkeypatch.setattr(nfs.os, 'statvfs', enotconn)
    assert 'not connected' in m._stale_reason()
    monkeypatch.setattr(nfs.os, 'statvfs', lambda path: None)
    assert m._stale_reason() is None
    with open(m.pid_file, 'w') as f:
        f.write('999999999\n')
    assert 'gone' in m._stale_reason()


def test_something_else_mounted_is_refused(tmp_path, monkeypatch):
    m = nfs.Mount('h:/e', str(tmp_path), client='fuse')
    monkeypatch.setattr(m, '_mounted_source', lambda: ('other:/x', 'nfs'))
    with pytest.raises(exception.ShareUnavailable):
        m.ensure_mounted()


def test_unmount_waits_for_a_client_that_removes_its_pid_file(
        tmp_path, monkeypatch):
    m = nfs.Mount('h:/e', str(tmp_path), client='fuse')
    # Stands for the client: its cmdline names the mount point, and it
    # exits a little after the unmount, which removes its pid file first.
    client = subprocess.Popen(['sh', '-c', 'echo up; read x; sleep 0.3',
                               m.path],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    # Popen returns before exec has set the new cmdline (it reads empty for
    # a moment on a loaded host); a line from the shell shows it is set.
    assert client.stdout.readline() == b'up\n'
    with open(m.pid_file, 'w') as f:
        f.write('%d\n' % client.pid)
    monkeypatch.setattr(m, '_mounted_source',
                        lambda: ('h:/e', nfs.FUSE_FSTYPE))

    def umount(*cmd, **kwargs):
        os.unlink(m.pid_file)
        client.stdin.close()

    monkeypatch.setattr(nfs.processutils, 'execute', umount)
    m.unmount()
    assert client.poll() is not None
    client.stdout.close()
