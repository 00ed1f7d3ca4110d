"""Waiting for block jobs, driven by libvirt's block job events.

The host's event callback records each event of a disk (``BlockJobEvents
.record``) and wakes that disk's waiters. A waiter registers first, then
looks at what the job is now (a probe: libvirt's blockJobInfo and the
disk's ``<mirror>``), so an event that fired before it registered is not
missed: either the job's state shows it, or the event is in the disk's
recorded history.

Nothing here knows libvirt; statuses are plain strings. The clock and the
wait for an event can be handed in, so that tests drive time themselves.
"""

import collections
import contextlib
import dataclasses
import threading
import time

from oslo_log import log as logging

from snapvol_api import exception

LOG = logging.getLogger(__name__)

COMPLETED = 'completed'
FAILED = 'failed'
CANCELLED = 'cancelled'
READY = 'ready'
TERMINAL = (COMPLETED, FAILED, CANCELLED)

# What wait() returns when the job vanished and no terminal event came:
# its outcome is unknown (read the disk's chain).
GONE = 'gone'

# How long a job that blockJobInfo no longer shows may take to deliver its
# terminal event: libvirt queues events, so they can trail the job's end.
EVENT_GRACE = 2.0
# While the hypervisor is unreachable, how often to try again.
RECONNECT_INTERVAL = 1.0
# How often a waiter that follows the job's progress looks at it.
PROGRESS_INTERVAL = 1.0
_HISTORY = 16


@dataclasses.dataclass(frozen=True)
class BlockJobInfo:
    """A running block job. ``type``: 'pull', 'copy', 'commit',
    'active-commit', 'backup' or 'unknown'; ``cur``/``end`` in bytes;
    ``ready``: an active commit or copy that can be pivoted now;
    ``bandwidth_mib``: its limit in MiB/s (0: none)."""

    type: str
    cur: int
    end: int
    ready: bool
    bandwidth_mib: int = 0


class _Waiter:
    def __init__(self):
        self.event = threading.Event()


class BlockJobEvents:
    """The block job events of one host connection, per (domain uuid,
    disk target): a short history and the threads waiting on them."""

    def __init__(self):
        self._lock = threading.Lock()
        self._history = collections.defaultdict(
            lambda: collections.deque(maxlen=_HISTORY))
        self._waiters = collections.defaultdict(set)

    def record(self, uuid, target, status):
        """Called by the host's event callback (the event loop thread)."""
        key = (uuid, target)
        with self._lock:
            self._history[key].append(status)
            waiters = list(self._waiters.get(key, ()))
        for waiter in waiters:
            waiter.event.set()

    def forget(self, uuid, target):
        """Drop the history of a disk: call before starting a job on it, so
        that the previous job's end is not taken for this one's."""
        with self._lock:
            self._history.pop((uuid, target), None)

    def history(self, uuid, target):
        with self._lock:
            return tuple(self._history.get((uuid, target), ()))

    def wake_all(self):
        """Wake every waiter (the connection was lost or replaced: events
        may have been missed, look again)."""
        with self._lock:
            waiters = [w for ws in self._waiters.values() for w in ws]
        for waiter in waiters:
            waiter.event.set()

    @contextlib.contextmanager
    def watch(self, uuid, target):
        waiter = _Waiter()
        key = (uuid, target)
        with self._lock:
            self._waiters[key].add(waiter)
        try:
            yield waiter
        finally:
            with self._lock:
                self._waiters[key].discard(waiter)
                if not self._waiters[key]:
                    del self._waiters[key]


def _outcome(history):
    """(terminal status or None, whether READY was seen) from a history."""
    terminal = None
    ready = False
    for status in history:
        if status == READY:
            ready = True
        elif status in TERMINAL:
            terminal = status
    return terminal, ready


def _wait_event(event, seconds):
    """Block until ``event`` is set or ``seconds`` have passed."""
    return event.wait(seconds)


def wait(events, probe, *, uuid, target, until, timeout,
         clock=time.monotonic, wait_event=_wait_event, on_progress=None):
    """Wait for the block job on ``target`` of domain ``uuid``.

    ``probe()`` returns the job now (a BlockJobInfo) or None; it may raise
    exception.HypervisorUnavailable while the connection is being
    re-established. ``until``: 'done' (the job ended) or 'ready' (an active
    commit or copy can be pivoted).

    Returns 'ready', 'completed' (its COMPLETED event was seen) or 'gone'
    (the job is no longer there and no event told how it ended: read the
    chain). Raises BlockJobFailed when the job failed or was cancelled, or
    (until='ready') ended without ever being ready, and BlockJobTimeout
    after ``timeout`` seconds (the job is left running).

    ``clock()`` gives the time in seconds (default time.monotonic) and
    ``wait_event(event, seconds)`` waits for a threading.Event to be set
    or the time to pass (default ``event.wait(seconds)``): a test may
    hand in a clock of its own and advance it in ``wait_event``.
    ``on_progress(job)``: called with the running job every
    PROGRESS_INTERVAL seconds (its exceptions are logged, not raised).
    """
    if until not in ('done', 'ready'):
        raise ValueError(f'until={until!r}')
    deadline = clock() + timeout
    gone_since = None
    with events.watch(uuid, target) as waiter:
        while True:
            # Clear first: an event arriving after this point wakes us.
            waiter.event.clear()
            terminal, ready_seen = _outcome(events.history(uuid, target))
            if terminal in (FAILED, CANCELLED):
                raise exception.BlockJobFailed(
                    disk=target, instance_id=uuid,
                    reason=f'libvirt reported the job {terminal}')
            if terminal == COMPLETED:
                return COMPLETED
            if until == 'ready' and ready_seen:
                return READY
            now = clock()
            try:
                job = probe()
            except (exception.HypervisorUnavailable,
                    exception.HypervisorBusy) as exc:
                # The job goes on in QEMU whether or not libvirt can say
                # so now (the connection is back soon; another job holds
                # the domain's lock).
                LOG.warning('Waiting for the block job on %s of %s: %s',
                            target, uuid, exc)
                wake_at = min(deadline, now + RECONNECT_INTERVAL)
            else:
                if job is None:
                    if gone_since is None:   # (0 is a time too)
                        gone_since = now
                    if now - gone_since >= EVENT_GRACE:
                        if until == 'ready':
                            raise exception.BlockJobFailed(
                                disk=target, instance_id=uuid,
                                reason='the job ended before it was ready')
                        LOG.info('Block job on %s of %s ended; no event told '
                                 'how', target, uuid)
                        return GONE
                    # Its end is known to be near: wait for the event even
                    # past the deadline.
                    wait_event(waiter.event, gone_since + EVENT_GRACE - now)
                    continue
                gone_since = None
                if until == 'ready' and job.ready:
                    return READY
                wake_at = deadline
                if on_progress is not None:
                    _tell_progress(on_progress, job)
                    wake_at = min(deadline, now + PROGRESS_INTERVAL)
            if now >= deadline:
                raise exception.BlockJobTimeout(disk=target, instance_id=uuid,
                                                timeout=timeout)
            wait_event(waiter.event, wake_at - now)


def _tell_progress(on_progress, job):
    # Progress is for people watching: it never fails the job.
    try:
        on_progress(job)
    except Exception as exc:
        LOG.warning('Could not report the progress of a block job: %s', exc)

