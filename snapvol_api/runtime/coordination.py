"""Named locks that hold across the hosts of a cluster (tooz, on the
[coordination] backend), or in this host only when none is configured.

Both kinds have one surface, ``start()``, ``stop()`` and
``lock(name, blocking=True, external=True)``, so their users need not
care which one they have.
"""

import contextlib
import time

from oslo_concurrency import lockutils
from oslo_log import log as logging
import tooz
from tooz import coordination as tooz_coordination

from snapvol_api import exception
from snapvol_api.conf import CONF

LOG = logging.getLogger(__name__)

# Seconds between two tries of a lock while the backend is unreachable.
OUTAGE_RETRY_INTERVAL = 1


def from_conf(member_id):
    """The coordinator [coordination] backend_url asks for; ``member_id``
    names this process to the backend (unique per run)."""
    url = CONF.coordination.backend_url
    if not url:
        return LocalCoordinator()
    return Coordinator(url, member_id)


class LocalCoordinator:
    """Locks of this host: oslo.concurrency's, in this process or (when
    ``external``) a file lock under [oslo_concurrency] lock_path."""

    distributed = False

    def start(self):
        pass

    def stop(self):
        pass

    @contextlib.contextmanager
    def lock(self, name, blocking=True, external=True):
        """Held for the ``with`` block; raises LockBusy instead of
        waiting when not ``blocking``. ``external``: also keep out the
        other processes of this host."""
        with contextlib.ExitStack() as stack:
            try:
                stack.enter_context(lockutils.lock(
                    name, external=external, blocking=blocking))
            except lockutils.AcquireLockFailedException:
                raise exception.LockBusy(name=name)
            yield


class Coordinator:
    """A tooz member. Its locks hold across processes and hosts; tooz's
    heart thread renews them (on etcd, their lease), so the locks of a
    member that dies are freed when their lease runs out."""

    distributed = True

    def __init__(self, backend_url, member_id):
        self._url = backend_url
        self._member_id = member_id.encode()
        self._member = None

    def start(self):
        if self._member is not None:
            return
        try:
            member = tooz_coordination.get_coordinator(self._url,
                                                       self._member_id)
            member.start(start_heart=True)
        except Exception as exc:
            # Drivers raise their client's own errors (etcd3gw probes the
            # server when made), an unknown scheme stevedore's.
            raise exception.CoordinationUnavailable(
                reason='%s: %s' % (type(exc).__name__, exc))
        self._member = member
        LOG.info('Coordination member %s started',
                 self._member_id.decode())

    def stop(self):
        member, self._member = self._member, None
        if member is None:
            return
        try:
            member.stop()
        except tooz.ToozError as exc:
            # Its locks are freed anyway when their lease runs out.
            LOG.warning('Stopping coordination member %s: %s',
                        self._member_id.decode(), exc)

    @contextlib.contextmanager
    def lock(self, name, blocking=True, external=True):
        """Held for the ``with`` block; raises LockBusy instead of
        waiting when not ``blocking``. ``external`` is for
        LocalCoordinator's sake: a distributed lock always is."""
        if self._member is None:
            raise exception.CoordinationUnavailable(
                reason='coordinator not started')
        lock = self._member.get_lock(name.encode())
        acquired = self._acquire(lock, name, blocking)
        if not acquired:
            raise exception.LockBusy(name=name)
        try:
            yield
        finally:
            self._release(lock, name)

    def _acquire(self, lock, name, blocking):
        """lock.acquire; a waiter rides out a backend outage of up to
        [coordination] outage_tolerance seconds (its work would fail
        otherwise, with nothing wrong but a restart of the backend)."""
        return self._through_outage(
            lambda: lock.acquire(blocking=blocking), 'taking lock %s' % name,
            CONF.coordination.outage_tolerance if blocking else 0)

    def _release(self, lock, name):
        """lock.release, through an outage as long as a waiter's: tooz's
        heart renews the lease of a lock it still holds, so a release
        given up on would keep the volume locked."""
        try:
            released = self._through_outage(
                lock.release, 'releasing lock %s' % name,
                CONF.coordination.outage_tolerance)
        except exception.CoordinationUnavailable as exc:
            LOG.error('%s; the lock stays held until this process ends',
                      exc)
            return
        if not released:
            # The lease ran out while we held it (heartbeats failed for
            # longer than the lock timeout): someone else may have had it.
            LOG.error('Lock %s was lost before its release', name)

    @staticmethod
    def _through_outage(call, what, tolerance):
        """``call()``, asked again every OUTAGE_RETRY_INTERVAL while the
        backend is unreachable, for up to ``tolerance`` seconds; then
        CoordinationUnavailable."""
        deadline = time.monotonic() + tolerance
        while True:
            try:
                return call()
            except tooz.ToozError as exc:
                if time.monotonic() >= deadline:
                    raise exception.CoordinationUnavailable(
                        reason='%s: %s' % (what, exc))
                LOG.warning('%s: the coordination backend cannot be '
                            'reached (%s); trying again', what, exc)
                time.sleep(OUTAGE_RETRY_INTERVAL)
