"""The microversion boundaries of volume transfers (3.55, 3.57, 3.59,
3.70) and of the groups' project (3.58): the older answer just below
each, the newer one at it."""

import urllib.parse

import pytest

DETAIL_KEYS = {'id', 'name', 'volume_id', 'created_at', 'links'}
HISTORY_KEYS = {'source_project_id', 'destination_project_id', 'accepted'}


def _available_volume(client, backend, **fields):
    volume = client.create_volume(**fields)
    backend.volumes[volume['id']]['status'] = 'available'
    return volume


@pytest.fixture
def volume(alice, backend):
    return _available_volume(alice, backend)


def _offer(client, volume, collection='os-volume-transfer', **fields):
    fields['volume_id'] = volume['id']
    return client.post(collection, {'transfer': fields}).json['transfer']


# 3.55 -----------------------------------------------------------------------

def test_volume_transfers_arrive_at_3_55(alice, backend, volume):
    older = alice.at('3.54')
    older.get('volume-transfers', status=404)
    older.get('volume-transfers/detail', status=404)
    older.post('volume-transfers', {'transfer': {
        'volume_id': volume['id']}}, status=404)
    assert backend.transfers == {}
    client = alice.at('3.55')
    transfer = _offer(client, volume, 'volume-transfers', name='t',
                      no_snapshots='true')
    assert transfer['no_snapshots'] is True
    assert backend.calls[-1] == ('create_transfer', {
        'volume_id': volume['id'], 'name': 't', 'no_snapshots': True})
    for path in ('volume-transfers', 'os-volume-transfer'):
        assert [t['id'] for t in client.get(path).json['transfers']] == [
            transfer['id']]
        shown = client.get(path + '/' + transfer['id']).json['transfer']
        assert shown['no_snapshots'] is True
    client.delete('volume-transfers/' + transfer['id'])
    assert backend.volumes[volume['id']]['status'] == 'available'


def test_no_snapshots_shows_from_3_55(alice, volume):
    older = _offer(alice.at('3.54'), volume)
    assert set(older) == DETAIL_KEYS | {'auth_key'}
    path = 'os-volume-transfer/' + older['id']
    assert set(alice.at('3.54').get(path).json['transfer']) == DETAIL_KEYS
    shown = alice.at('3.55').get(path).json['transfer']
    assert set(shown) == DETAIL_KEYS | {'no_snapshots'}
    assert shown['no_snapshots'] is False


def test_os_volume_transfer_refuses_no_snapshots_at_every_version(
        alice, backend, volume):
    for version in ('3.0', '3.55', '3.71'):
        alice.at(version).post('os-volume-transfer', {'transfer': {
            'volume_id': volume['id'], 'no_snapshots': False}}, status=400)
    assert backend.transfers == {}
    transfer = _offer(alice.at('3.71'), volume)
    assert transfer['no_snapshots'] is False


def test_a_volume_with_snapshots_moves_with_them(alice, backend, volume):
    client = alice.at('3.55')
    client.create_snapshot(volume['id'])
    body = client.post('volume-transfers', {'transfer': {
        'volume_id': volume['id'], 'no_snapshots': True}}, status=400).json
    assert 'cannot stay behind' in body['badRequest']['message']
    assert backend.transfers == {}
    transfer = _offer(client, volume, 'volume-transfers')
    assert transfer['no_snapshots'] is False


@pytest.mark.parametrize('no_snapshots', ['maybe', 2, None])
def test_no_snapshots_is_a_boolean(alice, backend, volume, no_snapshots):
    alice.at('3.55').post('volume-transfers', {'transfer': {
        'volume_id': volume['id'], 'no_snapshots': no_snapshots}},
        status=400)
    assert backend.transfers == {}


def test_accept_and_delete_at_volume_transfers(alice, bob, backend, volume):
    transfer = _offer(alice.at('3.55'), volume, 'volume-transfers')
    url = 'volume-transfers/%s/accept' % transfer['id']
    bob.at('3.54').post(url, {'accept': {'auth_key': transfer['auth_key']}},
                        status=404)
    accepted = bob.at('3.55').post(
        url, {'accept': {'auth_key': transfer['auth_key']}}).json
    assert set(accepted['transfer']) == {'id', 'name', 'volume_id',
                                         'links'}
    assert accepted['transfer']['id'] == transfer['id']
    assert backend.volumes[volume['id']]['project_id'] == 'p2'
    other = _offer(bob.at('3.55'), volume, 'volume-transfers')
    bob.at('3.54').delete('volume-transfers/' + other['id'], status=404)
    bob.at('3.55').delete('volume-transfers/' + other['id'])
    assert backend.transfers == {}


# 3.57 -----------------------------------------------------------------------

def test_history_shows_from_3_57(alice, volume):
    older = _offer(alice.at('3.56'), volume, 'volume-transfers')
    assert not HISTORY_KEYS & set(older)
    path = 'volume-transfers/' + older['id']
    assert not HISTORY_KEYS & set(alice.at('3.56').get(path).json[
        'transfer'])
    client = alice.at('3.57')
    for shown in (client.get(path).json['transfer'],
                  client.get('volume-transfers/detail').json['transfers'][0],
                  client.get('os-volume-transfer/' + older['id']).json[
                      'transfer']):
        assert (shown['source_project_id'], shown['destination_project_id'],
                shown['accepted']) == ('p1', None, False)
    # The summary list stays as it was.
    (summary,) = client.get('volume-transfers').json['transfers']
    assert set(summary) == {'id', 'name', 'volume_id', 'links'}


def test_create_shows_history_from_3_57(alice, backend, volume):
    created = _offer(alice.at('3.57'), volume, 'volume-transfers')
    assert (created['source_project_id'], created['destination_project_id'],
            created['accepted'], created['no_snapshots']) == (
        'p1', None, False, False)
    assert len(created['auth_key']) == 16


# 3.58 -----------------------------------------------------------------------

def test_groups_show_their_project_from_3_58(alice):
    group = alice.at('3.14').post('groups', {'group': {
        'group_type': 'consistent', 'volume_types': ['t']}}).json['group']
    older, newer = alice.at('3.57'), alice.at('3.58')
    assert 'project_id' not in older.get('groups/' + group['id']).json[
        'group']
    assert 'project_id' not in older.get('groups/detail').json['groups'][0]
    assert newer.get('groups/' + group['id']).json['group'][
        'project_id'] == 'p1'
    assert newer.get('groups/detail').json['groups'][0]['project_id'] == \
        'p1'
    # Lists without details, and the answer to a create, stay as they were.
    assert set(newer.get('groups').json['groups'][0]) == {'id', 'name'}
    created = newer.post('groups', {'group': {
        'group_type': 'consistent', 'volume_types': ['t']}}).json['group']
    assert set(created) == {'id', 'name'}


def test_group_snapshots_show_their_project_from_3_58(alice, backend):
    client = alice.at('3.14')
    volume = _available_volume(client, backend)
    group = client.post('groups', {'group': {
        'group_type': 'consistent', 'volume_types': ['t']}}).json['group']
    client.put('groups/' + group['id'], {'group': {
        'add_volumes': volume['id']}}, status=202)
    created = client.post('group_snapshots', {'group_snapshot': {
        'group_id': group['id']}}).json['group_snapshot']
    path = 'group_snapshots/' + created['id']
    older, newer = alice.at('3.57'), alice.at('3.58')
    assert 'project_id' not in older.get(path).json['group_snapshot']
    assert 'project_id' not in older.get('group_snapshots/detail').json[
        'group_snapshots'][0]
    assert newer.get(path).json['group_snapshot']['project_id'] == 'p1'
    assert newer.get('group_snapshots/detail').json['group_snapshots'][0][
        'project_id'] == 'p1'
    assert set(newer.get('group_snapshots').json['group_snapshots'][0]) == {
        'id', 'name'}


def test_an_administrator_sees_whose_group_it_is(alice, admin):
    group = alice.at('3.14').post('groups', {'group': {
        'group_type': 'consistent', 'volume_types': ['t']}}).json['group']
    (listed,) = admin.at('3.58').get(
        'groups/detail?all_tenants=1').json['groups']
    assert (listed['id'], listed['project_id']) == (group['id'], 'p1')


# 3.59 -----------------------------------------------------------------------

@pytest.fixture
def three_offers(alice, backend):
    client = alice.at('3.55')
    return [_offer(client, _available_volume(client, backend),
                   name='t%d' % i) for i in range(3)]


def test_lists_page_from_3_59(alice, backend, three_offers):
    newest_first = [t['id'] for t in reversed(three_offers)]
    client = alice.at('3.59')
    body = client.get('volume-transfers/detail?limit=2').json
    assert [t['id'] for t in body['transfers']] == newest_first[:2]
    (link,) = body['transfers_links']
    url = urllib.parse.urlsplit(link['href'])
    assert url.path == '/v3/p1/volume-transfers/detail'
    assert urllib.parse.parse_qs(url.query) == {
        'limit': ['2'], 'marker': [newest_first[1]]}
    rest = client.get('volume-transfers/detail?' + url.query).json
    assert [t['id'] for t in rest['transfers']] == newest_first[2:]
    assert 'transfers_links' not in rest
    body = client.get('os-volume-transfer?sort=name:asc&offset=1').json
    assert [t['name'] for t in body['transfers']] == ['t1', 't2']
    assert backend.calls[-1][1]['sort'] == [['name', 'asc']]
    body = client.get('volume-transfers?sort_key=name&sort_dir=desc'
                      '&name=t1').json
    assert [t['name'] for t in body['transfers']] == ['t1']


def test_page_keys_are_ignored_before_3_59(alice, backend, three_offers):
    oldest_first = [t['id'] for t in three_offers]
    client = alice.at('3.58')
    for path in ('volume-transfers/detail', 'os-volume-transfer'):
        body = client.get(path + '?limit=1&offset=1&sort=name:desc'
                          '&marker=' + oldest_first[0]).json
        assert [t['id'] for t in body['transfers']] == oldest_first
        assert 'transfers_links' not in body
        call = backend.calls[-1][1]
        assert (call['marker'], call['offset'], call['sort']) == (
            None, 0, [['created_at', 'asc'], ['id', 'asc']])
    # Filters still count.
    body = client.get('volume-transfers?name=t2&limit=0').json
    assert [t['name'] for t in body['transfers']] == ['t2']


def test_bad_page_keys_are_400_from_3_59(alice, three_offers):
    alice.at('3.58').get('volume-transfers?limit=x')
    alice.at('3.59').get('volume-transfers?limit=x', status=400)
    alice.at('3.59').get('volume-transfers?sort=name:sideways', status=400)


# 3.70 -----------------------------------------------------------------------

@pytest.mark.parametrize('version', ['3.69', '3.70'])
def test_a_transfer_at_3_70_is_as_at_3_69(alice, bob, backend, volume,
                                          version):
    """3.70 allows transfers of encrypted volumes; none are encrypted
    here, so nothing changes."""
    created = _offer(alice.at(version), volume, 'volume-transfers')
    assert set(created) == DETAIL_KEYS | HISTORY_KEYS | {'no_snapshots',
                                                         'auth_key'}
    shown = alice.at(version).get('volume-transfers/' + created['id']).json[
        'transfer']
    assert shown == {k: v for k, v in created.items() if k != 'auth_key'}
    bob.at(version).post('volume-transfers/%s/accept' % created['id'],
                         {'accept': {'auth_key': created['auth_key']}})
    assert backend.volumes[volume['id']]['project_id'] == 'p2'
