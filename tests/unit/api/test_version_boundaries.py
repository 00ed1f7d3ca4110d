"""One contract test per microversion boundary of the volume API from
3.15 on (and the filters of 3.2, 3.31 and 3.34): below the version the
old behaviour, at it the new one. (Volume types, transfers, groups'
project_id, os-reimage, os-extend_volume_completion and os-services
have their own modules: test_volume_types, test_transfers_versions,
test_extend_completion and test_services.)"""

import json
import uuid

import pytest

from snapvol_api.rest.volume import versions
from tests.unit.api.helpers import Client
from tests.unit.api.helpers import basic_auth


@pytest.fixture
def volume(alice):
    return alice.create_volume(name='Alpha', metadata={'tier': 'gold'})


def _filters(backend):
    return backend.calls[-1][1]['filters']


def test_max_version_is_the_last_boundary_honoured(app, alice):
    assert str(versions.MAX_VERSION) == '3.71'
    alice.at('3.71').get('volumes')
    app.get('/v3/p1/volumes', headers=alice.at('3.72').headers, status=406)


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
            'message', 'backup'} == set(filters)
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


# 3.41, 3.65: later snapshot fields -----------------------------------------

@pytest.mark.parametrize('field, before, since, value', [
    ('user_id', '3.40', '3.41', 'alice'),
    ('consumes_quota', '3.64', '3.65', True)])
def test_snapshot_fields_from_their_version(alice, volume, field, before,
                                            since, value):
    """3.41 user_id, 3.65 consumes_quota: in shows and both lists."""
    snapshot = alice.create_snapshot(volume['id'])
    for version, shown in ((before, False), (since, True)):
        client = alice.at(version)
        for body in (client.get('snapshots/' + snapshot['id']).json[
                'snapshot'], client.get('snapshots').json['snapshots'][0],
                client.get('snapshots/detail').json['snapshots'][0]):
            assert (field in body) is shown
            if shown:
                assert body[field] == value
                assert type(body[field]) is type(value)


# 3.42: extend an attached volume ---------------------------------------------

def test_attached_extend_from_3_42(alice, backend, volume):
    path = 'volumes/%s/action' % volume['id']
    body = {'os-extend': {'new_size': 2}}
    alice.at('3.41').post(path, body)
    assert backend.calls[-1][1]['attached'] is False
    alice.at('3.42').post(path, body)
    assert backend.calls[-1][1]['attached'] is True


# 3.45: counts ----------------------------------------------------------------

@pytest.mark.parametrize('collection', ['volumes', 'volumes/detail',
                                        'snapshots', 'snapshots/detail'])
def test_with_count_from_3_45(alice, volume, collection):
    alice.create_volume(name='Beta')
    for other in alice.get('volumes').json['volumes']:
        alice.create_snapshot(other['id'])
    key = collection.partition('/')[0]
    query = collection + '?with_count=true&limit=1'
    response = alice.at('3.31').get(query, status=400)
    assert 'with_count' in response.json['badRequest']['message']
    assert 'count' not in alice.at('3.30').get(query).json
    body = alice.at('3.45').get(query).json
    assert len(body[key]) == 1 and body['count'] == 2
    assert 'count' not in alice.at('3.45').get(collection).json
    assert alice.at('3.45').get(collection + '?with_count=false').json.get(
        'count') is None
    filtered = alice.at('3.45').get(collection.replace(
        key, key) + '?with_count=true&name=nothing-like-it').json
    assert filtered == {key: [], 'count': 0}


# 3.48, 3.61, 3.64, 3.65, 3.69: later volume fields ---------------------------

LATER_FIELDS = {
    '3.48': {'shared_targets', 'service_uuid'},
    '3.61': {'cluster_name'},
    '3.63': {'volume_type_id'},
    '3.64': {'encryption_key_id'},
    '3.65': {'consumes_quota'},
}


@pytest.mark.parametrize('version, fields', sorted(LATER_FIELDS.items()))
def test_volume_fields_from_their_version(app, alice, volume, version,
                                          fields):
    major, minor = version.split('.')
    before = '%s.%d' % (major, int(minor) - 1)
    admin = Client(app, basic_auth('root'), 'p1')
    for client in (alice, admin):
        shown = client.at(before).get('volumes/' + volume['id']).json[
            'volume']
        assert not fields & set(shown)
        listed = client.at(version).get('volumes/detail').json['volumes'][0]
        shown = client.at(version).get('volumes/' + volume['id']).json[
            'volume']
        expected = set() if (version == '3.61' and client is alice) else (
            fields)
        assert fields & set(shown) == expected == fields & set(listed)


def test_later_volume_field_values(app, alice, volume):
    shown = alice.at('3.71').get('volumes/' + volume['id']).json['volume']
    assert shown['shared_targets'] is False
    assert shown['encryption_key_id'] is None
    assert shown['consumes_quota'] is True
    assert shown['volume_type_id'] == alice.get('types/default').json[
        'volume_type']['id']
    # One volume service, one uuid, as Cinder's service row would give.
    other = alice.create_volume()
    assert alice.at('3.48').get('volumes/' + other['id']).json['volume'][
        'service_uuid'] == shown['service_uuid'] == str(uuid.UUID(
            shown['service_uuid']))
    admin = Client(app, basic_auth('root'), 'p1')
    assert admin.at('3.61').get('volumes/' + volume['id']).json['volume'][
        'cluster_name'] is None
    # 3.69 lets shared_targets be null; file shares never need the lock.
    assert alice.at('3.69').get('volumes/' + volume['id']).json['volume'][
        'shared_targets'] is False



@pytest.mark.parametrize('collection', ['volumes', 'snapshots'])
def test_consumes_quota_filter_from_3_65(alice, volume, collection):
    alice.create_snapshot(volume['id'])
    alice.at('3.64').get(collection + '?consumes_quota=true', status=400)
    client = alice.at('3.65')
    assert len(client.get(collection + '?consumes_quota=true').json[
        collection]) == 1
    assert client.get(collection + '?consumes_quota=false').json[
        collection] == []
    client.get(collection + '?consumes_quota=maybe', status=400)


# 3.50: multiattach -----------------------------------------------------------

@pytest.mark.parametrize('version', ['3.49', '3.50'])
def test_multiattach_volumes_are_refused_at_every_version(alice, backend,
                                                          version):
    response = alice.at(version).post('volumes', {'volume': {
        'size': 1, 'multiattach': True}}, status=400)
    assert 'multiattach' in response.json['badRequest']['message']
    assert not [c for c in backend.calls if c[0] == 'create_volume']
    assert alice.at(version).create_volume(multiattach=False)[
        'multiattach'] is False


# 3.53: strict request bodies -------------------------------------------------

def test_volume_bodies_are_strict_from_3_53(alice, backend, volume):
    legacy = {'size': 1, 'user_id': 'x', 'project_id': 'p9',
              'status': 'available', 'attach_status': 'attached'}
    made = alice.at('3.52').post('volumes', {'volume': legacy}).json['volume']
    assert made['status'] == 'creating' and made['user_id'] == 'alice'
    response = alice.at('3.53').post('volumes', {'volume': legacy},
                                     status=400)
    assert 'user_id' in response.json['badRequest']['message']
    path = 'volumes/' + volume['id']
    assert alice.at('3.52').put(path, {'volume': {}}).json['volume'][
        'name'] == 'Alpha'
    assert alice.at('3.52').put(path, {'volume': {'status': 'error'}}).json[
        'volume']['status'] == volume['status']
    calls = len(backend.calls)
    alice.at('3.53').put(path, {'volume': {}}, status=400)
    alice.at('3.53').put(path, {'volume': {'status': 'error'}}, status=400)
    assert not [c for c in backend.calls[calls:]
                if c[0] == 'update_volume']
    assert alice.at('3.53').put(path, {'volume': {'name': 'B'}}).json[
        'volume']['name'] == 'B'


# 3.60: time filters ----------------------------------------------------------

def test_time_filters_from_3_60(alice, backend, volume):
    query = 'volumes/detail?created_at=gt:2026-01-01T00:00:00Z'
    alice.at('3.59').get(query, status=400)
    alice.at('3.60').get(query + ',lte:2026-12-31T10:00:00%2B02:00'
                         '&updated_at=2026-02-01T00:00:00')
    assert _filters(backend)['created_at'] == {
        'gt': '2026-01-01T00:00:00', 'lte': '2026-12-31T08:00:00'}
    assert _filters(backend)['updated_at'] == {'eq': '2026-02-01T00:00:00'}
    alice.at('3.60').get('volumes/summary?created_at=lt:2026-01-01')
    assert _filters(backend)['created_at'] == {'lt': '2026-01-01T00:00:00'}
    for bad in ('gt:yesterday', 'between:2026-01-01', ''):
        response = alice.at('3.60').get('volumes?created_at=' + bad,
                                        status=400)
        assert 'created_at' in response.json['badRequest']['message']
    alice.at('3.60').get('snapshots?created_at=gt:2026-01-01', status=400)


# 3.66: snapshots of in-use volumes without force ----------------------------

def test_snapshot_force_from_3_66(alice, backend, volume):
    body = {'volume_id': volume['id']}
    for version, fields, force in (
            ('3.65', {}, False), ('3.65', {'force': True}, True),
            ('3.65', {'force': False}, False), ('3.66', {}, True),
            ('3.66', {'force': True}, True), ('3.66', {'force': 'yes'}, True)):
        alice.at(version).post('snapshots',
                               {'snapshot': dict(body, **fields)})
        assert backend.calls[-1][1]['force'] is force, (version, fields)
    calls = len(backend.calls)
    for refused in (False, 'false', '0'):
        response = alice.at('3.66').post('snapshots', {'snapshot': dict(
            body, force=refused)}, status=400)
        assert 'force' in response.json['badRequest']['message']
    assert len(backend.calls) == calls


# 3.67: URLs without a project id -------------------------------------------

@pytest.mark.parametrize('version', ['3.0', '3.66', '3.67'])
def test_urls_without_a_project_id(app, alice, bob, volume, version):
    """Cinder serves both forms at every version; 3.67 announces it."""
    headers = alice.at(version).headers
    listed = app.get('/v3/volumes/detail', headers=headers).json['volumes']
    assert [v['id'] for v in listed] == [volume['id']]
    shown = app.get('/v3/volumes/' + volume['id'], headers=headers).json[
        'volume']
    assert shown['links'][0]['href'].endswith('/v3/p1/volumes/'
                                              + volume['id'])
    made = app.post_json('/v3/snapshots', {'snapshot': {
        'volume_id': volume['id']}}, headers=headers, status=202)
    assert made.headers['Location'].endswith(
        '/v3/p1/snapshots/' + made.json['snapshot']['id'])
    # The credentials' project, never another one's.
    app.get('/v3/volumes/' + volume['id'], headers=bob.at(version).headers,
            status=404)
    assert app.get('/v3/volumes', headers=bob.at(version).headers).json[
        'volumes'] == []


def test_urls_without_a_project_need_credentials(app, alice):
    app.get('/v3/volumes', status=401)
    app.get('/v3/no-such-collection', headers=alice.headers, status=404)


# 3.43 to 3.70: versions about what snapvol does not have ---------------------

# version: a URL of the feature it is about (None: no URL of its own).
NOT_SERVED = {'3.44': 'attachments', '3.46': None, '3.47': None,
              '3.54': 'attachments', '3.68': None}


@pytest.mark.parametrize('version, url', sorted(NOT_SERVED.items()))
def test_versions_about_what_is_not_served_change_nothing(
        alice, volume, version, url):
    major, minor = version.split('.')
    before = alice.at('%s.%d' % (major, int(minor) - 1))
    at = alice.at(version)
    for path in ('volumes/' + volume['id'], 'volumes/detail', 'types',
                 'limits'):
        assert at.get(path).json == before.get(path).json, path
    if url is not None:
        before.get(url, status=404)
        at.get(url, status=404)
