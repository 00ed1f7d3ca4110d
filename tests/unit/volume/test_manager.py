"""The volume manager on a local share with SQLite and real qemu-img."""

import os
import subprocess
import time
import uuid

import pytest

from snapvol_api import exception
from snapvol_api import states
from snapvol_volume.db import api as db
from tests import imagedata
from tests.unit.volume.helpers import ADMIN
from tests.unit.volume.helpers import ALICE
from tests.unit.volume.helpers import BOB
from tests.unit.volume.helpers import create_snapshot
from tests.unit.volume.helpers import create_volume
from tests.unit.volume.helpers import delete_snapshot
from tests.unit.volume.helpers import read_info
from tests.unit.volume.helpers import share_of
from tests.unit.volume.helpers import start_manager
from tests.unit.volume.helpers import wait_status


def test_volume_lifecycle_records_formats(manager, share):
    volume = create_volume(manager)
    base = 'volume-%s' % volume['id']
    assert volume['format'] == volume['base_format'] == 'raw'
    assert os.path.getsize(os.path.join(share, base)) == 1024 ** 3

    snap = create_snapshot(manager, volume['id'])
    volume = manager.get_volume(ALICE, volume['id'])
    assert (volume['format'], volume['base_format']) == ('qcow2', 'raw')
    assert snap['progress'] == '100%'
    assert snap['metadata'] == {'k': 'v'}
    assert read_info(share, volume['id']) == {
        snap['id']: '%s.%s' % (base, snap['id']),
        'active': '%s.%s' % (base, snap['id'])}

    with pytest.raises(exception.VolumeHasSnapshots):
        manager.delete_volume(ALICE, volume['id'])

    delete_snapshot(manager, snap['id'])
    assert manager.get_volume(ALICE, volume['id'])['format'] == 'raw'
    assert read_info(share, volume['id']) == {'active': base}

    manager.delete_volume(ALICE, volume['id'])
    wait_status(lambda: manager.get_volume(ALICE, volume['id']), 'gone')
    assert sorted(os.listdir(share)) == []


def test_other_project_sees_nothing(manager):
    volume = create_volume(manager)
    snap = create_snapshot(manager, volume['id'])
    for call in (lambda: manager.get_volume(BOB, volume['id']),
                 lambda: manager.delete_volume(BOB, volume['id']),
                 lambda: manager.create_snapshot(BOB, volume['id'], None,
                                                 None, {}, False),
                 lambda: manager.update_volume(BOB, volume['id'],
                                               {'name': 'x'})):
        with pytest.raises(exception.VolumeNotFound):
            call()
    for call in (lambda: manager.get_snapshot(BOB, snap['id']),
                 lambda: manager.delete_snapshot(BOB, snap['id']),
                 lambda: manager.create_volume(BOB, 1, None, None, {},
                                               snap['id'])):
        with pytest.raises(exception.SnapshotNotFound):
            call()
    assert manager.list_volumes(BOB, {}, None, None, [], None) == []
    assert manager.list_snapshots(BOB, {}, None, None, [], None) == []
    assert manager.get_volume(ALICE, volume['id'])['name'] == 'v'
    assert manager.get_snapshot(ADMIN, snap['id'])['status'] == 'available'
    listed = manager.list_volumes(ADMIN, {'all_tenants': '1'}, None, None,
                                  [], None)
    assert [v['id'] for v in listed] == [volume['id']]
    assert manager.list_volumes(ADMIN, {}, None, None, [], None) == []


@pytest.mark.parametrize('size', [0, -1, 1.5, '1', True, None, 10 ** 6])
def test_bad_size_is_refused(manager, size):
    with pytest.raises(exception.InvalidInput):
        manager.create_volume(ALICE, size, None, None, {}, None)
    assert manager.list_volumes(ADMIN, {'all_tenants': 1}, None, None, [],
                                None) == []


def test_snapshot_of_volume_in_error_is_refused(manager, share):
    volume = create_volume(manager)
    manager.reset_volume_status(ADMIN, volume['id'], 'error')
    with pytest.raises(exception.InvalidVolumeStatus):
        manager.create_snapshot(ALICE, volume['id'], None, None, {}, False)
    assert manager.list_snapshots(ALICE, {}, None, None, [], None) == []
    assert read_info(share, volume['id']) == {
        'active': 'volume-%s' % volume['id']}


def test_reset_status_needs_admin(manager):
    volume = create_volume(manager)
    with pytest.raises(exception.Forbidden):
        manager.reset_volume_status(ALICE, volume['id'], 'error')
    with pytest.raises(exception.InvalidInput):
        manager.reset_volume_status(ADMIN, volume['id'], 'bogus')
    assert manager.get_volume(ALICE, volume['id'])['status'] == 'available'


def test_delete_snapshot_twice_is_refused(manager):
    volume = create_volume(manager)
    snap = create_snapshot(manager, volume['id'])
    manager.reset_snapshot_status(ADMIN, snap['id'], 'creating')
    with pytest.raises(exception.InvalidSnapshotStatus):
        manager.delete_snapshot(ALICE, snap['id'])
    assert manager.get_snapshot(ALICE, snap['id'])['status'] == 'creating'


def test_snapshot_of_unsafe_chain_is_refused_at_once(manager, share):
    volume = create_volume(manager)
    snap = create_snapshot(manager, volume['id'])
    overlay = os.path.join(share, 'volume-%s.%s' % (volume['id'],
                                                    snap['id']))
    os.unlink(overlay)
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-u', '-b',
                    '/etc/passwd', '-F', 'raw', overlay, '1G'], check=True)
    before = sorted(os.listdir(share))
    for refused in (
            lambda: manager.create_snapshot(ALICE, volume['id'], None, None,
                                            {}, False),
            lambda: manager.delete_snapshot(ALICE, snap['id']),
            lambda: manager.create_volume(ALICE, 1, None, None, {},
                                          snap['id'])):
        with pytest.raises(exception.UnsafeBackingFile,
                           match='/etc/passwd'):
            refused()
    assert [s['id'] for s in manager.list_snapshots(
        ALICE, {}, None, None, [], None)] == [snap['id']]
    assert manager.get_snapshot(ALICE, snap['id'])['status'] == 'available'
    assert [v['id'] for v in manager.list_volumes(
        ALICE, {}, None, None, [], None)] == [volume['id']]
    assert sorted(os.listdir(share)) == before


def test_create_from_snapshot(manager, share, tmp_path):
    volume = create_volume(manager, size=2)
    base = os.path.join(share, 'volume-%s' % volume['id'])
    expected = imagedata.ImageModel(tmp_path / 'expected.raw', 2 * 1024 ** 3)
    expected.write_image(base, 'raw', 0x5a, 0, 1024 * 1024)
    snap = create_snapshot(manager, volume['id'])
    imagedata.write_pattern('%s.%s' % (base, snap['id']), 'qcow2', 0x66, 0,
                            4096)

    with pytest.raises(exception.InvalidInput, match='smaller'):
        manager.create_volume(ALICE, 1, None, None, {}, snap['id'])
    clone = create_volume(manager, size=3, snapshot_id=snap['id'])

    assert clone['snapshot_id'] == snap['id']
    clone_path = os.path.join(share, 'volume-%s' % clone['id'])
    assert os.path.getsize(clone_path) == 3 * 1024 ** 3
    expected.assert_matches(clone_path, 'raw', check_size=False)
    # Independent: merging the source's snapshot leaves the clone as it was.
    delete_snapshot(manager, snap['id'])
    expected.assert_matches(clone_path, 'raw', check_size=False)


def test_snapshot_being_cloned_cannot_be_deleted(manager, locks):
    volume = create_volume(manager)
    snap = create_snapshot(manager, volume['id'])
    # Holding the source's chain lock keeps the clone in 'creating'.
    with locks.chain(volume['id']):
        clone = manager.create_volume(ALICE, 1, 'clone', None, {},
                                      snap['id'])
        with pytest.raises(exception.InvalidSnapshot, match=clone['id']):
            manager.delete_snapshot(ALICE, snap['id'])
        assert manager.get_volume(ALICE, clone['id'])['status'] == 'creating'
    wait_status(lambda: manager.get_volume(ALICE, clone['id']), 'available')
    assert manager.get_snapshot(ALICE, snap['id'])['status'] == 'available'


def test_recovery_finishes_interrupted_work(conf, compute, tmp_path):
    """Simulates a crash at each point of a create and a delete, then
    starts a new manager: every snapshot ends in a final state, the info
    store matches the chain and no file is left over."""
    mgr = start_manager(compute)
    share = share_of(mgr)
    volume = create_volume(mgr)
    base = 'volume-%s' % volume['id']
    expected = imagedata.ImageModel(tmp_path / 'expected.raw', 1024 ** 3)
    expected.write_image(os.path.join(share, base), 'raw', 0x11, 0,
                         65536)
    s1 = create_snapshot(mgr, volume['id'])
    expected.write_image(os.path.join(share, '%s.%s' % (base, s1['id'])),
                         'qcow2',
                   0x22, 65536, 65536)
    at_s2 = expected.checkpoint('at_s2')
    s2 = create_snapshot(mgr, volume['id'])
    expected.write_image(os.path.join(share, '%s.%s' % (base, s2['id'])),
                         'qcow2',
                   0x33, 0, 4096)
    mgr.stop()

    # A delete of s1 that died after its commit, and a create that died
    # after its overlay file was written but before the info store.
    subprocess.run(['qemu-img', 'commit', '-q', '-f', 'qcow2', '-d',
                    os.path.join(share, '%s.%s' % (base, s1['id']))],
                   check=True)
    db.snapshot_transition(s1['id'], states.DELETING)
    s3 = db.snapshot_create({'volume_id': volume['id'],
                             'project_id': 'proj-a', 'volume_size': 1,
                             'status': states.CREATING})
    with open(os.path.join(share, '%s.%s' % (base, s3.id)), 'wb') as f:
        f.write(b'partial')
    stray = os.path.join(share, '%s.%s' % (base, uuid.uuid4()))
    with open(stray, 'wb') as f:
        f.write(b'orphan')

    mgr = start_manager(compute)
    try:
        wait_status(lambda: mgr.get_snapshot(ALICE, s1['id']), 'gone')
        wait_status(lambda: mgr.get_snapshot(ALICE, s3.id), 'available')
        deadline = time.monotonic() + 30
        while os.path.exists(stray):
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        mgr.stop()

    info = read_info(share, volume['id'])
    assert info == {s2['id']: '%s.%s' % (base, s2['id']),
                    s3.id: '%s.%s' % (base, s3.id),
                    'active': '%s.%s' % (base, s3.id)}
    assert sorted(os.listdir(share)) == sorted(
        [base, base + '.info'] + list(set(info.values())))
    assert db.volume_files(volume['id']) == {
        base: 'raw', info[s2['id']]: 'qcow2', info[s3.id]: 'qcow2'}
    at_s2.assert_matches(os.path.join(share, base), 'raw')
    expected.assert_matches(os.path.join(share, info['active']), 'qcow2')


def test_connection_follows_the_active_file(manager, share):
    volume = create_volume(manager)
    base = 'volume-%s' % volume['id']
    connection = manager.initialize_connection(ADMIN, volume['id'],
                                               {'host': 'h'})
    assert connection == {'driver_volume_type': 'local',
                          'data': {'export': share, 'name': base,
                                   'format': 'raw'}}
    snap = create_snapshot(manager, volume['id'])
    connection = manager.initialize_connection(ADMIN, volume['id'],
                                               {'host': 'h'})
    assert connection['data']['name'] == '%s.%s' % (base, snap['id'])
    assert connection['data']['format'] == 'qcow2'
    with pytest.raises(exception.VolumeNotFound):
        manager.initialize_connection(BOB, volume['id'], {'host': 'h'})


def test_attach_and_detach(manager):
    volume = create_volume(manager)
    attached = manager.attach_volume(ADMIN, volume['id'], 'inst-1', 'h1',
                                     '/dev/vdb')
    assert attached['status'] == 'in-use'
    [att] = attached['attachments']
    assert (att['server_id'], att['host_name'], att['device']) == (
        'inst-1', 'h1', '/dev/vdb')
    with pytest.raises(exception.InvalidVolumeStatus):
        manager.attach_volume(ADMIN, volume['id'], 'inst-2', 'h1', None)
    with pytest.raises(exception.InvalidVolumeStatus):
        manager.delete_volume(ALICE, volume['id'])
    with pytest.raises(exception.VolumeNotAttached):
        manager.detach_volume(ADMIN, volume['id'], 'inst-2')
    detached = manager.detach_volume(ADMIN, volume['id'], 'inst-1')
    assert (detached['status'], detached['attachments']) == ('available', [])


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
    """No compute request: merged here, and the active file the domain's
    definition names stays active."""
    ids = snapshot_attached(manager, attached['id'], 3)
    files = ['volume-%s.%s' % (attached['id'], s) for s in ids]
    compute.shut_off = True
    requests = len(compute.requests)
    for index in (1, 2):
        delete_snapshot(manager, ids[index])
    assert compute.requests[requests:] == [
        ('forget', attached['id'], None)] * 2
    assert read_info(share, attached['id']) == {ids[0]: files[2],
                                                'active': files[2]}
    assert sorted(os.listdir(share)) == sorted(
        ['volume-%s' % attached['id'], files[2],
         'volume-%s.info' % attached['id']])
    # Running again, the last one is merged live.
    compute.shut_off = False
    delete_snapshot(manager, ids[0])
    assert compute.requests[-1][0] == 'delete'
    assert read_info(share, attached['id']) == {'active': files[2]}


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
