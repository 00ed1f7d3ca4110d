"""Two volume managers on one database, as on two hosts: the compute
service's reports reach the manager whose worker did not ask, and the
worker that waits gets them through the database."""

import os

import pytest

from snapvol_api import context
from snapvol_volume import assisted as assisted_mod
from snapvol_volume import service
from tests.unit.volume.helpers import ADMIN
from tests.unit.volume.helpers import ALICE
from tests.unit.volume.helpers import create_volume
from tests.unit.volume.helpers import read_info
from tests.unit.volume.helpers import share_of
from tests.unit.volume.helpers import start_manager
from tests.unit.volume.helpers import wait_status
from tests.unit.volume.helpers import wait_until

NOVA = context.RequestContext(user_id='nova', project_id='service',
                              roles=['service'])


@pytest.fixture
def managers(conf, compute, locks, monkeypatch):
    """The manager whose workers ask the compute service, and the one the
    compute service reports to. ``taken``: what the first one's workers
    got from their waits (None: no report)."""
    # Long enough that a report lost to routing fails the test rather
    # than time out into a recorded outcome.
    conf.config(report_poll_interval=0.02,
                assisted_snapshot_create_timeout=60,
                assisted_snapshot_delete_timeout=60, group='volume')
    asking = start_manager(compute, locks)
    receiving = service.build_manager(host='unit-host-b', compute=compute,
                                      compute_rpc=compute, locks=locks)
    compute.manager = receiving
    taken = []
    wait = asking.assisted.reports.wait

    def recording_wait(key, timeout):
        report = wait(key, timeout)
        taken.append((key, report))
        return report
    monkeypatch.setattr(asking.assisted.reports, 'wait', recording_wait)
    yield asking, receiving, taken
    receiving.stop()
    asking.stop()


@pytest.fixture
def attached(managers):
    asking = managers[0]
    volume = create_volume(asking)
    asking.attach_volume(ADMIN, volume['id'], 'inst', 'h', '/dev/vdb')
    return volume


def test_attached_create_and_delete_take_the_other_managers_reports(
        managers, attached, compute):
    asking, receiving, taken = managers
    share = share_of(asking)
    snap = asking.create_snapshot(ALICE, attached['id'], None, None, {},
                                  True)
    wait_status(lambda: asking.get_snapshot(ALICE, snap['id']), 'available')
    assert [(key, report['status']) for key, report in taken] == [
        (snap['id'], 'creating_compute_complete')]
    # Recorded from the report (a snapshot that followed the domain
    # without one would not say).
    assert asking.get_snapshot(ALICE, snap['id'])['metadata'] == {
        'quiesced': 'no'}
    asking.delete_snapshot(ALICE, snap['id'])
    wait_status(lambda: asking.get_snapshot(ALICE, snap['id']), 'gone')
    assert [(key, report['status']) for key, report in taken[1:]] == [
        (snap['id'], 'deleting_compute_complete')]
    name = 'volume-%s.%s' % (attached['id'], snap['id'])
    assert read_info(share, attached['id']) == {'active': name}
    assert not os.path.exists(os.path.join(share, 'volume-' + attached['id']))


def test_a_set_takes_the_other_managers_report(managers, compute):
    asking, receiving, taken = managers
    volumes = [create_volume(asking) for _ in range(2)]
    for volume, device in zip(volumes, ('/dev/vda', '/dev/vdb')):
        asking.attach_volume(ADMIN, volume['id'], 'inst', 'h', device)
    group = asking.create_group(ALICE, 'consistent', ['default'], 'g', None,
                                None)
    asking.update_group(ALICE, group['id'], {}, [v['id'] for v in volumes],
                        [])
    made = asking.create_group_snapshot(ALICE, group['id'], 'nightly', None)
    wait_status(lambda: asking.get_group_snapshot(ALICE, made['id']),
                'available')
    ((key, report),) = taken
    assert (key, report['status']) == (made['id'],
                                       'creating_compute_complete')
    assert len(report['members']) == 2


def test_novas_report_to_the_other_manager_reaches_the_worker(
        managers, attached, compute):
    """Upstream Nova reports through the API (os-update_snapshot_status),
    which may call any manager."""
    asking, receiving, taken = managers
    compute.outcome = 'lost'
    snap = asking.create_snapshot(ALICE, attached['id'], None, None, {},
                                  True)
    wait_until(lambda: receiving.assisted.reports.awaits(snap['id']),
               'the worker waiting for a report')
    receiving.report_snapshot_status(ALICE, snap['id'], 'creating', '90%')
    wait_status(lambda: asking.get_snapshot(ALICE, snap['id']), 'available')
    ((key, report),) = taken
    assert (key, report['status']) == (snap['id'],
                                       'creating_compute_complete')


def test_an_extend_completion_to_the_other_manager_ends_the_wait(
        managers, attached, compute, monkeypatch, caplog):
    asking, receiving, taken = managers
    release, answered = [], []
    grow = compute.extend_volume

    def held(*args):
        wait_until(lambda: release, 'the test releasing the extend')
        grow(*args)
        answered.append(True)
    monkeypatch.setattr(compute, 'extend_volume', held)
    asking.extend_volume(ALICE, attached['id'], 2, attached=True)
    key = assisted_mod.extend_key(attached['id'])
    wait_until(lambda: receiving.assisted.reports.awaits(key),
               'the worker waiting for a report on the extend')
    receiving.complete_volume_extend(NOVA, attached['id'], False)
    wait_status(lambda: asking.get_volume(ALICE, attached['id']), 'in-use')
    assert asking.get_volume(ALICE, attached['id'])['size'] == 2
    assert taken == [(key, {'error': False, 'reason': None})]
    # Our compute service's answer comes after: refused, logged.
    release.append(True)
    wait_until(lambda: answered, 'our compute service answering')
    wait_until(lambda: 'after upstream Nova reported it' in caplog.text,
               'the late answer refused')
    assert asking.get_volume(ALICE, attached['id'])['size'] == 2


def test_our_compute_services_failure_is_raised_by_the_worker(
        managers, attached, compute):
    """What the extend call raised is no JSON: it stays in the worker's
    process and is raised there as before (the volume fails, where a
    reported failure would leave it in use); the database records a
    failure report, so that it is the first report on the extend."""
    asking, receiving, taken = managers
    compute.outcome = 'unreachable'
    asking.extend_volume(ALICE, attached['id'], 2, attached=True)
    wait_status(lambda: asking.get_volume(ALICE, attached['id']),
                'error_extending')
    assert asking.get_volume(ALICE, attached['id'])['size'] == 1
    key = assisted_mod.extend_key(attached['id'])
    ((taken_key, report),) = taken
    assert taken_key == key
    assert (report['error'], report['raised']) == (True,
                                                   'ComputeUnavailable')
    assert not receiving.assisted.reports.awaits(key)
