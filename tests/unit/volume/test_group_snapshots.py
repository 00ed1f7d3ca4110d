"""Groups and group snapshots (seed 002) through the manager, with the
fake compute service: one compute call for the attached members, every
member's overlay made first and removed when the set fails, the set's
status following its members."""

import os
import uuid

import pytest

from snapvol_api import exception
from snapvol_volume import group_snapshots
from tests.unit.volume.helpers import ADMIN
from tests.unit.volume.helpers import ALICE
from tests.unit.volume.helpers import BOB
from tests.unit.volume.helpers import ManualWorkers
from tests.unit.volume.helpers import create_volume
from tests.unit.volume.helpers import read_info
from tests.unit.volume.helpers import start_manager
from tests.unit.volume.helpers import wait_status


@pytest.fixture
def group(manager, conf):
    """A group of three volumes: two attached to instance 'inst' (vda,
    vdb), one detached."""
    conf.config(assisted_snapshot_create_timeout=1,
                assisted_snapshot_delete_timeout=1, group='volume')
    volumes = [create_volume(manager) for _ in range(3)]
    for volume, device in zip(volumes, ('/dev/vda', '/dev/vdb')):
        manager.attach_volume(ADMIN, volume['id'], 'inst', 'h', device)
    made = manager.create_group(ALICE, 'consistent', ['default'], 'g', None,
                                None)
    assert made['status'] == 'available'
    return manager.update_group(ALICE, made['id'], {},
                                [v['id'] for v in volumes], [])


def _snapshot_set(manager, group, wanted):
    made = manager.create_group_snapshot(ALICE, group['id'], 'nightly',
                                         None)
    assert made['status'] == 'creating'
    wait_status(lambda: manager.get_group_snapshot(ALICE, made['id']),
                wanted)
    return manager.get_group_snapshot(ALICE, made['id'])


def _members(manager, group_snapshot):
    return {s['volume_id']: s for s in manager.list_snapshots(
        ALICE, {'group_snapshot_id': group_snapshot['id']}, None, None,
        None, None)}


def test_one_compute_call_takes_every_attached_member(manager, group, share,
                                                      compute):
    group_snapshot = _snapshot_set(manager, group, 'available')
    (request,) = [r for r in compute.requests if r[0] == 'create_set']
    _kind, set_id, members = request
    attached = sorted(group['volumes'][:2])
    assert set_id == group_snapshot['id']
    assert [m['volume_id'] for m in members] == attached
    by_volume = _members(manager, group_snapshot)
    assert sorted(by_volume) == sorted(group['volumes'])
    assert sorted(group_snapshot['snapshots']) == sorted(
        s['id'] for s in by_volume.values())
    for volume_id, device in zip(group['volumes'], ('vda', 'vdb', None)):
        member = by_volume[volume_id]
        assert member['status'] == 'available'
        assert member['group_snapshot_id'] == group_snapshot['id']
        assert member['name'] == 'nightly-%s' % (device or volume_id)
        assert member['description'] == 'snapshot for nightly'
        assert member['metadata'][group_snapshots.SET_KEY] == 'nightly'
        overlay = 'volume-%s.%s' % (volume_id, member['id'])
        assert read_info(share, volume_id)['active'] == overlay
        if device:
            assert member['metadata'][group_snapshots.DEVICE_KEY] == \
                '/dev/' + device
            assert member['metadata'][group_snapshots.INSTANCE_KEY] == \
                'inst'
            assert member['metadata']['quiesced'] == 'yes'
            assert member['metadata'][group_snapshots.FREEZE_KEY] == \
                '0.012'
    assert group_snapshot['instance_id'] == 'inst'


@pytest.mark.parametrize('outcome', ['error', 'silent'])
def test_a_failed_set_changes_no_file(manager, group, share, compute,
                                      outcome):
    before = sorted(os.listdir(share))
    infos = {v: read_info(share, v) for v in group['volumes']}
    compute.outcome = outcome
    group_snapshot = _snapshot_set(manager, group, 'error')
    assert sorted(os.listdir(share)) == before
    assert {v: read_info(share, v) for v in group['volumes']} == infos
    assert {s['status'] for s in _members(manager, group_snapshot)
            .values()} == {'error'}


def test_a_lost_report_follows_the_domain(manager, group, share, compute):
    compute.outcome = 'lost'
    group_snapshot = _snapshot_set(manager, group, 'available')
    for volume_id, member in _members(manager, group_snapshot).items():
        assert member['status'] == 'available'
        assert read_info(share, volume_id)['active'] == \
            'volume-%s.%s' % (volume_id, member['id'])


def test_a_disk_that_switched_anyway_is_kept_and_the_rest_fail(
        manager, group, share, compute):
    compute.outcome = 'partial'
    group_snapshot = _snapshot_set(manager, group, 'error')
    members = _members(manager, group_snapshot)
    first, second, detached = sorted(group['volumes'][:2]) + \
        group['volumes'][2:]
    assert members[first]['status'] == 'available'
    assert read_info(share, first)['active'] == \
        'volume-%s.%s' % (first, members[first]['id'])
    for volume_id in (second, detached):
        assert members[volume_id]['status'] == 'error'
        assert read_info(share, volume_id) == {
            'active': 'volume-%s' % volume_id}
        assert not os.path.exists(os.path.join(
            share, 'volume-%s.%s' % (volume_id, members[volume_id]['id'])))


def test_members_on_two_instances_are_refused(manager, group):
    extra = create_volume(manager)
    manager.attach_volume(ADMIN, extra['id'], 'other', 'h', '/dev/vda')
    manager.update_group(ALICE, group['id'], {}, [extra['id']], [])
    with pytest.raises(exception.InvalidGroupSnapshot,
                       match='several instances'):
        manager.create_group_snapshot(ALICE, group['id'], 'x', None)
    assert manager.list_group_snapshots(ALICE, {}, None, None, None,
                                        None) == []
    assert manager.list_snapshots(ALICE, {}, None, None, None, None) == []


def test_delete_merges_every_member_then_the_set(manager, group, share,
                                                 compute):
    group_snapshot = _snapshot_set(manager, group, 'available')
    member = next(iter(_members(manager, group_snapshot).values()))
    with pytest.raises(exception.InvalidSnapshot, match='group snapshot'):
        manager.delete_snapshot(ALICE, member['id'])
    with pytest.raises(exception.InvalidGroup, match='group snapshots'):
        manager.delete_group(ALICE, group['id'], True)
    manager.delete_group_snapshot(ALICE, group_snapshot['id'])
    wait_status(lambda: manager.get_group_snapshot(ALICE,
                                                   group_snapshot['id']),
                'gone')
    assert manager.list_snapshots(ALICE, {}, None, None, None, None) == []
    for volume_id in group['volumes']:
        # Only the active file is left (a pull may have kept the overlay).
        assert set(read_info(share, volume_id)) == {'active'}
    deletes = [r for r in compute.requests if r[0] == 'delete']
    assert len(deletes) == 2


def test_a_group_from_a_group_snapshot(manager, group):
    group_snapshot = _snapshot_set(manager, group, 'available')
    made = manager.create_group_from_src(ALICE, 'restored', None,
                                         group_snapshot['id'], None)
    assert made['group_snapshot_id'] == group_snapshot['id']
    assert len(made['volumes']) == 3
    sources = set()
    for volume_id in made['volumes']:
        def get(volume_id=volume_id):
            return manager.get_volume(ALICE, volume_id)
        wait_status(get, 'available')
        volume = get()
        assert volume['group_id'] == made['id']
        sources.add(volume['snapshot_id'])
    assert sources == set(group_snapshot['snapshots'])


def test_groups_keep_their_volumes_and_projects(manager, group):
    with pytest.raises(exception.InvalidVolume, match='in group'):
        manager.delete_volume(ALICE, group['volumes'][2])
    with pytest.raises(exception.InvalidGroup, match='volume'):
        manager.delete_group(ALICE, group['id'], False)
    with pytest.raises(exception.GroupNotFound):
        manager.get_group(BOB, group['id'])
    with pytest.raises(exception.GroupNotFound):
        manager.create_group_snapshot(BOB, group['id'], 'x', None)
    with pytest.raises(exception.GroupTypeNotFound):
        manager.create_group(ALICE, str(uuid.uuid4()), ['default'], 'g',
                             None, None)
    removed = manager.update_group(ALICE, group['id'], {'name': 'h'}, [],
                                   [group['volumes'][2]])
    assert removed['name'] == 'h' and len(removed['volumes']) == 2
    assert manager.get_volume(ALICE, group['volumes'][2])['group_id'] is None


def test_illegal_set_reports_are_refused(manager, group, compute):
    compute.outcome = 'silent'
    group_snapshot = _snapshot_set(manager, group, 'error')
    manager.assisted.reports.expect(group_snapshot['id'])
    manager.update_group_snapshot_status(
        ADMIN, group_snapshot['id'], 'creating_compute_complete', {})
    assert manager.assisted.reports.wait(group_snapshot['id'], 0.1) is None


def test_a_restart_settles_an_interrupted_set(manager, group, share,
                                              compute, locks):
    """A set recorded by a run that died before its worker ran: the
    attached members are settled by the domain (it never switched: they
    fail, their overlays go), the detached one is made, the set ends
    error."""
    before = sorted(os.listdir(share))
    dead = group_snapshots.GroupSnapshots(
        manager._db, manager.shares, locks, ManualWorkers(),
        manager.assisted, manager.snapshots, owner='h/dead-run',
        quotas=manager.quotas)
    group_snapshot = dead.create(ALICE, group['id'], 'nightly', None)
    manager.stop()
    restarted = start_manager(compute, locks)
    try:
        wait_status(lambda: restarted.get_group_snapshot(
            ALICE, group_snapshot.id), 'error')
        members = _members(restarted, {'id': group_snapshot.id})
        detached = group['volumes'][2]
        assert members.pop(detached)['status'] == 'available'
        assert {m['status'] for m in members.values()} == {'error'}
        for volume_id in members:
            assert read_info(share, volume_id) == {
                'active': 'volume-%s' % volume_id}
        assert sorted(os.listdir(share)) == sorted(
            before + ['volume-%s.%s' % (detached,
                                        _members(restarted, {
                                            'id': group_snapshot.id})[
                                            detached]['id'])])
        assert not [r for r in compute.requests if r[0] == 'create_set']
    finally:
        restarted.stop()


def test_an_instance_snapshot_has_no_group_and_names_boot_indexes(
        manager, group, compute, share):
    """createImage's set: the instance's volumes without a group, each
    member with its boot index; a volume of another instance is
    refused."""
    disks = [{'volume_id': v, 'device': d, 'boot_index': b}
             for v, d, b in zip(group['volumes'][:2], ('vda', 'vdb'),
                                (0, None))]
    made = manager.create_instance_snapshot(ADMIN, 'inst', disks, 'image',
                                            'snapshot of inst')
    assert made['group_id'] is None and made['instance_id'] == 'inst'
    assert made['project_id'] == ALICE.project_id
    by_volume = {m['volume_id']: m for m in made['members']}
    assert sorted(by_volume) == sorted(group['volumes'][:2])
    wait_status(lambda: manager.get_group_snapshot(ADMIN, made['id']),
                'available')
    boot = manager.get_snapshot(ADMIN, by_volume[group['volumes'][0]]['id'])
    assert boot['metadata'][group_snapshots.BOOT_INDEX_KEY] == '0'
    assert boot['name'] == 'image-vda'
    other = manager.get_snapshot(ADMIN,
                                 by_volume[group['volumes'][1]]['id'])
    assert group_snapshots.BOOT_INDEX_KEY not in other['metadata']
    with pytest.raises(exception.InvalidGroupSnapshot, match='not all'):
        manager.create_instance_snapshot(ADMIN, 'other', disks, 'x', None)
    detached = [{'volume_id': group['volumes'][2], 'device': 'vdc',
                 'boot_index': None}]
    with pytest.raises(exception.InvalidGroupSnapshot, match='not all'):
        manager.create_instance_snapshot(ADMIN, 'inst', disks + detached,
                                         'x', None)


def test_administrators_reset_a_group_and_a_group_snapshot(manager, group):
    """Cinder 3.20 and 3.19: the set's own status changes, its members
    keep theirs, and others may not reset."""
    group_snapshot = _snapshot_set(manager, group, 'available')
    with pytest.raises(exception.Forbidden):
        manager.reset_group_status(ALICE, group['id'], 'error')
    with pytest.raises(exception.Forbidden):
        manager.reset_group_snapshot_status(ALICE, group_snapshot['id'],
                                            'error')
    assert manager.reset_group_status(ADMIN, group['id'], 'error')[
        'status'] == 'error'
    assert manager.reset_group_snapshot_status(
        ADMIN, group_snapshot['id'], 'error')['status'] == 'error'
    assert {s['status'] for s in _members(
        manager, group_snapshot).values()} == {'available'}
    with pytest.raises(exception.InvalidInput):
        manager.reset_group_status(ADMIN, group['id'], 'updating')
    assert manager.get_group(ALICE, group['id'])['status'] == 'error'
