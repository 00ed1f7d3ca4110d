"""blockjob.wait: driven by recorded events and a probe of the job's state
(both plain Python here; test_virt runs it against libvirt).

Time is a FakeClock that moves only when wait() waits, so the tests never
sleep and no loaded machine can make them fail; one test uses real
threads and real time to show that an event from another thread wakes the
waiter (and asserts that it was woken, not how soon)."""

import heapq
import itertools
import threading

import pytest

from snapvol_api import exception
from snapvol_compute.virt import blockjob

UUID = 'u-1'
DISK = 'vdb'


def info(ready=False, type='active-commit'):
    return blockjob.BlockJobInfo(type=type, cur=1, end=2, ready=ready)


class Job:
    """What the probe sees; ``calls`` counts the probes."""

    def __init__(self, state):
        self.state = state
        self.calls = 0

    def probe(self):
        self.calls += 1
        state = self.state
        if isinstance(state, Exception):
            raise state
        return state


class FakeClock:
    """Seconds since the start of the test, passing only inside
    ``wait_event``: ``at(t, *actions)`` runs the actions when the clock
    reaches ``t``; ``waits`` lists the seconds each wait asked for."""

    MAX_WAITS = 1000    # a wait() that loops for ever fails instead

    def __init__(self):
        self.now = 0.0
        self.waits = []
        self._due = []
        self._seq = itertools.count()

    def __call__(self):
        return self.now

    def at(self, t, *actions):
        for action in actions:
            heapq.heappush(self._due, (t, next(self._seq), action))

    def wait_event(self, event, seconds):
        self.waits.append(seconds)
        assert len(self.waits) < self.MAX_WAITS, 'wait() does not end'
        end = self.now + max(seconds, 0)
        while not event.is_set():
            if not self._due or self._due[0][0] > end:
                self.now = end
                return False
            t, _, action = heapq.heappop(self._due)
            self.now = max(self.now, t)
            action()
        return True


@pytest.fixture
def events():
    return blockjob.BlockJobEvents()


@pytest.fixture
def clock():
    return FakeClock()


def wait(events, job, until='done', timeout=5, clock=None):
    kwargs = {}
    if clock is not None:
        kwargs = {'clock': clock, 'wait_event': clock.wait_event}
    return blockjob.wait(events, job.probe, uuid=UUID, target=DISK,
                         until=until, timeout=timeout, **kwargs)


def test_event_from_another_thread_ends_the_wait_without_polling(events):
    """Real threads and time: the waiter looks once, then sleeps until
    the event thread wakes it (its wait returns True: woken, not timed
    out; a generous timeout, so no loaded machine fails this)."""
    job = Job(info(type='commit'))
    probed = threading.Event()
    woken = []

    def probe():
        state = job.probe()
        probed.set()
        return state

    def finish():
        probed.wait(60)
        job.state = None
        events.record(UUID, DISK, blockjob.COMPLETED)

    def wait_event(event, seconds):
        woken.append(event.wait(seconds))
        return woken[-1]

    thread = threading.Thread(target=finish, daemon=True)
    thread.start()
    assert blockjob.wait(events, probe, uuid=UUID, target=DISK,
                         until='done', timeout=60,
                         wait_event=wait_event) == 'completed'
    thread.join(60)
    assert job.calls == 1          # no polling: one look, then the event
    assert woken == [True]         # woken by the event, not timed out


def test_event_before_the_wait_is_in_the_history(events):
    events.record(UUID, DISK, blockjob.COMPLETED)
    assert wait(events, Job(None)) == 'completed'


def test_events_of_other_disks_do_not_count(events, clock):
    events.record(UUID, 'vdc', blockjob.FAILED)
    events.record('u-2', DISK, blockjob.FAILED)
    job = Job(info(type='commit'))
    clock.at(0.1, lambda: setattr(job, 'state', None),
             lambda: events.record(UUID, DISK, blockjob.COMPLETED))
    assert wait(events, job, clock=clock) == 'completed'
    assert clock.now == 0.1


@pytest.mark.parametrize('status', [blockjob.FAILED, blockjob.CANCELLED])
def test_failure(events, clock, status):
    job = Job(info())
    clock.at(0.1, lambda: events.record(UUID, DISK, status))
    with pytest.raises(exception.BlockJobFailed) as err:
        wait(events, job, clock=clock)
    assert status in str(err.value)
    assert not isinstance(err.value, exception.BlockJobTimeout)


def test_ready_by_event(events, clock):
    job = Job(info())
    clock.at(0.1, lambda: events.record(UUID, DISK, blockjob.READY))
    assert wait(events, job, 'ready', clock=clock) == 'ready'
    assert clock.now == 0.1 and job.calls == 1


def test_ready_before_the_wait_is_seen_in_the_job(events):
    # A new connection: the READY event fired before it existed.
    assert wait(events, Job(info(ready=True)), 'ready') == 'ready'


def test_ready_then_pivot_completes(events):
    events.record(UUID, DISK, blockjob.READY)
    events.record(UUID, DISK, blockjob.COMPLETED)
    assert wait(events, Job(None)) == 'completed'
    assert wait(events, Job(None), 'ready') == 'completed'


def test_timeout_leaves_the_job(events, clock):
    job = Job(info(type='commit'))
    with pytest.raises(exception.BlockJobTimeout) as err:
        wait(events, job, timeout=0.3, clock=clock)
    assert clock.now == pytest.approx(0.3)
    assert clock.waits == [pytest.approx(0.3)]     # one sleep, no polling
    assert err.value.kwargs['disk'] == DISK
    assert err.value.kwargs['instance_id'] == UUID
    assert job.calls == 2          # a look at the start and at the end


def test_forget_drops_an_old_job(events, clock):
    events.record(UUID, DISK, blockjob.CANCELLED)
    events.forget(UUID, DISK)
    job = Job(info(type='pull'))
    clock.at(0.1, lambda: setattr(job, 'state', None),
             lambda: events.record(UUID, DISK, blockjob.COMPLETED))
    assert wait(events, job, clock=clock) == 'completed'


def test_job_gone_without_event(events, clock):
    assert wait(events, Job(None), clock=clock) == 'gone'
    assert clock.now == pytest.approx(blockjob.EVENT_GRACE)
    with pytest.raises(exception.BlockJobFailed):
        wait(events, Job(None), 'ready', clock=clock)


def test_grace_for_the_event_outlasts_the_timeout(events, clock):
    # The job is gone: its end is near, so the wait gives the event the
    # whole grace even past the deadline, instead of timing out.
    assert wait(events, Job(None), timeout=0.5, clock=clock) == 'gone'
    assert clock.now == pytest.approx(blockjob.EVENT_GRACE)


def test_late_event_within_grace(events, clock):
    clock.at(0.1, lambda: events.record(UUID, DISK, blockjob.COMPLETED))
    assert wait(events, Job(None), clock=clock) == 'completed'
    assert clock.now == 0.1        # the event, not the end of the grace


def test_unavailable_hypervisor_is_retried(events, clock):
    job = Job(exception.HypervisorUnavailable(uri='qemu:///system',
                                              reason='gone'))
    clock.at(2.5, lambda: setattr(job, 'state', info(ready=True)))
    assert wait(events, job, 'ready', clock=clock) == 'ready'
    interval = blockjob.RECONNECT_INTERVAL
    assert clock.waits == [interval] * 3
    assert job.calls == 4


def test_a_busy_domain_is_asked_again(events, clock):
    job = Job(exception.HypervisorBusy(reason='cannot acquire state change '
                                              'lock', error_code=68))
    clock.at(1.5, lambda: setattr(job, 'state', info(ready=True)))
    assert wait(events, job, 'ready', clock=clock) == 'ready'
    assert clock.waits == [blockjob.RECONNECT_INTERVAL] * 2
    assert job.calls == 3


def test_unavailable_hypervisor_until_the_deadline(events, clock):
    job = Job(exception.HypervisorUnavailable(uri='qemu:///system',
                                              reason='gone'))
    timeout = 2.5 * blockjob.RECONNECT_INTERVAL
    with pytest.raises(exception.BlockJobTimeout):
        wait(events, job, timeout=timeout, clock=clock)
    assert clock.now == pytest.approx(timeout)
    assert clock.waits[-1] == pytest.approx(0.5 * blockjob.RECONNECT_INTERVAL)


def test_wake_all_makes_waiters_look_again(events, clock):
    job = Job(info())
    clock.at(0.1, lambda: setattr(job, 'state', info(ready=True)),
             events.wake_all)
    assert wait(events, job, 'ready', clock=clock) == 'ready'
    assert clock.now == 0.1 and job.calls == 2


def test_bad_until(events):
    with pytest.raises(ValueError):
        wait(events, Job(None), 'started')


def test_progress_is_told_every_interval_while_the_job_runs(events, clock):
    """A job copying its 4 units: the waiter looks every
    PROGRESS_INTERVAL and tells each position; a failing listener does
    not end the wait."""
    job = Job(blockjob.BlockJobInfo('commit', 0, 4, False))
    step = blockjob.PROGRESS_INTERVAL
    for cur in (1, 2, 3):
        clock.at(cur * step, lambda c=cur: setattr(
            job, 'state', blockjob.BlockJobInfo('commit', c, 4, False)))
    clock.at(3.5 * step, lambda: setattr(job, 'state', None),
             lambda: events.record(UUID, DISK, blockjob.COMPLETED))
    seen = []

    def listener(running):
        seen.append(running.cur)
        if running.cur == 2:
            raise RuntimeError('the volume service is away')
    assert blockjob.wait(events, job.probe, uuid=UUID, target=DISK,
                         until='done', timeout=60, clock=clock,
                         wait_event=clock.wait_event,
                         on_progress=listener) == 'completed'
    assert seen == [0, 1, 2, 3]
    assert clock.now == pytest.approx(3.5 * step)
