"""Mounts of NFS exports, shared by the volume service (its shares) and the
compute service (volumes QEMU opens as files). Both name a mount directory
after the export, so on one host they share a mount.

Two clients: the kernel's (``mount -t nfs``, what production hosts use, as
Cinder and Nova do) and snapvol-nfs-fuse (snapvol_api.runtime.nfsfuse), a
user-space NFSv3 client for hosts whose kernel cannot mount NFS."""

import errno
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

from oslo_concurrency import processutils
from oslo_log import log as logging
import tenacity

from snapvol_api import exception

LOG = logging.getLogger(__name__)

_LOCATION = re.compile(
    r'^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])'
    r':(/(?:[A-Za-z0-9_.-]+/?)*)$')
CLIENTS = ('auto', 'kernel', 'fuse')
KERNEL_FSTYPES = ('nfs', 'nfs4')
FUSE_FSTYPE = 'fuse.snapvol-nfs'
FUSE_COMMAND = 'snapvol-nfs-fuse'
# How long a started FUSE client may take to show up and answer.
FUSE_START_TIMEOUT = 30
FUSE_STOP_TIMEOUT = 15
_STALE_ERRNOS = (errno.ENOTCONN, errno.ESTALE, errno.EIO)


def check_location(location):
    """None when ``location`` is HOST:/EXPORT, else the reason."""
    match = _LOCATION.match(location or '')
    if not match or '..' in match.group(1).split('/'):
        return 'an nfs share is HOST:/EXPORT, not %r' % location
    return None


def kernel_can_mount():
    """(True or False, why): whether this host's kernel mounts NFS."""
    try:
        with open('/proc/filesystems', encoding='utf-8') as f:
            if any(line.split()[-1:] == ['nfs'] for line in f):
                return True, "'nfs' is in /proc/filesystems"
    except OSError:
        pass
    if not shutil.which('mount.nfs', path=_sbin_path()):
        return False, "no 'nfs' in /proc/filesystems and no mount.nfs"
    modprobe = shutil.which('modprobe', path=_sbin_path())
    if modprobe and subprocess.run(
            [modprobe, '-n', 'nfs'], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, check=False).returncode == 0:
        return True, 'mount.nfs is installed and the nfs module loads'
    return False, "no 'nfs' in /proc/filesystems and modprobe -n nfs fails"


def _sbin_path():
    return os.pathsep.join([os.environ.get('PATH', ''), '/usr/sbin', '/sbin'])


def resolve_client(client):
    """(client, why) for ``client``: 'auto', 'kernel' or 'fuse'."""
    if client not in CLIENTS:
        raise exception.InvalidInput(
            reason='nfs client must be one of %s, not %r'
                   % (', '.join(CLIENTS), client))
    if client != 'auto':
        return client, 'configured'
    can, why = kernel_can_mount()
    return ('kernel' if can else 'fuse'), why


def fuse_command():
    """argv prefix that runs the FUSE client."""
    here = os.path.join(os.path.dirname(sys.executable), FUSE_COMMAND)
    if os.access(here, os.X_OK):
        return [here]
    found = shutil.which(FUSE_COMMAND)
    if found:
        return [found]
    return [sys.executable, '-m', 'snapvol_api.cmd.nfs_fuse']


def _proc_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        # A zombie has exited: it serves nothing.
        with open('/proc/%d/stat' % pid, encoding='utf-8') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except (OSError, IndexError):
        return False


class Mount:

    def __init__(self, location, mount_point_base, options=None,
                 client='auto'):
        reason = check_location(location)
        if reason:
            raise exception.InvalidInput(reason=reason)
        self.location = location
        # Same rule as glusterfs.Mount: a stable name free of odd characters.
        digest = hashlib.sha256(location.encode()).hexdigest()[:32]
        self.path = os.path.join(mount_point_base, digest)
        # The FUSE client's pid and log sit beside the mount point, so any
        # process (a restarted service) finds the client another started.
        self.pid_file = self.path + '.pid'
        self.log_file = self.path + '.log'
        self.options = options or None
        self.client, why = resolve_client(client)
        LOG.info('NFS share %s uses the %s client (%s)',
                 self.name, self.client, why)

    @property
    def name(self):
        return 'nfs:%s' % self.location

    @property
    def fstypes(self):
        return KERNEL_FSTYPES if self.client == 'kernel' else (FUSE_FSTYPE,)

    def _mounted_source(self):
        """What is mounted at path now (None if nothing)."""
        with open('/proc/mounts', encoding='utf-8') as f:
            for line in f:
                source, target, fstype = line.split()[:3]
                if target == self.path:
                    return source, fstype
        return None

    def _is_ours(self, mounted):
        return (mounted is not None and mounted[0] == self.location
                and mounted[1] in self.fstypes)

    def _fuse_pid(self):
        try:
            with open(self.pid_file, encoding='utf-8') as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def _fuse_alive(self, pid):
        """Whether pid is a live FUSE client of this mount point (not a
        process that got a dead client's pid)."""
        if not _proc_alive(pid):
            return False
        try:
            with open('/proc/%d/cmdline' % pid, 'rb') as f:
                return self.path.encode() in f.read().split(b'\0')
        except OSError:
            return False

    def _stale_reason(self):
        """None when the mount answers, else why it is stale."""
        if self.client == 'fuse':
            pid = self._fuse_pid()
            if pid is not None and not self._fuse_alive(pid):
                return 'its FUSE client (pid %d) is gone' % pid
        try:
            os.statvfs(self.path)
        except OSError as e:
            if e.errno in _STALE_ERRNOS:
                return str(e)
            raise
        return None

    def ensure_mounted(self):
        """Mounts the export unless it is mounted and answers; safe to call
        again, and from other processes."""
        mounted = self._mounted_source()
        if self._is_ours(mounted):
            reason = self._stale_reason()
            if reason is None:
                return
            LOG.warning('Mount of %s at %s is stale (%s); remounting',
                        self.name, self.path, reason)
            pid = self._live_fuse_pid()
            processutils.execute('umount', '-l', self.path,
                                 check_exit_code=False)
            self._stop_fuse(pid)
        elif mounted is not None:
            raise exception.ShareUnavailable(
                share=self.name,
                reason='%s already has %s (%s) mounted on it'
                       % (self.path, mounted[0], mounted[1]))
        os.makedirs(self.path, exist_ok=True)
        self._mount()
        LOG.info('Mounted %s at %s with the %s client',
                 self.name, self.path, self.client)

    @tenacity.retry(stop=tenacity.stop_after_attempt(3),
                    wait=tenacity.wait_fixed(2), reraise=True,
                    retry=tenacity.retry_if_exception_type(
                        exception.ShareUnavailable))
    def _mount(self):
        if self._is_ours(self._mounted_source()):
            return      # another process won the race
        if self.client == 'kernel':
            self._mount_kernel()
        else:
            self._mount_fuse()

    def kernel_command(self):
        return (['mount', '-t', 'nfs']
                + (['-o', self.options] if self.options else [])
                + [self.location, self.path])

    def fuse_command(self):
        return (fuse_command()
                + [self.location, self.path, '--pid-file', self.pid_file,
                   '--log-file', self.log_file]
                + (['-o', self.options] if self.options else []))

    def _mount_kernel(self):
        try:
            processutils.execute(*self.kernel_command())
        except processutils.ProcessExecutionError as e:
            raise exception.ShareUnavailable(
                share=self.name, reason=(e.stderr or str(e)).strip())

    def _mount_fuse(self):
        # Its own session: the client outlives the service that started it
        # (a restarted service reuses the mount) and none of our signals.
        proc = subprocess.Popen(
            self.fuse_command(), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True, close_fds=True)
        deadline = time.monotonic() + FUSE_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors='replace').strip()
                raise exception.ShareUnavailable(
                    share=self.name,
                    reason='%s exited %s: %s (log: %s)'
                           % (FUSE_COMMAND, proc.returncode,
                              err[-2000:] or 'no output', self.log_file))
            if (self._is_ours(self._mounted_source())
                    and self._stale_reason() is None):
                break
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise exception.ShareUnavailable(
                    share=self.name,
                    reason='%s did not mount within %d s (log: %s)'
                           % (FUSE_COMMAND, FUSE_START_TIMEOUT,
                              self.log_file))
            time.sleep(0.1)
        proc.stderr.close()
        # Reap it when it exits, so that no zombie stands for a live client.
        threading.Thread(target=proc.wait, daemon=True,
                         name='nfs-fuse-reaper').start()

    def unmount(self):
        """Unmounts the export (lazily if busy) and stops its FUSE client."""
        pid = self._live_fuse_pid()
        if self._is_ours(self._mounted_source()):
            try:
                processutils.execute('umount', self.path)
            except processutils.ProcessExecutionError as e:
                LOG.warning('umount %s failed (%s); unmounting lazily',
                            self.path, (e.stderr or str(e)).strip())
                processutils.execute('umount', '-l', self.path,
                                     check_exit_code=False)
            LOG.info('Unmounted %s from %s', self.name, self.path)
        self._stop_fuse(pid)

    def _live_fuse_pid(self):
        """The pid of this mount's running FUSE client, or None. Read before
        unmounting: as the client exits it removes its pid file, and its
        cmdline reads empty before the process is gone."""
        pid = self._fuse_pid()
        return pid if pid is not None and self._fuse_alive(pid) else None

    def _stop_fuse(self, pid):
        """Waits for the FUSE client ``pid`` (from _live_fuse_pid) to exit,
        as it does when unmounted, ends it if it does not, and removes its
        pid file."""
        deadline = time.monotonic() + FUSE_STOP_TIMEOUT
        sig = signal.SIGTERM
        while pid is not None and _proc_alive(pid):
            if time.monotonic() > deadline:
                if sig == signal.SIGKILL:
                    break
                LOG.warning('%s (pid %d) did not exit; sending %s',
                            FUSE_COMMAND, pid, sig.name)
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    break
                sig = signal.SIGKILL
                deadline = time.monotonic() + 5
            time.sleep(0.05)
        try:
            os.unlink(self.pid_file)
        except FileNotFoundError:
            pass
