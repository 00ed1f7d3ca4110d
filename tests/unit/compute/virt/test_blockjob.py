"""blockjob.wait: driven by recorded events and a probe of the job's state
(both plain Python here; test_virt runs it against libvirt)."""

import threading
import time

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


@pytest.fixture
def events():
    return blockjob.BlockJobEvents()


def wait(events, job, until='done', timeout=5):
    return blockjob.wait(events, job.probe, uuid=UUID, target=DISK,
                         until=until, timeout=timeout)


def later(delay, *actions):
    def run():
        time.sleep(delay)
        for action in actions:
            action()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_event_ends_the_wait_without_polling(events):
    job = Job(info(type='commit'))

    def finish():
        job.state = None
        events.record(UUID, DISK, blockjob.COMPLETED)

    later(0.2, finish)
    start = time.monotonic()
    assert wait(events, job) == 'completed'
    assert time.monotonic() - start < 2
    assert job.calls == 1          # no polling: one look, then the event


def test_event_before_the_wait_is_in_the_history(events):
    events.record(UUID, DISK, blockjob.COMPLETED)
    assert wait(events, Job(None)) == 'completed'


def test_events_of_other_disks_do_not_count(events):
    events.record(UUID, 'vdc', blockjob.FAILED)
    events.record('u-2', DISK, blockjob.FAILED)
    job = Job(info(type='commit'))
    later(0.1, lambda: setattr(job, 'state', None),
          lambda: events.record(UUID, DISK, blockjob.COMPLETED))
    assert wait(events, job) == 'completed'


@pytest.mark.parametrize('status', [blockjob.FAILED, blockjob.CANCELLED])
def test_failure(events, status):
    job = Job(info())
    later(0.1, lambda: events.record(UUID, DISK, status))
    with pytest.raises(exception.BlockJobFailed) as err:
        wait(events, job)
    assert status in str(err.value)
    assert not isinstance(err.value, exception.BlockJobTimeout)


def test_ready_by_event(events):
    job = Job(info())
    later(0.1, lambda: events.record(UUID, DISK, blockjob.READY))
    assert wait(events, job, 'ready') == 'ready'


def test_ready_before_the_wait_is_seen_in_the_job(events):
    # A new connection: the READY event fired before it existed.
    assert wait(events, Job(info(ready=True)), 'ready') == 'ready'


def test_ready_then_pivot_completes(events):
    events.record(UUID, DISK, blockjob.READY)
    events.record(UUID, DISK, blockjob.COMPLETED)
    assert wait(events, Job(None)) == 'completed'
    assert wait(events, Job(None), 'ready') == 'completed'


def test_timeout_leaves_the_job(events):
    job = Job(info(type='commit'))
    start = time.monotonic()
    with pytest.raises(exception.BlockJobTimeout) as err:
        wait(events, job, timeout=0.3)
    assert 0.3 <= time.monotonic() - start < 1
    assert err.value.kwargs['disk'] == DISK
    assert err.value.kwargs['instance_id'] == UUID
    assert job.calls <= 3


def test_forget_drops_an_old_job(events):
    events.record(UUID, DISK, blockjob.CANCELLED)
    events.forget(UUID, DISK)
    job = Job(info(type='pull'))
    later(0.1, lambda: setattr(job, 'state', None),
          lambda: events.record(UUID, DISK, blockjob.COMPLETED))
    assert wait(events, job) == 'completed'


def test_job_gone_without_event(events, monkeypatch):
    monkeypatch.setattr(blockjob, 'EVENT_GRACE', 0.2)
    start = time.monotonic()
    assert wait(events, Job(None)) == 'gone'
    assert 0.2 <= time.monotonic() - start < 1
    with pytest.raises(exception.BlockJobFailed):
        wait(events, Job(None), 'ready')


def test_late_event_within_grace(events, monkeypatch):
    monkeypatch.setattr(blockjob, 'EVENT_GRACE', 5)
    later(0.1, lambda: events.record(UUID, DISK, blockjob.COMPLETED))
    start = time.monotonic()
    assert wait(events, Job(None)) == 'completed'
    assert time.monotonic() - start < 2


def test_unavailable_hypervisor_is_retried(events, monkeypatch):
    monkeypatch.setattr(blockjob, 'RECONNECT_INTERVAL', 0.05)
    job = Job(exception.HypervisorUnavailable(uri='qemu:///system',
                                              reason='gone'))
    later(0.2, lambda: setattr(job, 'state', info(ready=True)))
    assert wait(events, job, 'ready') == 'ready'
    assert job.calls > 1


def test_wake_all_makes_waiters_look_again(events):
    job = Job(info())
    later(0.1, lambda: setattr(job, 'state', info(ready=True)),
          events.wake_all)
    start = time.monotonic()
    assert wait(events, job, 'ready') == 'ready'
    assert time.monotonic() - start < 2


def test_bad_until(events):
    with pytest.raises(ValueError):
        wait(events, Job(None), 'started')
