"""Volume transfers in the manager, on SQLite: the volume and its
snapshots move in one step, within the acceptor's quota, and only with
the key."""

import os

import pytest

from snapvol_api import exception
from snapvol_volume.db import api as db
from snapvol_volume.db import models
from tests.unit.volume.helpers import ADMIN
from tests.unit.volume.helpers import ALICE
from tests.unit.volume.helpers import BOB
from tests.unit.volume.helpers import create_snapshot
from tests.unit.volume.helpers import create_volume
from tests.unit.volume.helpers import read_info


@pytest.fixture
def offered(manager):
    volume = create_volume(manager)
    snapshot = create_snapshot(manager, volume['id'])
    transfer = manager.create_transfer(ALICE, volume['id'], 'to bob', False)
    return volume, snapshot, transfer


def test_an_offered_volume_waits(manager, offered):
    volume, _snapshot, transfer = offered
    assert len(transfer['auth_key']) == 16
    assert manager.get_volume(ALICE, volume['id'])['status'] == \
        'awaiting-transfer'
    with pytest.raises(exception.InvalidVolumeStatus):
        manager.create_snapshot(ALICE, volume['id'], 's', None, {}, False)
    with pytest.raises(exception.InvalidVolumeStatus):
        manager.delete_volume(ALICE, volume['id'], cascade=True)
    with pytest.raises(exception.InvalidVolumeStatus):
        manager.create_transfer(ALICE, volume['id'], 'again', False)
    assert [t['id'] for t in manager.list_transfers(
        ALICE, {}, None, None, [], 0)] == [transfer['id']]
    assert manager.list_transfers(BOB, {}, None, None, [], 0) == []
    with pytest.raises(exception.TransferNotFound):
        manager.get_transfer(BOB, transfer['id'])
    assert 'auth_key' not in manager.get_transfer(ALICE, transfer['id'])


def test_accept_moves_the_volume_and_its_snapshots(manager, share, offered):
    volume, snapshot, transfer = offered
    files, info = sorted(os.listdir(share)), read_info(share, volume['id'])
    with pytest.raises(exception.InvalidAuthKey):
        manager.accept_transfer(BOB, transfer['id'], 'f' * 16)
    assert manager.get_volume(ALICE, volume['id'])['status'] == \
        'awaiting-transfer'
    accepted = manager.accept_transfer(BOB, transfer['id'],
                                       transfer['auth_key'])
    assert accepted['accepted'] is True
    assert accepted['destination_project_id'] == BOB.project_id
    moved = manager.get_volume(BOB, volume['id'])
    assert (moved['project_id'], moved['user_id'], moved['status']) == (
        BOB.project_id, BOB.user_id, 'available')
    assert manager.get_snapshot(BOB, snapshot['id'])['project_id'] == \
        BOB.project_id
    with pytest.raises(exception.VolumeNotFound):
        manager.get_volume(ALICE, volume['id'])
    with pytest.raises(exception.SnapshotNotFound):
        manager.get_snapshot(ALICE, snapshot['id'])
    # No file moved or changed: only the owner did.
    assert sorted(os.listdir(share)) == files
    assert read_info(share, volume['id']) == info
    # The quota usage went with it.
    assert manager.get_quotas(ALICE, ALICE.project_id, True)[
        'gigabytes']['in_use'] == 0
    assert manager.get_quotas(BOB, BOB.project_id, True)[
        'gigabytes']['in_use'] == 2
    # A transfer is accepted once.
    with pytest.raises(exception.TransferNotFound):
        manager.accept_transfer(ADMIN, transfer['id'], transfer['auth_key'])


def test_accept_within_the_acceptors_quota(manager, offered):
    volume, _snapshot, transfer = offered
    manager.update_quotas(ADMIN, BOB.project_id, {'snapshots': 0})
    with pytest.raises(exception.SnapshotLimitExceeded):
        manager.accept_transfer(BOB, transfer['id'], transfer['auth_key'])
    assert manager.get_volume(ALICE, volume['id'])['status'] == \
        'awaiting-transfer'
    assert manager.get_transfer(ALICE, transfer['id'])['accepted'] is False


def test_delete_takes_the_offer_back(manager, offered):
    volume, _snapshot, transfer = offered
    with pytest.raises(exception.TransferNotFound):
        manager.delete_transfer(BOB, transfer['id'])
    manager.delete_transfer(ALICE, transfer['id'])
    assert manager.get_volume(ALICE, volume['id'])['status'] == 'available'
    with pytest.raises(exception.TransferNotFound):
        manager.accept_transfer(BOB, transfer['id'], transfer['auth_key'])


def test_snapshots_go_with_their_volume(manager):
    volume = create_volume(manager)
    snapshot = create_snapshot(manager, volume['id'])
    with pytest.raises(exception.SnapshotsCannotStay,
                       match='1 snapshot.*cannot stay behind'):
        manager.create_transfer(ALICE, volume['id'], None, True)
    manager.reset_snapshot_status(ADMIN, snapshot['id'], 'error')
    with pytest.raises(exception.InvalidVolume, match='not available'):
        manager.create_transfer(ALICE, volume['id'], None, False)
    assert manager.get_volume(ALICE, volume['id'])['status'] == 'available'


def test_a_no_snapshots_transfer_of_a_volume_without_any(manager):
    """3.55: an ordinary transfer; the accept is recorded on the
    transfer (3.57), which is then gone."""
    volume = create_volume(manager)
    transfer = manager.create_transfer(ALICE, volume['id'], None, True)
    assert (transfer['no_snapshots'], transfer['project_id'],
            transfer['destination_project_id'], transfer['accepted']) == (
        True, ALICE.project_id, None, False)
    manager.accept_transfer(BOB, transfer['id'], transfer['auth_key'])
    assert manager.get_volume(BOB, volume['id'])['status'] == 'available'
    with db.session() as session:
        row = session.get(models.Transfer, transfer['id'])
        assert (row.project_id, row.destination_project_id, row.accepted,
                row.deleted) == (ALICE.project_id, BOB.project_id, True,
                                 True)
    with pytest.raises(exception.TransferNotFound):
        manager.get_transfer(ALICE, transfer['id'])
    assert manager.list_transfers(ADMIN, {'all_tenants': True}, None, None,
                                  [], 0) == []


def test_accept_refuses_snapshots_made_meanwhile(manager):
    """Should a no_snapshots transfer's volume have snapshots at accept
    (here: an administrator's status resets let one be made), they
    cannot stay behind: nothing moves."""
    volume = create_volume(manager)
    transfer = manager.create_transfer(ALICE, volume['id'], None, True)
    manager.reset_volume_status(ADMIN, volume['id'], 'available')
    create_snapshot(manager, volume['id'])
    manager.reset_volume_status(ADMIN, volume['id'], 'awaiting-transfer')
    with pytest.raises(exception.SnapshotsCannotStay):
        manager.accept_transfer(BOB, transfer['id'], transfer['auth_key'])
    assert manager.get_volume(ALICE, volume['id'])['status'] == \
        'awaiting-transfer'
    assert manager.get_transfer(ALICE, transfer['id'])[
        'destination_project_id'] is None
    assert manager.get_quotas(BOB, BOB.project_id, True)['volumes'][
        'in_use'] == 0


def test_lists_page_and_sort(manager):
    """What the API passes from 3.59 (and its fixed order before)."""
    offered = [manager.create_transfer(ALICE, create_volume(manager)['id'],
                                       name, False)
               for name in ('b', 'a', 'c')]
    ids = [t['id'] for t in offered]

    def listed(**kwargs):
        query = {'filters': {}, 'marker': None, 'limit': None, 'sort': [],
                 'offset': 0, **kwargs}
        return [t['id'] for t in manager.list_transfers(ALICE, **query)]
    assert listed(sort=[['created_at', 'asc'], ['id', 'asc']]) == ids
    assert listed() == ids[::-1]
    assert listed(sort=[['name', 'asc']]) == [ids[1], ids[0], ids[2]]
    assert listed(sort=[['name', 'asc']], limit=1, marker=ids[1]) == [
        ids[0]]
    assert listed(sort=[['name', 'desc']], offset=1) == [ids[0], ids[1]]
    assert listed(filters={'volume_id': offered[2]['volume_id']}) == [
        ids[2]]
    assert listed(filters={'name': 'a'}) == [ids[1]]
    assert listed(filters={'all_tenants': True}) == ids[::-1]
    assert manager.list_transfers(BOB, {}, None, None, [], 0) == []
    with pytest.raises(exception.InvalidInput):
        listed(sort=[['auth_key', 'asc']])
