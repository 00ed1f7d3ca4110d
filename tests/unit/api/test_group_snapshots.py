import uuid

import pytest

from snapvol_volume import group_types

DETAIL_KEYS = {'id', 'group_id', 'group_type_id', 'status', 'created_at',
               'name', 'description'}


@pytest.fixture
def alice(alice):
    return alice.at('3.14')


@pytest.fixture
def bob(bob):
    return bob.at('3.14')


@pytest.fixture
def volumes(alice):
    return [alice.create_volume(size=1), alice.create_volume(size=2)]


@pytest.fixture
def group(alice, volumes):
    group = alice.post('groups', {'group': {
        'group_type': 'consistent', 'volume_types': ['t']}}).json['group']
    alice.put('groups/' + group['id'], {'group': {
        'add_volumes': ','.join(v['id'] for v in volumes)}}, status=202)
    return group


def create(client, group_id, **fields):
    fields['group_id'] = group_id
    return client.post('group_snapshots',
                       {'group_snapshot': fields}).json['group_snapshot']


def test_create_answers_202_with_cinders_summary(alice, backend, group):
    response = alice.post('group_snapshots', {'group_snapshot': {
        'group_id': group['id'].upper(), 'name': 'gs', 'description': 'd'}})
    assert response.status_int == 202
    created = response.json['group_snapshot']
    assert created == {'id': created['id'], 'name': 'gs',
                       'group_type_id': group_types.CONSISTENT_ID}
    (call,) = [c for c in backend.calls if c[0] == 'create_group_snapshot']
    assert call[1] == {'group_id': group['id'], 'name': 'gs',
                       'description': 'd'}


def test_show_and_lists(alice, group):
    created = create(alice, group['id'], name='gs')
    shown = alice.get('group_snapshots/' + created['id']).json[
        'group_snapshot']
    assert set(shown) == DETAIL_KEYS
    assert (shown['group_id'], shown['status'], shown['name']) == (
        group['id'], 'creating', 'gs')
    assert alice.get('group_snapshots').json['group_snapshots'] == [
        {'id': created['id'], 'name': 'gs'}]
    assert alice.get('group_snapshots/detail').json['group_snapshots'] == [
        shown]


def test_list_filters_by_group(alice, backend, group):
    create(alice, group['id'])
    other = alice.post('groups', {'group': {
        'group_type': 'consistent', 'volume_types': ['t']}}).json['group']
    listed = alice.at('3.29').get('group_snapshots/detail?group_id='
                                  + other['id'])
    assert listed.json['group_snapshots'] == []
    assert backend.calls[-1][1]['filters'] == {'group_id': other['id']}


def test_member_snapshots_are_listed_by_group_snapshot(alice, backend,
                                                       group, volumes):
    created = create(alice, group['id'])
    alice.create_snapshot(volumes[0]['id'])   # not a member
    query = 'snapshots/detail?group_snapshot_id=' + created['id']
    members = alice.get(query).json['snapshots']
    assert sorted(s['volume_id'] for s in members) == sorted(
        v['id'] for v in volumes)
    assert {s['group_snapshot_id'] for s in members} == {created['id']}
    # Below 3.14 the filter is ignored and the field not shown.
    old = alice.at('3.13').get(query).json['snapshots']
    assert len(old) == 3
    assert all('group_snapshot_id' not in s for s in old)


def test_delete(alice, backend, group):
    created = create(alice, group['id'])
    response = alice.delete('group_snapshots/' + created['id'])
    assert response.body == b''
    assert backend.calls[-1] == ('delete_group_snapshot', {
        'group_snapshot_id': created['id']})
    assert backend.group_snapshots[created['id']]['status'] == 'deleting'


@pytest.mark.parametrize('fields', [
    {'group_id': None},
    {'group_id': 'nope'},
    {'name': 'x' * 256},
    {'volume_id': str(uuid.uuid4())},
])
def test_create_refuses_bad_bodies(alice, backend, group, fields):
    body = dict({'group_id': group['id']}, **fields)
    alice.post('group_snapshots', {'group_snapshot': body}, status=400)
    assert not backend.group_snapshots


def test_create_needs_a_group_id(alice):
    response = alice.post('group_snapshots', {'group_snapshot': {}},
                          status=400)
    assert 'group_id' in response.json['badRequest']['message']


def test_create_of_an_empty_group_is_the_managers_400(alice):
    empty = alice.post('groups', {'group': {
        'group_type': 'consistent', 'volume_types': ['t']}}).json['group']
    alice.post('group_snapshots', {'group_snapshot': {
        'group_id': empty['id']}}, status=400)


def test_unknown_ids_are_404(alice):
    alice.post('group_snapshots', {'group_snapshot': {
        'group_id': str(uuid.uuid4())}}, status=404)
    for group_snapshot_id in ('x', str(uuid.uuid4())):
        response = alice.get('group_snapshots/' + group_snapshot_id,
                             status=404)
        assert 'Group snapshot' in response.json['itemNotFound']['message']
        alice.delete('group_snapshots/' + group_snapshot_id, status=404)


def test_other_projects_group_snapshots_are_not_found(alice, bob, group):
    created = create(alice, group['id'])
    bob.get('group_snapshots/' + created['id'], status=404)
    bob.delete('group_snapshots/' + created['id'], status=404)
    bob.post('group_snapshots', {'group_snapshot': {
        'group_id': group['id']}}, status=404)
    assert bob.get('group_snapshots/detail').json['group_snapshots'] == []


def test_no_update(alice, group):
    created = create(alice, group['id'])
    alice.put('group_snapshots/' + created['id'],
              {'group_snapshot': {'name': 'x'}}, status=405)


def test_404_below_3_14(alice, backend, group):
    created = create(alice, group['id'])
    old = alice.at('3.13')
    backend.calls.clear()
    old.get('group_snapshots', status=404)
    old.get('group_snapshots/' + created['id'], status=404)
    old.delete('group_snapshots/' + created['id'], status=404)
    old.post('group_snapshots', {'group_snapshot': {
        'group_id': group['id']}}, status=404)
    assert backend.calls == []
