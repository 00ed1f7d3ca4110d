import uuid

import pytest

from snapvol_volume import group_types
from tests.unit.api.helpers import Client
from tests.unit.api.helpers import basic_auth

CONSISTENT = group_types.CONSISTENT_ID
DETAIL_KEYS_313 = {'id', 'status', 'availability_zone', 'created_at', 'name',
                   'description', 'group_type', 'volume_types'}
DETAIL_KEYS = DETAIL_KEYS_313 | {'group_snapshot_id', 'source_group_id'}


@pytest.fixture
def alice(alice):
    return alice.at('3.14')


@pytest.fixture
def bob(bob):
    return bob.at('3.14')


def create_group(client, **fields):
    fields.setdefault('group_type', 'consistent')
    fields.setdefault('volume_types', ['default'])
    return client.post('groups', {'group': fields}).json['group']


@pytest.fixture
def group(alice):
    return create_group(alice, name='g1')


def test_create_answers_202_with_cinders_summary(alice, backend):
    response = alice.post('groups', {'group': {
        'group_type': CONSISTENT, 'volume_types': ['t1', 't2'],
        'name': ' g1 ', 'description': 'd', 'availability_zone': None}})
    assert response.status_int == 202
    created = response.json['group']
    assert set(created) == {'id', 'name'}
    assert created['name'] == 'g1'
    assert backend.calls[-1] == ('create_group', {
        'group_type': CONSISTENT, 'volume_types': ['t1', 't2'],
        'name': 'g1', 'description': 'd', 'availability_zone': None})


def test_show_at_3_14_and_3_13(alice, group):
    shown = alice.get('groups/' + group['id']).json['group']
    assert set(shown) == DETAIL_KEYS
    assert (shown['status'], shown['group_type'], shown['volume_types'],
            shown['group_snapshot_id'], shown['source_group_id']) == (
        'available', CONSISTENT, ['default'], None, None)
    older = alice.at('3.13').get('groups/' + group['id']).json['group']
    assert set(older) == DETAIL_KEYS_313


@pytest.mark.parametrize('fields', [
    {'group_type': None},
    {'volume_types': []},
    {'volume_types': 'default'},
    {'volume_types': ['a', 'a']},
    {'volume_types': None},
    {'name': 'x' * 256},
    {'size': 1},
])
def test_create_refuses_bad_bodies(alice, backend, fields):
    body = dict({'group_type': 'consistent', 'volume_types': ['t']},
                **fields)
    response = alice.post('groups', {'group': body}, status=400)
    assert response.json['badRequest']['code'] == 400
    assert not backend.groups


@pytest.mark.parametrize('missing', ['group_type', 'volume_types'])
def test_create_requires_type_and_volume_types(alice, missing):
    body = {'group_type': 'consistent', 'volume_types': ['t']}
    del body[missing]
    response = alice.post('groups', {'group': body}, status=400)
    assert missing in response.json['badRequest']['message']


def test_create_with_unknown_type_is_404(alice):
    alice.post('groups', {'group': {'group_type': 'nope',
                                    'volume_types': ['t']}}, status=404)


def test_list_summary_and_detail(alice, group):
    assert alice.get('groups').json['groups'] == [group]
    (detail,) = alice.get('groups/detail').json['groups']
    assert set(detail) == DETAIL_KEYS
    assert detail['id'] == group['id']


def test_list_filters_by_name(alice, backend, group):
    create_group(alice, name='other')
    listed = alice.get('groups/detail?name=other').json['groups']
    assert [g['name'] for g in listed] == ['other']
    assert backend.calls[-1][1]['filters'] == {'name': 'other'}


def test_update_adds_and_removes_volumes(alice, backend, group):
    v1, v2 = alice.create_volume(), alice.create_volume()
    path = 'groups/' + group['id']
    response = alice.put(path, {'group': {
        'name': 'renamed', 'add_volumes': '%s, %s,%s' % (
            v1['id'].upper(), v2['id'], v1['id'])}}, status=202)
    assert response.body == b''
    assert backend.calls[-1] == ('update_group', {
        'group_id': group['id'], 'values': {'name': 'renamed'},
        'add_volumes': [v1['id'], v2['id']], 'remove_volumes': []})
    assert alice.get(path).json['group']['name'] == 'renamed'
    alice.put(path, {'group': {'remove_volumes': v2['id']}}, status=202)
    assert backend.calls[-1][1]['remove_volumes'] == [v2['id']]
    assert backend.volumes[v1['id']]['group_id'] == group['id']
    assert backend.volumes[v2['id']]['group_id'] is None


@pytest.mark.parametrize('body', [
    {'group': {}},
    {'group': {'add_volumes': ''}},
    {'group': {'name': None, 'remove_volumes': ' , '}},
    {'group': {'add_volumes': 'not-a-uuid'}},
    {'group': {'add_volumes': ['a']}},
    {'group': {'volume_types': ['x']}},
    {'name': 'x'},
])
def test_update_refuses_bad_bodies(alice, backend, group, body):
    alice.put('groups/' + group['id'], body, status=400)
    assert backend.calls[-1][0] != 'update_group'


def test_list_pages_with_next_links(make_app):
    client = Client(make_app(max_limit=2), basic_auth('alice'),
                    'p1').at('3.13')
    ids = {create_group(client)['id'] for _ in range(3)}
    first = client.get('groups').json
    assert len(first['groups']) == 2
    # Cinder's key for groups (volumes_links, snapshots_links...).
    (link,) = first['group_links']
    assert link['rel'] == 'next'
    rest = client.app.get(link['href'], headers=client.headers).json
    assert {g['id'] for g in first['groups'] + rest['groups']} == ids


def test_delete_with_volumes(alice, backend, group):
    volume = alice.create_volume()
    alice.put('groups/' + group['id'],
              {'group': {'add_volumes': volume['id']}}, status=202)
    path = 'groups/%s/action' % group['id']
    response = alice.post(path, {'delete': {'delete-volumes': False}},
                          status=400)
    assert 'volume' in response.json['badRequest']['message']
    assert alice.post(path, {'delete': {'delete-volumes': 'true'}}).body \
        == b''
    assert backend.calls[-1] == ('delete_group', {
        'group_id': group['id'], 'delete_volumes': True})
    assert backend.volumes[volume['id']]['status'] == 'deleting'
    alice.get('groups/' + group['id'], status=404)


def test_delete_without_flag_means_false(alice, backend, group):
    alice.post('groups/%s/action' % group['id'], {'delete': {}})
    assert backend.calls[-1][1]['delete_volumes'] is False


@pytest.mark.parametrize('body', [
    {'delete': {'delete-volumes': 'maybe'}},
    {'delete': {'cascade': True}},
    {'reset_status': {'status': 'error'}},
    {'delete': {}, 'other': {}},
    {'delete': True},
])
def test_group_actions_refuse_bad_bodies(alice, group, body):
    alice.post('groups/%s/action' % group['id'], body, status=400)


def test_unknown_and_malformed_ids_are_404(alice):
    for group_id in ('x', str(uuid.uuid4())):
        response = alice.get('groups/' + group_id, status=404)
        assert 'Group' in response.json['itemNotFound']['message']
        alice.put('groups/' + group_id, {'group': {'name': 'n'}},
                  status=404)
        alice.post('groups/%s/action' % group_id, {'delete': {}},
                   status=404)


def test_other_projects_groups_are_not_found(alice, bob, group):
    bob.get('groups/' + group['id'], status=404)
    bob.put('groups/' + group['id'], {'group': {'name': 'x'}}, status=404)
    bob.post('groups/%s/action' % group['id'], {'delete': {}}, status=404)
    assert bob.get('groups/detail').json['groups'] == []


def test_adding_another_projects_volume_is_404(alice, bob, group):
    theirs = bob.create_volume()
    alice.put('groups/' + group['id'],
              {'group': {'add_volumes': theirs['id']}}, status=404)


@pytest.mark.parametrize('version', ['3.0', '3.12'])
def test_groups_are_404_below_3_13(alice, backend, group, version):
    old = alice.at(version)
    backend.calls.clear()
    old.get('groups', status=404)
    old.get('groups/' + group['id'], status=404)
    old.post('groups', {'group': {'group_type': 'consistent',
                                  'volume_types': ['t']}}, status=404)
    old.post('groups/%s/action' % group['id'], {'delete': {}}, status=404)
    assert backend.calls == []


def test_collection_post_to_an_id_is_404(alice, group):
    alice.post('groups/' + group['id'], {'group': {}}, status=404)


# create-from-src (3.14) ----------------------------------------------------

@pytest.fixture
def group_snapshot(alice, backend, group):
    volume = alice.create_volume(size=2, name='member')
    alice.put('groups/' + group['id'],
              {'group': {'add_volumes': volume['id']}}, status=202)
    created = alice.post('group_snapshots', {'group_snapshot': {
        'group_id': group['id']}}).json['group_snapshot']
    backend.group_snapshots[created['id']]['status'] = 'available'
    return created


def test_create_from_group_snapshot(alice, backend, group_snapshot):
    response = alice.post('groups/action', {'create-from-src': {
        'group_snapshot_id': group_snapshot['id'].upper(), 'name': 'copy',
        'description': None}})
    created = response.json['group']
    assert set(created) == {'id', 'name'}
    (call,) = [c for c in backend.calls if c[0] == 'create_group_from_src']
    assert call[1] == {'group_snapshot_id': group_snapshot['id'],
                       'source_group_id': None, 'name': 'copy',
                       'description': None}
    shown = alice.get('groups/' + created['id']).json['group']
    assert shown['group_snapshot_id'] == group_snapshot['id']
    members = alice.get('volumes/detail?group_id='
                        + created['id']).json['volumes']
    assert [v['size'] for v in members] == [2]


@pytest.mark.parametrize('args', [
    {},
    {'name': 'x'},
    {'group_snapshot_id': None},
    {'group_snapshot_id': 'nope'},
    {'group_snapshot_id': str(uuid.uuid4()),
     'source_group_id': str(uuid.uuid4())},
    {'group_snapshot_id': str(uuid.uuid4()), 'group_type': 'consistent'},
])
def test_create_from_src_refuses_bad_bodies(alice, backend, args):
    alice.post('groups/action', {'create-from-src': args}, status=400)
    assert not backend.groups


def test_create_from_source_group_is_the_managers_refusal(alice, backend,
                                                         group):
    response = alice.post('groups/action', {'create-from-src': {
        'source_group_id': group['id']}}, status=400)
    assert 'source_group_id' in response.json['badRequest']['message']
    assert backend.calls[-1][1]['source_group_id'] == group['id']


def test_create_from_unknown_group_snapshot_is_404(alice):
    alice.post('groups/action', {'create-from-src': {
        'group_snapshot_id': str(uuid.uuid4())}}, status=404)


def test_create_from_another_projects_group_snapshot_is_404(
        bob, group_snapshot):
    bob.post('groups/action', {'create-from-src': {
        'group_snapshot_id': group_snapshot['id']}}, status=404)


def test_create_from_src_is_404_at_3_13(alice, group_snapshot):
    alice.at('3.13').post('groups/action', {'create-from-src': {
        'group_snapshot_id': group_snapshot['id']}}, status=404)


def test_other_collection_actions_are_400(alice):
    alice.post('groups/action', {'delete': {}}, status=400)


# Volumes in groups ----------------------------------------------------------

def test_volume_detail_shows_group_id_from_3_13(alice, group):
    volume = alice.create_volume()
    assert volume['group_id'] is None
    alice.put('groups/' + group['id'],
              {'group': {'add_volumes': volume['id']}}, status=202)
    path = 'volumes/' + volume['id']
    assert alice.get(path).json['volume']['group_id'] == group['id']
    assert alice.at('3.13').get(path).json['volume']['group_id'] == \
        group['id']
    assert 'group_id' not in alice.at('3.12').get(path).json['volume']


def test_volume_list_filters_by_group_from_3_10(alice, backend, group):
    inside, outside = alice.create_volume(), alice.create_volume()
    alice.put('groups/' + group['id'],
              {'group': {'add_volumes': inside['id']}}, status=202)
    query = 'volumes/detail?group_id=' + group['id'].upper()
    listed = alice.at('3.10').get(query).json['volumes']
    assert [v['id'] for v in listed] == [inside['id']]
    assert backend.calls[-1][1]['filters'] == {'group_id': group['id']}
    # Ignored below 3.10, as Cinder ignores it.
    listed = alice.at('3.9').get(query).json['volumes']
    assert {v['id'] for v in listed} == {inside['id'], outside['id']}
    assert backend.calls[-1][1]['filters'] == {}


def test_volume_create_into_a_group_is_refused_clearly(alice, backend,
                                                       group):
    response = alice.post('volumes', {'volume': {
        'size': 1, 'group_id': group['id']}}, status=400)
    assert 'add_volumes' in response.json['badRequest']['message']
    assert not backend.volumes
