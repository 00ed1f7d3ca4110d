"""One contract test per microversion boundary of the volume API from
3.15 on (and the filters of 3.2, 3.31 and 3.34): below the version the
old behaviour, at it the new one."""

import json

import pytest

from snapvol_api.rest.volume import versions


@pytest.fixture
def volume(alice):
    return alice.create_volume(name='Alpha', metadata={'tier': 'gold'})


def _filters(backend):
    return backend.calls[-1][1]['filters']


def test_max_version_is_the_last_boundary_honoured(app, alice):
    assert str(versions.MAX_VERSION) == '3.42'
    alice.at('3.42').get('volumes')
    app.get('/v3/p1/volumes', headers=alice.at('3.43').headers, status=406)


# 3.2: the bootable filter ----------------------------------------------------

@pytest.mark.parametrize('version, value, expected', [
    ('3.1', 'False', False), ('3.1', 'no', True), ('3.1', '0', True),
    ('3.2', 'no', False), ('3.2', '0', False), ('3.2', 'True', True)])
def test_bootable_filter(alice, backend, volume, version, value, expected):
    alice.at(version).get('volumes?bootable=' + value)
    assert _filters(backend)['bootable'] is expected


def test_bootable_filter_is_strict_from_3_2(alice, volume):
    alice.at('3.1').get('volumes?bootable=maybe')
    response = alice.at('3.2').get('volumes?bootable=maybe', status=400)
    assert 'bootable=maybe' in response.json['badRequest']['message']


# 3.3, 3.5: user messages -----------------------------------------------------

@pytest.fixture
def messages(backend, volume):
    return [backend.add_message('p1', volume['id'], 'create volume: %d' % i)
            for i in range(3)] + [backend.add_message('p2', volume['id'],
                                                      'other')]


def test_messages_from_3_3(alice, messages):
    alice.at('3.2').get('messages', status=404)
    listed = alice.at('3.3').get('messages').json['messages']
    assert {m['id'] for m in listed} == {m['id'] for m in messages[:3]}
    shown = alice.at('3.3').get('messages/' + messages[0]['id']).json[
        'message']
    assert shown['user_message'] == 'create volume: 0'
    assert shown['guaranteed_until'] == messages[0]['expires_at']
    assert set(shown) == {'id', 'event_id', 'user_message', 'message_level',
                          'resource_type', 'resource_uuid', 'request_id',
                          'created_at', 'guaranteed_until', 'links'}


def test_another_projects_message_is_not_found(alice, messages):
    alice.at('3.3').get('messages/' + messages[3]['id'], status=404)
    alice.at('3.3').delete('messages/' + messages[3]['id'], status=404)


def test_message_delete_is_204(alice, backend, messages):
    response = alice.at('3.3').delete('messages/' + messages[0]['id'],
                                      status=204)
    assert response.body == b''
    assert messages[0]['id'] not in backend.messages


def test_message_lists_filter_and_page_from_3_5(alice, backend, messages):
    alice.at('3.4').get('messages?limit=1&event_id=x')
    assert backend.calls[-1][1]['filters'] == {}
    assert backend.calls[-1][1]['limit'] == 1000
    body = alice.at('3.5').get('messages?limit=1&event_id=VOLUME_VOLUME_'
                               '001_001').json
    assert len(body['messages']) == 1
    assert 'marker=' in body['messages_links'][0]['href']
    assert _filters(backend) == {'event_id': 'VOLUME_VOLUME_001_001'}


# 3.15: ETags on volume metadata ----------------------------------------------

def test_metadata_etag_from_3_15(alice, volume):
    path = 'volumes/%s/metadata' % volume['id']
    assert 'ETag' not in alice.at('3.14').get(path).headers
    etag = alice.at('3.15').get(path).headers['ETag']
    assert etag.startswith('"') and len(etag) == 34
    # Unchanged metadata, same tag.
    assert alice.at('3.15').get(path).headers['ETag'] == etag


def test_stale_if_match_is_412_and_changes_nothing(app, alice, backend,
                                                   volume):
    path = '/v3/p1/volumes/%s/metadata' % volume['id']
    client = alice.at('3.15')
    etag = client.get('volumes/%s/metadata' % volume['id']).headers['ETag']
    # Another client changes the metadata meanwhile.
    client.post('volumes/%s/metadata' % volume['id'],
                {'metadata': {'owner': 'ops'}}, status=200)
    app.put_json(path, {'metadata': {'tier': 'silver'}}, status=412,
                 headers=dict(client.headers, **{'If-Match': etag}))
    assert backend.volumes[volume['id']]['metadata'] == {
        'tier': 'gold', 'owner': 'ops'}
    fresh = client.get('volumes/%s/metadata' % volume['id']).headers['ETag']
    app.put_json(path, {'metadata': {'tier': 'silver'}}, status=200,
                 headers=dict(client.headers, **{'If-Match': fresh}))
    assert backend.volumes[volume['id']]['metadata'] == {'tier': 'silver'}
    # Below 3.15 If-Match is not looked at, as in Cinder.
    app.put_json(path, {'metadata': {'tier': 'bronze'}}, status=200,
                 headers=dict(alice.headers, **{'If-Match': etag}))


# 3.19, 3.20: reset_status of group snapshots and groups ----------------------

@pytest.fixture
def group(alice):
    return alice.at('3.14').post('groups', {'group': {
        'group_type': 'consistent', 'volume_types': ['t']}}).json['group']


def test_group_reset_status_from_3_20(app, admin, alice, backend, group):
    url = '/v3/p1/groups/%s/action' % group['id']
    body = {'reset_status': {'status': 'error'}}
    app.post_json(url, body, headers=admin.at('3.19').headers, status=400)
    alice.at('3.20').post('groups/%s/action' % group['id'], body,
                          status=403)
    assert backend.groups[group['id']]['status'] == 'available'
    app.post_json(url, body, headers=admin.at('3.20').headers, status=202)
    assert backend.groups[group['id']]['status'] == 'error'
    app.post_json(url, {'reset_status': {'status': 'updating'}},
                  headers=admin.at('3.20').headers, status=400)


def test_group_snapshot_reset_status_from_3_19(app, admin, alice, backend,
                                               group, volume):
    alice.at('3.14').put('groups/' + group['id'], {'group': {
        'add_volumes': volume['id']}}, status=202)
    group_snapshot = alice.at('3.14').post('group_snapshots', {
        'group_snapshot': {'group_id': group['id']}}).json['group_snapshot']
    url = '/v3/p1/group_snapshots/%s/action' % group_snapshot['id']
    body = {'reset_status': {'status': 'error'}}
    app.post_json(url, body, headers=admin.at('3.18').headers, status=400)
    alice.at('3.19').post('group_snapshots/%s/action'
                          % group_snapshot['id'], body, status=403)
    app.post_json(url, body, headers=admin.at('3.19').headers, status=202)
    assert backend.group_snapshots[group_snapshot['id']]['status'] == 'error'


# 3.21: provider_id -----------------------------------------------------------

def test_provider_id_for_admins_from_3_21(app, admin, alice, volume):
    url = '/v3/p1/volumes/' + volume['id']
    shown = app.get(url, headers=admin.at('3.20').headers).json['volume']
    assert 'provider_id' not in shown
    shown = app.get(url, headers=admin.at('3.21').headers).json['volume']
    assert shown['provider_id'] is None
    owner = alice.at('3.21').get('volumes/' + volume['id']).json['volume']
    assert 'provider_id' not in owner


# 3.22: the snapshot list's metadata filter -----------------------------------

def test_snapshot_metadata_filter_from_3_22(alice, backend, volume):
    query = 'snapshots?metadata=' + json.dumps({'k': 'v'})
    alice.at('3.21').get(query)
    assert 'metadata' not in _filters(backend)
    alice.at('3.22').get(query)
    assert _filters(backend)['metadata'] == {'k': 'v'}


# 3.25: the volumes of a group ------------------------------------------------

def test_group_volumes_from_3_25(alice, group, volume):
    alice.at('3.14').put('groups/' + group['id'], {'group': {
        'add_volumes': volume['id']}}, status=202)
    path = 'groups/%s?list_volume=true' % group['id']
    assert 'volumes' not in alice.at('3.24').get(path).json['group']
    assert alice.at('3.25').get(path).json['group']['volumes'] == [
        volume['id']]
    assert 'volumes' not in alice.at('3.25').get(
        'groups/' + group['id']).json['group']
    (listed,) = alice.at('3.25').get(
        'groups/detail?list_volume=true').json['groups']
    assert listed['volumes'] == [volume['id']]


# 3.29: group snapshot lists filter and page ----------------------------------

def test_group_snapshot_list_query_from_3_29(alice, backend, group):
    alice.at('3.28').get('group_snapshots?status=error&limit=1')
    assert backend.calls[-1][1]['filters'] == {}
    assert backend.calls[-1][1]['limit'] == 1000
    alice.at('3.29').get('group_snapshots?status=error&limit=1')
    assert _filters(backend) == {'status': 'error'}
    assert backend.calls[-1][1]['limit'] == 1


# 3.30: snapshots sort by name ------------------------------------------------

def test_snapshot_sort_by_name_from_3_30(alice, backend, volume):
    alice.at('3.29').get('snapshots?sort=name:asc', status=400)
    alice.at('3.29').get('snapshots?sort=display_name:asc')
    assert backend.calls[-1][1]['sort'] == [['name', 'asc']]
    alice.at('3.30').get('snapshots?sort=name:asc')
    assert backend.calls[-1][1]['sort'] == [['name', 'asc']]


# 3.31: unknown filters are refused -------------------------------------------

@pytest.mark.parametrize('path', ['volumes?colour=red',
                                  'snapshots/detail?size=1',
                                  'volumes/detail?metadata~=x'])
def test_unknown_filters_are_400_from_3_31(alice, backend, volume, path):
    alice.at('3.30').get(path)
    response = alice.at('3.31').get(path, status=400)
    assert 'Invalid filters' in response.json['badRequest']['message']


def test_known_filters_pass_from_3_31(alice, backend, volume):
    alice.at('3.31').get('volumes?size=1&availability_zone=nova&user_id=u'
                         '&status=available&limit=5&sort=size:asc')
    assert _filters(backend) == {'size': 1, 'availability_zone': 'nova',
                                 'user_id': 'u', 'status': 'available'}
    alice.at('3.31').get('volumes?size=-1', status=400)


# 3.33: resource filters ------------------------------------------------------

def test_resource_filters_from_3_33(alice):
    alice.at('3.32').get('resource_filters', status=404)
    body = alice.at('3.33').get('resource_filters').json
    filters = {f['resource']: f['filters'] for f in body['resource_filters']}
    assert {'volume', 'snapshot', 'group', 'group_snapshot',
            'message'} == set(filters)
    assert 'bootable' in filters['volume']
    assert 'metadata' in filters['snapshot']
    (only,) = alice.at('3.33').get(
        'resource_filters?resource=message').json['resource_filters']
    assert only['resource'] == 'message'


# 3.34: like filters ----------------------------------------------------------

def test_like_filters_from_3_34(alice, backend, volume):
    alice.create_volume(name='beta')
    alice.at('3.30').get('volumes?name~=lph')
    assert 'name~' not in _filters(backend)
    alice.at('3.33').get('volumes?name~=lph', status=400)
    listed = alice.at('3.34').get('volumes?name~=LPH').json['volumes']
    assert [v['name'] for v in listed] == ['Alpha']
    assert _filters(backend) == {'name~': 'LPH'}
    alice.at('3.34').get('volumes?size~=1', status=400)


# 3.36: the metadata of a volume summary --------------------------------------

def test_summary_metadata_from_3_36(alice, volume):
    alice.create_volume(metadata={'tier': 'silver', 'zone': 'a'})
    summary = alice.at('3.35').get('volumes/summary').json['volume-summary']
    assert 'metadata' not in summary
    summary = alice.at('3.36').get('volumes/summary').json['volume-summary']
    assert summary['metadata'] == {'tier': ['gold', 'silver'],
                                   'zone': ['a']}
    assert summary['total_count'] == 2


# 3.40: revert ----------------------------------------------------------------

def test_revert_from_3_40(alice, backend, volume):
    snapshot = alice.create_snapshot(volume['id'])
    path = 'volumes/%s/action' % volume['id']
    body = {'revert': {'snapshot_id': snapshot['id']}}
    response = alice.at('3.39').post(path, body, status=400)
    assert 'no such action' in response.json['badRequest']['message']
    alice.at('3.40').post(path, body)
    assert backend.calls[-1] == ('revert_volume', {
        'volume_id': volume['id'], 'snapshot_id': snapshot['id']})
    for bad in ({}, {'snapshot_id': 'x'}, None,
                {'snapshot_id': snapshot['id'], 'force': True}):
        alice.at('3.40').post(path, {'revert': bad}, status=400)


# 3.41: the user of a snapshot ------------------------------------------------

def test_snapshot_user_id_from_3_41(alice, volume):
    snapshot = alice.create_snapshot(volume['id'])
    for version, shown in (('3.40', False), ('3.41', True)):
        client = alice.at(version)
        for body in (client.get('snapshots/' + snapshot['id']).json[
                'snapshot'], client.get('snapshots').json['snapshots'][0],
                client.get('snapshots/detail').json['snapshots'][0]):
            assert ('user_id' in body) is shown
            if shown:
                assert body['user_id'] == 'alice'


# 3.42: extend an attached volume ---------------------------------------------

def test_attached_extend_from_3_42(alice, backend, volume):
    path = 'volumes/%s/action' % volume['id']
    body = {'os-extend': {'new_size': 2}}
    alice.at('3.41').post(path, body)
    assert backend.calls[-1][1]['attached'] is False
    alice.at('3.42').post(path, body)
    assert backend.calls[-1][1]['attached'] is True
