"""Every body shape of the volume API against tempest's response schemas,
through tempest's own volume clients (tests/tempest_clients.py) routed
into the app: each client call fails if its answer does not fit the
schema tempest keeps for that call at the microversion asked.

The microversions are tempest's schema boundaries (3.55, 3.57, 3.61...)
and the ends of our range, for the clients that send one (volumes,
transfers, messages, groups, versions); tempest's snapshots, limits,
quotas, types and extensions clients never do, so their bodies are
checked at 3.0 as tempest checks them. functional/test_clients.py checks
the real service's bodies the same way. Resources are made with the plain
test client, so that each test checks the calls it names.
"""

import pytest

from snapvol_api.rest.volume import versions
from tests.tempest_clients import Clients
from tests.tempest_clients import WebTestHttp
from tests.tempest_clients import basic_auth_headers
from tests.tempest_clients import microversion
from tests.unit.api.helpers import USERS

MAX = str(versions.MAX_VERSION)
# None: no header at all (3.0).
MICROVERSIONS = [None, '3.0', '3.13', '3.14', '3.41', '3.55', '3.57',
                 '3.61', '3.63', '3.64', '3.65', '3.69', MAX]


def _at_least(version, wanted):
    return version is not None and tuple(
        int(part) for part in version.split('.')) >= wanted


@pytest.fixture
def tempest(app):
    """tempest's clients as one of the users of helpers.USERS."""
    def clients(user):
        password, project, _roles = USERS[user]
        return Clients(f'http://localhost/v3/{project or user}',
                       basic_auth_headers(user, password),
                       http=WebTestHttp(app))
    return clients


def _volume(client, backend, **fields):
    volume = client.create_volume(**fields)
    backend.volumes[volume['id']]['status'] = 'available'
    return volume['id']


def _snapshot(client, backend, volume_id, **fields):
    snapshot = client.create_snapshot(volume_id, **fields)
    backend.snapshots[snapshot['id']]['status'] = 'available'
    return snapshot['id']


@pytest.mark.parametrize('version', MICROVERSIONS)
def test_volume_bodies(alice, backend, tempest, version):
    volume_id = _volume(alice, backend, name='v', metadata={'a': '1'})
    member, admin = tempest('alice'), tempest('root')
    with microversion(version):
        shown = member.volumes.show_volume(volume_id)['volume']
        assert shown['id'] == volume_id
        member.volumes.list_volumes()
        member.volumes.list_volumes(detail=True)
        member.volumes.list_volumes(detail=True, params={'name': 'v'})
        admin.volumes.show_volume(volume_id)
        admin.volumes.list_volumes(detail=True, params={'all_tenants': 1})
        member.volumes.create_volume_metadata(volume_id, {'b': '2'})
        member.volumes.show_volume_metadata(volume_id)
        member.volumes.update_volume_metadata(volume_id, {'c': '3'})
        member.volumes.show_volume_metadata_item(volume_id, 'c')
        member.volumes.update_volume_metadata_item(volume_id, 'c',
                                                   {'c': '4'})
        member.volumes.delete_volume_metadata_item(volume_id, 'c')
        if _at_least(version, (3, 12)):
            member.volumes.show_volume_summary()
        member.volumes.extend_volume(volume_id, new_size=2)
        admin.volumes.reset_volume_status(volume_id, status='available')
        member.volumes.delete_volume(volume_id)
        admin.volumes.force_delete_volume(_volume(alice, backend))


@pytest.mark.parametrize('version', [None, '3.62', MAX])
def test_volume_create_and_update_bodies(backend, tempest, version):
    member = tempest('alice')
    with microversion(version):
        volume = member.volumes.create_volume(size=1, name='v')['volume']
        # tempest's update schema stops at 3.62: from 3.63 on Cinder's
        # update answers volume_type_id (3.63), encryption_key_id (3.64)
        # and consumes_quota (3.65) too, as snapvol's do.
        if not _at_least(version, (3, 63)):
            member.volumes.update_volume(volume['id'], name='w')


def test_set_bootable_answers_200(alice, backend, tempest):
    volume_id = _volume(alice, backend)
    tempest('alice').volumes.set_bootable_volume(volume_id, bootable=True)


def test_snapshot_bodies(alice, backend, tempest):
    volume_id = _volume(alice, backend)
    snapshot_id = _snapshot(alice, backend, volume_id, name='s',
                            metadata={'a': '1'})
    member, admin = tempest('alice'), tempest('root')
    assert member.snapshots.show_snapshot(snapshot_id)['snapshot'][
        'volume_id'] == volume_id
    member.snapshots.list_snapshots()
    member.snapshots.list_snapshots(detail=True)
    admin.snapshots.list_snapshots(detail=True, all_tenants=1)
    member.snapshots.create_snapshot_metadata(snapshot_id, {'b': '2'})
    member.snapshots.show_snapshot_metadata(snapshot_id)
    member.snapshots.update_snapshot_metadata(snapshot_id,
                                              metadata={'c': '3'})
    member.snapshots.show_snapshot_metadata_item(snapshot_id, 'c')
    member.snapshots.update_snapshot_metadata_item(
        snapshot_id, 'c', meta={'c': '4'})
    member.snapshots.delete_snapshot_metadata_item(snapshot_id, 'c')
    admin.snapshots.reset_snapshot_status(snapshot_id, 'available')
    member.snapshots.delete_snapshot(snapshot_id)
    admin.snapshots.force_delete_snapshot(
        _snapshot(alice, backend, volume_id))


def test_snapshot_create_and_update_bodies(alice, backend, tempest):
    volume_id = _volume(alice, backend)
    member = tempest('alice')
    snapshot = member.snapshots.create_snapshot(
        volume_id=volume_id, name='s')['snapshot']
    member.snapshots.update_snapshot(snapshot['id'], name='t')


@pytest.mark.parametrize('version', [None, MAX])
def test_limits_quotas_types_versions(alice, backend, tempest, version):
    _volume(alice, backend, size=3)
    member, admin = tempest('alice'), tempest('root')
    with microversion(version):
        absolute = member.limits.show_limits()['limits']['absolute']
        assert (absolute['totalVolumesUsed'],
                absolute['totalGigabytesUsed']) == (1, 3)
        member.quotas.show_quota_set('p1')
        usage = member.quotas.show_quota_set('p1', params={'usage': True})
        assert usage['quota_set']['volumes']['in_use'] == 1
        member.quotas.show_default_quota_set('p1')
        admin.quotas.update_quota_set('p1', volumes=5)
        admin.quotas.delete_quota_set('p1')
        listed = member.types.list_volume_types()['volume_types']
        member.types.show_volume_type(listed[0]['id'])
        member.extensions.list_extensions()
        member.versions.list_versions()
        member.versions.show_version('v3')


@pytest.mark.parametrize('version', MICROVERSIONS)
def test_transfer_bodies(alice, backend, tempest, version):
    # The new URLs (/volume-transfers) from 3.55; the old ones stay.
    names = ['transfers'] + (['transfers_v355']
                             if _at_least(version, (3, 55)) else [])
    giver, taker = tempest('alice'), tempest('bob')
    with microversion(version):
        for name in names:
            offers, takes = getattr(giver, name), getattr(taker, name)
            volume_id = _volume(alice, backend)
            transfer = offers.create_volume_transfer(
                volume_id=volume_id, name='t')['transfer']
            offers.show_volume_transfer(transfer['id'])
            offers.list_volume_transfers()
            offers.list_volume_transfers(detail=True)
            takes.accept_volume_transfer(transfer['id'],
                                         auth_key=transfer['auth_key'])
            assert backend.volumes[volume_id]['project_id'] == 'p2'
            withdrawn = offers.create_volume_transfer(
                volume_id=_volume(alice, backend))['transfer']
            offers.delete_volume_transfer(withdrawn['id'])


@pytest.mark.parametrize('version', [versions.MESSAGES,
                                     versions.MESSAGES_PAGINATION, MAX])
def test_message_bodies(alice, backend, tempest, version):
    message = backend.add_message('p1', _volume(alice, backend),
                                  'extend volume: not enough room')
    # Cinder records the id of the request whose work failed; tempest's
    # schema wants a string there (see the report on snapvol's null).
    message['request_id'] = 'req-3d2c0a0e-8a57-4d70-9f6b-31f1e1c6a3b5'
    member = tempest('alice')
    with microversion(str(version)):
        (listed,) = member.messages.list_messages()['messages']
        member.messages.show_message(listed['id'])
        member.messages.delete_message(listed['id'])


# tempest has one group schema, without the project_id of 3.58: a real
# Cinder fails it from 3.58 on as snapvol does.
@pytest.mark.parametrize('version', [versions.GROUP_RESET_STATUS,
                                     versions.GROUP_VOLUME_LIST,
                                     versions.GROUP_SNAPSHOT_PAGINATION,
                                     '3.57'])
def test_group_bodies(alice, backend, tempest, version):
    member, admin = tempest('alice'), tempest('root')
    with microversion(str(version)):
        group_type = member.group_types.list_group_types()['group_types'][0]
        member.group_types.show_group_type(group_type['id'])
        volume_type = member.types.list_volume_types()['volume_types'][0]
        group = alice.at(str(version)).post('groups', {'group': {
            'group_type': group_type['id'],
            'volume_types': [volume_type['id']], 'name': 'g'}}).json['group']
        backend.groups[group['id']]['status'] = 'available'
        member.groups.update_group(
            group['id'], add_volumes=_volume(alice, backend))
        member.groups.show_group(group['id'])
        member.groups.list_groups()
        member.groups.list_groups(detail=True)
        admin.groups.reset_group_status(group['id'], 'available')
        snapshot = member.group_snapshots.create_group_snapshot(
            group_id=group['id'], name='gs')['group_snapshot']
        backend.group_snapshots[snapshot['id']]['status'] = 'available'
        member.group_snapshots.show_group_snapshot(snapshot['id'])
        member.group_snapshots.list_group_snapshots()
        member.group_snapshots.list_group_snapshots(detail=True)
        admin.group_snapshots.reset_group_snapshot_status(
            snapshot['id'], 'available')
        member.group_snapshots.delete_group_snapshot(snapshot['id'])
