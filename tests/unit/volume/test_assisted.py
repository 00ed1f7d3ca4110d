"""Snapshots of attached volumes through a fake compute service, and its
reports."""

import os
import subprocess
import uuid

import pytest

from snapvol_api import exception
from snapvol_api import states
from snapvol_volume.db import api as db
from tests import imagedata
from tests.unit.volume.helpers import ADMIN
from tests.unit.volume.helpers import ALICE
from tests.unit.volume.helpers import create_snapshot
from tests.unit.volume.helpers import create_volume
from tests.unit.volume.helpers import delete_snapshot
from tests.unit.volume.helpers import read_info
from tests.unit.volume.helpers import start_manager
from tests.unit.volume.helpers import wait_status
from tests.unit.volume.helpers import wait_until


def test_illegal_compute_reports_change_nothing(manager, share):
    volume = create_volume(manager)
    snap = create_snapshot(manager, volume['id'])
    before = sorted(os.listdir(share))
    base = 'volume-%s' % volume['id']
    # Not a legal transition from 'available', nobody waits, a foreign
    # file name, an unknown snapshot: each is refused.
    for snapshot_id, status, files in (
            (snap['id'], 'creating_compute_complete', {}),
            (snap['id'], 'deleting_compute_complete', {base: 'raw'}),
            (snap['id'], 'error', {}),
            (snap['id'], 'available', {}),
            (str(uuid.uuid4()), 'creating_compute_complete', {})):
        manager.update_snapshot_status(ADMIN, snapshot_id, status, '90%',
                                       files)
    manager.reset_snapshot_status(ADMIN, snap['id'], 'creating')
    manager.assisted.reports.expect(snap['id'])
    manager.update_snapshot_status(ADMIN, snap['id'],
                                   'creating_compute_complete', '90%',
                                   {'../etc/passwd': 'raw'})
    manager.update_snapshot_status(ADMIN, snap['id'],
                                   'creating_compute_complete', '90%',
                                   {base: 'vmdk'})
    assert manager.assisted.reports.wait(snap['id'], 0.1) is None
    assert manager.get_snapshot(ALICE, snap['id'])['status'] == 'creating'
    assert sorted(os.listdir(share)) == before
    # A legal one reaches the waiting worker.
    manager.assisted.reports.expect(snap['id'])
    manager.update_snapshot_status(ADMIN, snap['id'],
                                   'creating_compute_complete', '90%',
                                   {base: 'raw'}, quiesced=False)
    report = manager.assisted.reports.wait(snap['id'], 1)
    assert report['file_format'] == {base: 'raw'}
    assert report['quiesced'] is False


@pytest.fixture
def attached(manager, conf, share):
    conf.config(assisted_snapshot_create_timeout=1,
                assisted_snapshot_delete_timeout=1, group='volume')
    volume = create_volume(manager)
    manager.attach_volume(ADMIN, volume['id'], 'inst', 'h', '/dev/vdb')
    return volume


def test_attached_snapshot_needs_force(manager, attached):
    with pytest.raises(exception.InvalidVolume, match='force'):
        manager.create_snapshot(ALICE, attached['id'], None, None, {}, False)


def snapshot_attached(manager, volume_id, count):
    """Ids of ``count`` forced snapshots of an attached volume, each
    waited for until available."""
    ids = []
    for _ in range(count):
        snap = manager.create_snapshot(ALICE, volume_id, None, None, {},
                                       True)
        wait_status(lambda s=snap: manager.get_snapshot(ALICE, s['id']),
                    'available')
        ids.append(snap['id'])
    return ids


def test_attached_create_and_deletes(manager, attached, share, compute):
    base = 'volume-%s' % attached['id']
    ids = snapshot_attached(manager, attached['id'], 3)
    kind, volume_id, create_info = compute.requests[0]
    assert (kind, volume_id) == ('create', attached['id'])
    assert create_info == {'snapshot_id': ids[0], 'type': 'qcow2',
                           'new_file': '%s.%s' % (base, ids[0])}
    assert manager.get_snapshot(ALICE, ids[0])['metadata'] == {
        'quiesced': 'no'}
    files = ['%s.%s' % (base, s) for s in ids]

    # The middle: a commit into the file below.
    delete_snapshot(manager, ids[1])
    assert compute.requests[-1][2] == {
        'type': 'qcow2', 'volume_id': attached['id'],
        'file_to_merge': files[1], 'merge_target_file': files[0]}
    assert not os.path.exists(os.path.join(share, files[1]))
    # The newest: the file below is pulled into the active file, which
    # takes its place for the oldest snapshot.
    delete_snapshot(manager, ids[2])
    assert compute.requests[-1][2] == {
        'type': 'qcow2', 'volume_id': attached['id'],
        'file_to_merge': base, 'merge_target_file': None}
    assert read_info(share, attached['id']) == {ids[0]: files[2],
                                                'active': files[2]}
    # The only one: pulled with no base, the raw base goes.
    delete_snapshot(manager, ids[0])
    assert compute.requests[-1][2]['file_to_merge'] is None
    assert read_info(share, attached['id']) == {'active': files[2]}
    assert sorted(os.listdir(share)) == sorted([files[2], base + '.info'])
    volume = manager.get_volume(ALICE, attached['id'])
    assert (volume['format'], volume['base_format']) == ('qcow2', 'qcow2')

    # Detached again, the offline operations go on from this chain.
    manager.detach_volume(ADMIN, attached['id'], 'inst')
    snap = create_snapshot(manager, attached['id'])
    delete_snapshot(manager, snap['id'])
    assert read_info(share, attached['id']) == {'active': files[2]}


def test_deletes_while_instance_is_shut_off_are_offline(manager, attached,
                                                       share, compute):
    """No compute request: merged here, committing down as for a detached
    volume; the domain's definition forgets its chain each time, and
    names the new active file when a commit changed it."""
    ids = snapshot_attached(manager, attached['id'], 3)
    files = ['volume-%s.%s' % (attached['id'], s) for s in ids]
    compute.shut_off = True
    requests = len(compute.requests)
    for index in (1, 2):
        delete_snapshot(manager, ids[index])
    assert compute.requests[requests:] == [
        ('forget', attached['id'], None), ('forget', attached['id'], None),
        ('forget', attached['id'], files[0])]
    assert read_info(share, attached['id']) == {ids[0]: files[0],
                                                'active': files[0]}
    assert sorted(os.listdir(share)) == sorted(
        ['volume-%s' % attached['id'], files[0],
         'volume-%s.info' % attached['id']])
    # Running again (on the file its definition names), the last one is
    # merged live.
    compute.shut_off = False
    delete_snapshot(manager, ids[0])
    assert compute.requests[-1][0] == 'delete'
    assert read_info(share, attached['id']) == {'active': files[0]}


@pytest.mark.parametrize('active_commit', [True, False])
def test_a_live_delete_commits_the_active_file_when_below_holds_more(
        manager, attached, share, compute, conf, active_commit):
    """The base holds 4 MiB, the newest snapshot's active file nothing:
    an active commit and a pivot move the active file's few bytes down
    instead of pulling the base up; upstream Nova's pull when active
    commits are off."""
    conf.config(live_active_commit=active_commit, group='volume')
    base = 'volume-%s' % attached['id']
    imagedata.write_pattern(os.path.join(share, base), 'raw', 0x5a, 0,
                            4 * imagedata.MiB)
    (snap,) = snapshot_attached(manager, attached['id'], 1)
    name = '%s.%s' % (base, snap)
    delete_snapshot(manager, snap)
    (_, _, delete_info) = compute.requests[-1]
    volume = manager.get_volume(ALICE, attached['id'])
    if active_commit:
        assert delete_info == {'file_to_merge': name,
                               'merge_target_file': base,
                               'type': 'qcow2', 'volume_id': attached['id']}
        assert compute.domain_files[attached['id']] == base
        assert read_info(share, attached['id']) == {'active': base}
        assert sorted(os.listdir(share)) == [base, base + '.info']
        assert volume['format'] == 'raw'
    else:
        assert delete_info['merge_target_file'] is None
        assert read_info(share, attached['id']) == {'active': name}
        assert volume['format'] == 'qcow2'


def test_a_pull_of_a_file_no_snapshot_names_is_recorded(manager, attached,
                                                        share, compute):
    """The only snapshot's delete leaves the active file standing alone;
    a new snapshot's delete pulls that file, which no snapshot names,
    into its overlay: the domain shows it done, and it is recorded."""
    (first,) = snapshot_attached(manager, attached['id'], 1)
    delete_snapshot(manager, first)
    base = 'volume-%s' % attached['id']
    standalone = '%s.%s' % (base, first)
    assert read_info(share, attached['id']) == {'active': standalone}
    (second,) = snapshot_attached(manager, attached['id'], 1)
    delete_snapshot(manager, second)
    newest = '%s.%s' % (base, second)
    assert compute.requests[-1][2]['merge_target_file'] is None
    assert read_info(share, attached['id']) == {'active': newest}
    assert sorted(os.listdir(share)) == [newest, base + '.info']


def test_a_commit_the_definition_shows_done_is_not_made_again(
        manager, attached, share, compute):
    """An active commit pivoted the domain to the base, the guest wrote
    there, and the instance was shut off before the info store followed
    (a crash): the offline delete sees the definition name the base and
    only records the merge; committing again would bring the overlay's
    older data back over the guest's newer writes."""
    (snap,) = snapshot_attached(manager, attached['id'], 1)
    base = 'volume-%s' % attached['id']
    overlay = '%s.%s' % (base, snap)
    imagedata.write_pattern(os.path.join(share, overlay), 'qcow2', 0x11, 0,
                            64 * 1024)
    subprocess.run(['qemu-img', 'commit', '-q', '-d', '-f', 'qcow2',
                    overlay], cwd=share, check=True)
    compute.domain_files[attached['id']] = base
    imagedata.write_pattern(os.path.join(share, base), 'raw', 0x22, 0,
                            64 * 1024)
    compute.shut_off = True
    delete_snapshot(manager, snap)
    assert read_info(share, attached['id']) == {'active': base}
    assert not os.path.exists(os.path.join(share, overlay))
    assert imagedata.has_pattern(os.path.join(share, base), 'raw', 0x22, 0,
                                 64 * 1024)


def test_an_offline_merge_records_its_progress_once_a_second(manager,
                                                             attached):
    (snap,) = snapshot_attached(manager, attached['id'], 1)
    now = [0.0]
    record = manager.assisted.progress_of(snap, clock=lambda: now[0])
    for at, percent, shown in ((0, 0, '0%'), (0.5, 10, '0%'),
                               (1.0, 40, '40%'), (1.9, 90, '40%')):
        now[0] = at
        record(percent)
        assert manager.get_snapshot(ALICE, snap)['progress'] == shown


def test_progress_reports_record_how_far_a_merge_is(manager, attached):
    """A report with the snapshot's own status only records its progress;
    one for another status, or with a progress that is not a
    percentage, changes nothing."""
    (snap,) = snapshot_attached(manager, attached['id'], 1)

    def progress():
        return manager.get_snapshot(ALICE, snap)['progress']
    manager.update_snapshot_status(ADMIN, snap, 'deleting', '42%', {})
    assert progress() == '100%'
    db.snapshot_transition(snap, states.DELETING,
                           expected=[states.AVAILABLE])
    manager.update_snapshot_status(ADMIN, snap, 'deleting', '42%', {})
    assert progress() == '42%'
    for bad in ('420%', '4 2%', None, 42):
        manager.update_snapshot_status(ADMIN, snap, 'deleting', bad, {})
        assert progress() == '42%'
    assert manager.get_snapshot(ALICE, snap)['status'] == 'deleting'


@pytest.mark.parametrize('outcome', ['error', 'silent'])
def test_attached_create_failure_changes_nothing(manager, attached, share,
                                                 outcome, compute):
    before = sorted(os.listdir(share))
    compute.outcome = outcome
    snap = manager.create_snapshot(ALICE, attached['id'], None, None, {},
                                   True)
    wait_status(lambda: manager.get_snapshot(ALICE, snap['id']), 'error')
    assert sorted(os.listdir(share)) == before
    assert read_info(share, attached['id']) == {
        'active': 'volume-%s' % attached['id']}
    # Deleting that snapshot later touches no file.
    compute.outcome = 'ok'
    requests = len(compute.requests)
    delete_snapshot(manager, snap['id'])
    assert len(compute.requests) == requests
    assert sorted(os.listdir(share)) == before


def test_attached_delete_failure_loses_nothing(manager, attached, share,
                                               compute):
    snap = manager.create_snapshot(ALICE, attached['id'], None, None, {},
                                   True)
    wait_status(lambda: manager.get_snapshot(ALICE, snap['id']), 'available')
    info = read_info(share, attached['id'])
    before = sorted(os.listdir(share))
    compute.outcome = 'error'
    requests = len(compute.requests)
    manager.delete_snapshot(ALICE, snap['id'])
    wait_status(lambda: manager.get_snapshot(ALICE, snap['id']),
                'error_deleting')
    assert len(compute.requests) == requests + 1
    assert read_info(share, attached['id']) == info
    assert sorted(os.listdir(share)) == before


def test_delete_while_its_create_waits_is_refused(manager, attached,
                                                   compute):
    compute.outcome = 'silent'
    snap = manager.create_snapshot(ALICE, attached['id'], None, None, {},
                                   True)
    with pytest.raises(exception.InvalidSnapshotStatus, match='creating'):
        manager.delete_snapshot(ALICE, snap['id'])
    wait_status(lambda: manager.get_snapshot(ALICE, snap['id']), 'error')


def test_attached_create_whose_report_is_lost_follows_the_domain(
        manager, attached, share, compute):
    """Compute never answers, but libvirt did switch: the volume manager
    finds out from the domain and records the snapshot."""
    compute.outcome = 'lost'
    snap = manager.create_snapshot(ALICE, attached['id'], None, None, {},
                                   True)
    wait_status(lambda: manager.get_snapshot(ALICE, snap['id']), 'available')
    name = 'volume-%s.%s' % (attached['id'], snap['id'])
    assert read_info(share, attached['id']) == {snap['id']: name,
                                                'active': name}


def test_restart_keeps_an_overlay_the_domain_may_use(manager, attached,
                                                     share, compute):
    """An attached create a restart interrupted, and the compute host does
    not answer: the overlay is kept (the domain may write to it) and the
    snapshot stays creating; once the host answers, a later start settles
    it."""
    manager.stop()
    snap = db.snapshot_create({'volume_id': attached['id'],
                               'project_id': 'proj-a', 'volume_size': 1,
                               'status': states.CREATING})
    name = 'volume-%s.%s' % (attached['id'], snap.id)
    compute.outcome = 'unreachable'
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b',
                    'volume-%s' % attached['id'], '-F', 'raw', name],
                   cwd=share, check=True, capture_output=True)
    restarted = start_manager(compute)
    restarted.stop()
    assert restarted.get_snapshot(ALICE, snap.id)['status'] == 'creating'
    assert os.path.exists(os.path.join(share, name))
    assert read_info(share, attached['id']) == {
        'active': 'volume-%s' % attached['id']}
    # The host answers: the domain does not use it, so it goes.
    compute.outcome = 'ok'
    restarted = start_manager(compute)
    restarted.stop()
    assert restarted.get_snapshot(ALICE, snap.id)['status'] == 'error'
    assert not os.path.exists(os.path.join(share, name))


def test_extend_of_an_attached_volume_goes_through_its_guest(
        manager, attached, share, compute):
    """From 3.42: the running guest's compute host grows the disk; a
    shut-off instance's file is grown here; without the microversion an
    attached volume is not extended."""
    active = os.path.join(share, read_info(share, attached['id'])['active'])
    with pytest.raises(exception.InvalidVolumeStatus):
        manager.extend_volume(ALICE, attached['id'], 2)
    manager.extend_volume(ALICE, attached['id'], 2, attached=True)
    wait_status(lambda: manager.get_volume(ALICE, attached['id']), 'in-use')
    assert manager.get_volume(ALICE, attached['id'])['size'] == 2
    assert compute.requests[-1] == ('extend', attached['id'], 2 * 1024 ** 3)
    assert os.path.getsize(active) == 2 * 1024 ** 3
    compute.shut_off = True
    requests = len(compute.requests)
    manager.extend_volume(ALICE, attached['id'], 3, attached=True)
    wait_status(lambda: manager.get_volume(ALICE, attached['id']), 'in-use')
    assert len(compute.requests) == requests
    assert os.path.getsize(active) == 3 * 1024 ** 3
    compute.shut_off, compute.outcome = False, 'unreachable'
    manager.extend_volume(ALICE, attached['id'], 4, attached=True)
    wait_status(lambda: manager.get_volume(ALICE, attached['id']),
                'error_extending')
    assert manager.get_volume(ALICE, attached['id'])['size'] == 3


def test_a_compute_host_that_is_down_gets_no_call(manager, attached, share,
                                                  compute):
    """An extend for a guest whose host shows down is not sent there
    (it would wait out the RPC timeout): it fails at once, naming the
    host, and the file keeps its size."""
    active = os.path.join(share, read_info(share, attached['id'])['active'])
    compute.host_down = True
    requests = len(compute.requests)
    manager.extend_volume(ALICE, attached['id'], 2, attached=True)
    wait_status(lambda: manager.get_volume(ALICE, attached['id']),
                'error_extending')
    assert len(compute.requests) == requests
    assert os.path.getsize(active) == 1024 ** 3
    # The message is written just after the status.
    wait_until(lambda: manager.list_messages(
        ALICE, {}, None, None, None, None), 'the user message')
    (message,) = manager.list_messages(ALICE, {}, None, None, None, None)
    assert message['user_message'] == (
        'extend volume: The compute service of the instance the volume is '
        'attached to cannot be reached.')

