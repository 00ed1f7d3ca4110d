"""Server actions with a fake domain and the real compute database."""

import threading

import pytest

from snapvol_api import exception
from snapvol_api import states
from snapvol_compute import power
from tests.unit.compute.conftest import FakeGuest
from tests.unit.compute.conftest import add_instance


class Clock:
    """Time that passes only when slept."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def jobs(db, driver, workers, clock):
    return power.Power(driver, db, workers, sleep=clock.sleep, clock=clock)


def _instance(db, driver, status=states.ACTIVE, **guest):
    instance = add_instance(db, status=status)
    driver.guests[instance.id] = FakeGuest(
        instance.id, active=status != states.SHUTOFF, **guest)
    return instance.id, driver.guests[instance.id]


def _status(db, instance_id):
    return db.instance_get(instance_id).status


def test_stop_shuts_down_cleanly(conf, db, driver, jobs, clock):
    conf.config(shutdown_timeout=30, group='compute')
    instance_id, guest = _instance(db, driver)
    jobs.stop(instance_id)
    assert guest.calls == ['shutdown']
    assert _status(db, instance_id) == states.SHUTOFF
    assert clock.now == 0
    assert jobs.busy(instance_id) is None


def test_stop_destroys_a_guest_that_ignores_acpi(conf, db, driver, jobs,
                                                 clock):
    conf.config(shutdown_timeout=5, group='compute')
    instance_id, guest = _instance(db, driver, obeys_shutdown=False)
    jobs.stop(instance_id)
    assert guest.calls == ['shutdown', 'destroy']
    assert 5 <= clock.now < 6
    assert _status(db, instance_id) == states.SHUTOFF


def test_start(db, driver, jobs):
    instance_id, guest = _instance(db, driver, status=states.SHUTOFF)
    jobs.start(instance_id)
    assert guest.calls == ['start'] and guest.active
    assert _status(db, instance_id) == states.ACTIVE


def test_soft_reboot(conf, db, driver, jobs, clock):
    conf.config(reboot_timeout=100, group='compute')
    instance_id, guest = _instance(db, driver)
    seen = []
    guest.start = lambda: (seen.append(_status(db, instance_id)),
                           FakeGuest.start(guest))
    jobs.reboot(instance_id, 'soft')
    assert guest.calls == ['shutdown', 'start']
    assert seen == [states.REBOOT]
    assert _status(db, instance_id) == states.ACTIVE
    assert clock.now == 0


def test_soft_reboot_falls_back_to_hard(conf, db, driver, jobs, clock):
    conf.config(reboot_timeout=3, group='compute')
    instance_id, guest = _instance(db, driver, obeys_shutdown=False)
    seen = []
    guest.destroy = lambda: (seen.append(_status(db, instance_id)),
                             FakeGuest.destroy(guest))
    jobs.reboot(instance_id, 'SOFT')
    assert guest.calls == ['shutdown', 'destroy', 'start']
    assert seen == [states.HARD_REBOOT]
    assert 3 <= clock.now < 4
    assert _status(db, instance_id) == states.ACTIVE


@pytest.mark.parametrize('status', [states.ACTIVE, states.SHUTOFF,
                                    states.INSTANCE_ERROR])
def test_hard_reboot(db, driver, jobs, status):
    instance_id, guest = _instance(db, driver, status=status)
    jobs.reboot(instance_id, 'HARD')
    assert guest.calls == ['destroy', 'start']
    assert _status(db, instance_id) == states.ACTIVE


@pytest.mark.parametrize('status, call, message', [
    (states.SHUTOFF, lambda j, i: j.stop(i), 'vm_state stopped'),
    (states.BUILD, lambda j, i: j.stop(i), 'vm_state building'),
    (states.ACTIVE, lambda j, i: j.start(i), 'vm_state active'),
    (states.REBOOT, lambda j, i: j.start(i), 'vm_state active'),
    (states.SHUTOFF, lambda j, i: j.reboot(i, 'SOFT'), 'vm_state stopped'),
    (states.REBOOT, lambda j, i: j.reboot(i, 'SOFT'),
     'task_state rebooting'),
    (states.HARD_REBOOT, lambda j, i: j.reboot(i, 'HARD'),
     'task_state rebooting_hard'),
    (states.REBOOT, lambda j, i: j.stop(i), 'task_state rebooting'),
])
def test_wrong_states_conflict_and_change_nothing(db, driver, jobs, status,
                                                  call, message):
    instance_id, guest = _instance(db, driver, status=status)
    with pytest.raises(exception.InstanceActionConflict) as info:
        call(jobs, instance_id)
    assert info.value.code == 409
    assert message in str(info.value)
    assert guest.calls == []
    assert _status(db, instance_id) == status


def test_bad_reboot_type(db, driver, jobs):
    instance_id, _guest = _instance(db, driver)
    with pytest.raises(exception.InvalidInput):
        jobs.reboot(instance_id, 'WARM')
    assert _status(db, instance_id) == states.ACTIVE


def test_unknown_instance(db, jobs):
    with pytest.raises(exception.InstanceNotFound):
        jobs.stop('6a2ae04b-0000-4000-8000-000000000000')


def test_one_action_at_a_time(conf, db, driver, clock):
    """While a stop waits for the guest, other actions are refused with
    its task_state."""
    conf.config(shutdown_timeout=5, group='compute')
    instance_id, guest = _instance(db, driver, obeys_shutdown=False)
    waiting, release = threading.Event(), threading.Event()

    def sleep(seconds):
        waiting.set()
        assert release.wait(5)
        clock.sleep(seconds)

    class ThreadWorkers:
        def spawn(self, func, *args):
            self.thread = threading.Thread(target=func, args=args)
            self.thread.start()

    workers = ThreadWorkers()
    jobs = power.Power(driver, db, workers, sleep=sleep, clock=clock)
    jobs.stop(instance_id)
    assert waiting.wait(5)
    try:
        for call in (lambda: jobs.stop(instance_id),
                     lambda: jobs.reboot(instance_id, 'HARD')):
            with pytest.raises(exception.InstanceActionConflict,
                               match='task_state powering-off'):
                call()
    finally:
        release.set()
        workers.thread.join(5)
    assert _status(db, instance_id) == states.SHUTOFF
    jobs.start(instance_id)
    workers.thread.join(5)
    assert _status(db, instance_id) == states.ACTIVE


def test_a_failure_is_error_with_its_fault(db, driver, jobs):
    instance_id, guest = _instance(db, driver)
    guest.fail['destroy'] = exception.HypervisorError(reason='qemu hung')
    jobs.reboot(instance_id, 'HARD')
    instance = db.instance_get(instance_id)
    assert instance.status == states.INSTANCE_ERROR
    assert 'qemu hung' in instance.fault
    assert jobs.busy(instance_id) is None


def test_a_late_outcome_keeps_a_status_set_meanwhile(db, driver, jobs):
    """The instance was deleted while it rebooted: nothing comes back."""
    instance_id, guest = _instance(db, driver)

    def start():
        db.instance_destroy(instance_id)
        FakeGuest.start(guest)
    guest.start = start
    jobs.reboot(instance_id, 'HARD')
    with pytest.raises(exception.InstanceNotFound):
        db.instance_get(instance_id)


def test_a_late_failure_keeps_a_status_set_meanwhile(db, driver, jobs):
    instance_id, guest = _instance(db, driver)

    def destroy():
        # Someone (an operator's reset) made it ERROR meanwhile, then
        # ACTIVE again: the failure that follows must not overwrite it.
        db.instance_transition(instance_id, states.INSTANCE_ERROR)
        db.instance_transition(instance_id, states.ACTIVE)
        raise exception.HypervisorError(reason='too late')
    guest.destroy = destroy
    jobs.reboot(instance_id, 'HARD')
    instance = db.instance_get(instance_id)
    assert (instance.status, instance.fault) == (states.ACTIVE, None)
