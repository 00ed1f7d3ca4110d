"""The volume manager on a local share with SQLite and real qemu-img."""

import os
import subprocess

import pytest

from snapvol_api import exception
from tests import imagedata
from tests.imagedata import GiB
from tests.unit.volume.helpers import ADMIN
from tests.unit.volume.helpers import ALICE
from tests.unit.volume.helpers import BOB
from tests.unit.volume.helpers import create_snapshot
from tests.unit.volume.helpers import create_volume
from tests.unit.volume.helpers import delete_snapshot
from tests.unit.volume.helpers import read_info
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


def test_volumes_and_groups_take_the_configured_zone(conf, manager):
    conf.config(storage_availability_zone='az-b')
    assert manager.list_availability_zones(ALICE) == [
        {'name': 'az-b', 'available': True}]
    volume = create_volume(manager)
    assert (volume['availability_zone'], volume['volume_type']) == (
        'az-b', '__DEFAULT__')
    group = manager.create_group(ALICE, 'consistent', ['__DEFAULT__'],
                                 'g', None, None)
    assert group['availability_zone'] == 'az-b'


def test_volume_types_by_id_name_and_default(manager):
    (listed,) = manager.list_volume_types(ALICE)
    for ref in (listed['id'], '__DEFAULT__', 'default'):
        assert manager.get_volume_type(ALICE, ref) == listed
    with pytest.raises(exception.VolumeTypeNotFound):
        manager.get_volume_type(ALICE, 'gold')


def test_extend_grows_the_active_file_and_keeps_every_snapshot(
        manager, share, tmp_path):
    volume = create_volume(manager)
    base = os.path.join(share, 'volume-%s' % volume['id'])
    model = imagedata.ImageModel(tmp_path / 'model.raw', GiB)
    model.write_image(base, 'raw', 0x11, 0, 65536)
    snap = create_snapshot(manager, volume['id'])
    at_snap = model.checkpoint('snap')
    overlay = '%s.%s' % (base, snap['id'])
    model.write_image(overlay, 'qcow2', 0x22, 65536, 65536)

    with pytest.raises(exception.InvalidInput, match='greater than'):
        manager.extend_volume(ALICE, volume['id'], 1)
    extending = manager.extend_volume(ALICE, volume['id'], 3)
    assert extending['status'] == 'extending'
    wait_status(lambda: manager.get_volume(ALICE, volume['id']), 'available')
    assert manager.get_volume(ALICE, volume['id'])['size'] == 3
    assert imagedata.image_chain(overlay, 'qcow2')[0]['virtual-size'] == \
        3 * GiB
    # The snapshot keeps its size and its point in time; every byte
    # written is still there.
    assert imagedata.image_chain(base, 'raw')[0]['virtual-size'] == GiB
    assert manager.get_snapshot(ALICE, snap['id'])['size'] == 1
    at_snap.assert_matches(base, 'raw')
    # The grown part reads as zeros.
    model.assert_matches(overlay, 'qcow2', check_size=False)
    # Deleting the snapshot merges a 1 GiB base with a 3 GiB overlay.
    delete_snapshot(manager, snap['id'])
    active = read_info(share, volume['id'])['active']
    fmt = manager.get_volume(ALICE, volume['id'])['format']
    assert imagedata.image_chain(os.path.join(share, active),
                                 fmt)[0]['virtual-size'] == 3 * GiB
    model.assert_matches(os.path.join(share, active), fmt, check_size=False)


def test_extend_needs_a_detached_available_volume(manager):
    volume = create_volume(manager)
    manager.reset_volume_status(ADMIN, volume['id'], 'in-use')
    with pytest.raises(exception.InvalidVolumeStatus):
        manager.extend_volume(ALICE, volume['id'], 2)
    with pytest.raises(exception.VolumeNotFound):
        manager.extend_volume(BOB, volume['id'], 2)
    assert manager.get_volume(ALICE, volume['id'])['size'] == 1


def test_list_filters_on_the_database(manager):
    """The filters the API passes from 3.2 and 3.34, on SQLite: part of a
    name in any case (LIKE's wildcards taken literally), bootable, size,
    zone, user."""
    create_volume(manager, name='Alpha_1')
    beta = create_volume(manager, size=2, name='beta%')
    manager.set_volume_bootable(ALICE, beta['id'], True)

    def listed(**filters):
        return {v['name'] for v in manager.list_volumes(
            ALICE, filters, None, None, [], 0)}
    assert listed(**{'name~': 'lpha'}) == {'Alpha_1'}
    assert listed(**{'name~': 'A_'}) == {'Alpha_1'}
    assert listed(**{'name~': '%'}) == {'beta%'}
    assert listed(**{'name~': 'a_1x'}) == set()
    assert listed(bootable=True) == {'beta%'}
    assert listed(bootable=False, size=1) == {'Alpha_1'}
    assert listed(availability_zone='nova', user_id='alice') == {
        'Alpha_1', 'beta%'}
    assert listed(**{'status~': 'AVAIL'}) == {'Alpha_1', 'beta%'}


def test_time_filters_on_the_database(manager):
    """3.60's created_at and updated_at comparisons, on SQLite, with the
    times the API passes (ISO 8601, UTC)."""
    first = create_volume(manager, name='first')
    second = create_volume(manager, name='second')
    manager.update_volume(ALICE, second['id'], {'description': 'touched'})
    created = [manager.get_volume(ALICE, v['id'])['created_at']
               for v in (first, second)]
    updated = manager.get_volume(ALICE, second['id'])['updated_at']

    def listed(**filters):
        return {v['name'] for v in manager.list_volumes(
            ALICE, filters, None, None, [], 0)}
    assert listed(created_at={'gte': created[0]}) == {'first', 'second'}
    assert listed(created_at={'gt': created[0]}) == (
        {'second'} if created[1] > created[0] else set())
    assert listed(created_at={'lt': created[0]}) == set()
    assert listed(created_at={'eq': created[0], 'lte': created[1]}) == {
        'first'}
    assert listed(updated_at={'gte': updated}) == {'second'}
    # A volume never updated has no updated_at: it is not "equal".
    assert 'first' in listed(updated_at={'neq': updated})
    assert listed(updated_at={'neq': updated}) == {'first'}
    assert listed(created_at={'gt': '2999-01-01T00:00:00'}) == set()
