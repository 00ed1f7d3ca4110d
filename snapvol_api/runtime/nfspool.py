"""The user-space NFS client's connections (snapvol_api.runtime.nfsfuse):
a pool of nfs-rs clients, each lent to one caller at a time, that
reconnects after connection failures and asks again until
``retry_timeout`` runs out, and the mapping of NFS errors to errnos."""

import contextlib
import errno
import logging
import queue
import threading
import time

import mfusepy
import nfs_rs

LOG = logging.getLogger(__name__)

# Failures of the connection rather than answers of the server.
_TRANSIENT = (nfs_rs.NfsConnectionError, nfs_rs.NfsTimeoutError,
              nfs_rs.NfsRpcError, nfs_rs.NfsRetryableError,
              nfs_rs.NfsClientClosedError, ConnectionError, TimeoutError,
              BrokenPipeError)
_ERRNOS = (
    (nfs_rs.NfsNotFoundError, errno.ENOENT),
    (nfs_rs.NfsAlreadyExistsError, errno.EEXIST),
    (nfs_rs.NfsPermissionError, errno.EACCES),
    (nfs_rs.NfsIsADirectoryError, errno.EISDIR),
    (nfs_rs.NfsNotADirectoryError, errno.ENOTDIR),
    (nfs_rs.NfsUnsupportedError, errno.EOPNOTSUPP),
    (nfs_rs.NfsInvalidInputError, errno.EINVAL),
)
def parse_location(location):
    """HOST:/EXPORT -> nfs-rs URL."""
    host, sep, export = location.rpartition(':')
    if not sep or not host or not export.startswith('/'):
        raise ValueError('expected HOST:/EXPORT, not %r' % location)
    return 'nfs://%s%s' % (host, export.rstrip('/') or '/')


def to_oserror(exc):
    """An OSError with an errno FUSE can return."""
    code = getattr(exc, 'errno', None)
    if not isinstance(code, int) or code <= 0:
        code = next((c for cls, c in _ERRNOS if isinstance(exc, cls)),
                    errno.EIO)
    return mfusepy.FuseOSError(code)


class Pool:
    """nfs-rs connections, each lent to one thread at a time."""

    def __init__(self, url, size=4, retry_timeout=300.0,
                 operation_timeout=30.0):
        self.url = url
        self.retry_timeout = retry_timeout
        self.operation_timeout = operation_timeout
        # (client, the generation it was connected in); None: connected
        # on first use.
        self._idle = queue.LifoQueue()
        for _ in range(size):
            self._idle.put((None, 0))
        self._lock = threading.Lock()
        self.generation = 0          # bumped at each reconnect
        self._failed_in = 0          # the generation of the last failure
        self._down_since = None

    def connect(self):
        return nfs_rs.Client.connect(
            self.url, versions=['3'], connect_timeout=10,
            operation_timeout=self.operation_timeout)

    def call(self, fn, *args, replay_ok=None, **kwargs):
        """fn(client, *args) on a pooled client, asked again on a new
        connection after connection failures until retry_timeout.

        A request whose reply was lost may have been done: when asked
        again, the error ``replay_ok`` (ENOENT of an unlink) means done."""
        deadline = time.monotonic() + self.retry_timeout
        delay = 0.05
        replayed = False
        while True:
            client, born = self._idle.get()
            try:
                if client is not None and born < self._failed_in:
                    # Idle while another connection failed (a server
                    # restart): nfs-rs would stall ~5 s on it before
                    # reconnecting by itself.
                    self._drop(client)
                    client = None
                if client is None:
                    client, born = self.connect(), self.generation
                result = fn(client, *args, **kwargs)
                self._note_up()
                return result
            except Exception as e:
                if not is_transient(e):
                    err = to_oserror(e)
                    if replayed and err.errno == replay_ok:
                        self._note_up()
                        return None
                    raise err from e
                self._note_down(e)
                # Its state (and every File opened on it) is gone with the
                # server it spoke to; the next attempt connects again.
                self._drop(client)
                self._failed_in = self.generation
                client = None
                replayed = True
                if time.monotonic() > deadline:
                    LOG.error('NFS server %s unreachable for %.0f s: %s',
                              self.url, self.retry_timeout, e)
                    raise mfusepy.FuseOSError(errno.EIO) from e
            finally:
                self._idle.put((client, born))
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def _drop(self, client):
        if client is None:
            return
        with self._lock:
            self.generation += 1
        threading.Thread(target=_quiet_close, args=(client,),
                         daemon=True).start()

    def _note_down(self, exc):
        with self._lock:
            if self._down_since is None:
                self._down_since = time.monotonic()
                LOG.warning('NFS server %s not answering (%s: %s); '
                            'retrying', self.url, type(exc).__name__, exc)

    def _note_up(self):
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is not None:
                LOG.warning('NFS server %s answers again after %.1f s',
                            self.url, time.monotonic() - self._down_since)
                self._down_since = None

    def close(self):
        threads = []
        while not self._idle.empty():
            client, _ = self._idle.get_nowait()
            if client is not None:
                threads.append(threading.Thread(
                    target=_quiet_close, args=(client,), daemon=True))
                threads[-1].start()
        # NFSv3 servers keep no client state: a close that hangs on a dead
        # connection must not hold up the exit.
        deadline = time.monotonic() + 1
        for t in threads:
            t.join(max(0, deadline - time.monotonic()))


def _quiet_close(closable):
    with contextlib.suppress(Exception):
        closable.close()


def is_transient(exc):
    """Whether exc is the connection's failure, not the server's answer."""
    if isinstance(exc, _TRANSIENT):
        return True
    if not isinstance(exc, nfs_rs.NfsError):
        return False
    if isinstance(exc, (nfs_rs.NfsUncertainOutcomeError,
                        nfs_rs.NfsClosedResourceError,
                        nfs_rs.NfsStateLostError,
                        nfs_rs.NfsPositionUncertainError)):
        return True
    if getattr(exc, 'code_name', None) in ('NFS3ERR_JUKEBOX',
                                           'NFS4ERR_DELAY'):
        return True
    return (getattr(exc, 'errno', None) is None
            and getattr(exc, 'code_name', None) is None
            and getattr(exc, 'recovery_action', None) in (
                nfs_rs.RecoveryAction.RETRY, nfs_rs.RecoveryAction.REOPEN,
                nfs_rs.RecoveryAction.REMOUNT))
