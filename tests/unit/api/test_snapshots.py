import uuid

import pytest

SUMMARY_KEYS = {'id', 'name', 'description', 'volume_id', 'status', 'size',
                'metadata', 'created_at', 'updated_at'}
DETAIL_KEYS = SUMMARY_KEYS | {'os-extended-snapshot-attributes:progress',
                              'os-extended-snapshot-attributes:project_id'}


def _extended(snapshot):
    """A create's answer as shows and detailed lists give it."""
    return dict(snapshot, **{
        'os-extended-snapshot-attributes:progress': '0%',
        'os-extended-snapshot-attributes:project_id': 'p1'})


@pytest.fixture
def volume(alice):
    return alice.create_volume(size=3)


def test_create_returns_202_and_the_detail(alice, backend, volume):
    response = alice.post('snapshots', {'snapshot': {
        'volume_id': volume['id'], 'force': False, 'name': 'snap',
        'description': 'first', 'metadata': {'k': 'v'}}})
    snapshot = response.json['snapshot']
    # Cinder's extension adds these to shows, not to this answer.
    assert set(snapshot) == SUMMARY_KEYS
    assert snapshot['volume_id'] == volume['id']
    assert snapshot['size'] == 3
    assert snapshot['status'] == 'creating'
    shown = alice.get('snapshots/' + snapshot['id']).json['snapshot']
    assert set(shown) == DETAIL_KEYS
    assert shown['os-extended-snapshot-attributes:project_id'] == 'p1'
    assert shown['os-extended-snapshot-attributes:progress'] == '0%'
    creates = [c for c in backend.calls if c[0] == 'create_snapshot']
    assert creates == [('create_snapshot', {
        'volume_id': volume['id'], 'name': 'snap', 'description': 'first',
        'metadata': {'k': 'v'}, 'force': False})]


@pytest.mark.parametrize('force, expected', [
    (True, True), ('true', True), ('True', True), ('1', True),
    ('false', False), ('0', False)])
def test_create_force_flag(alice, backend, volume, force, expected):
    alice.create_snapshot(volume['id'], force=force)
    assert backend.calls[-1][1]['force'] is expected


@pytest.mark.parametrize('fields', [
    {},
    {'volume_id': 'nope'},
    {'force': 'maybe'},
    {'force': 2},
    {'name': 'x' * 256},
    {'metadata': {'k': 2}},
    {'size': 1},
])
def test_create_refuses_bad_fields(alice, backend, volume, fields):
    body = dict({'volume_id': volume['id']}, **fields)
    if not fields:
        del body['volume_id']
    alice.post('snapshots', {'snapshot': body}, status=400)
    assert not backend.snapshots


def test_create_for_unknown_volume_is_404(alice):
    alice.post('snapshots', {'snapshot': {'volume_id': str(uuid.uuid4())}},
               status=404)


def test_create_for_another_projects_volume_is_404(bob, volume):
    bob.post('snapshots', {'snapshot': {'volume_id': volume['id']}},
             status=404)


def test_list_summary_and_detail(alice, volume):
    snapshot = alice.create_snapshot(volume['id'], name='s1')
    (summary,) = alice.get('snapshots').json['snapshots']
    assert set(summary) == SUMMARY_KEYS
    (detail,) = alice.get('snapshots/detail').json['snapshots']
    assert detail == _extended(snapshot)


def test_list_filters_by_volume(alice, backend, volume):
    other = alice.create_volume()
    alice.create_snapshot(volume['id'])
    alice.create_snapshot(other['id'])
    listed = alice.get('snapshots/detail?volume_id=' + other['id'])
    assert [s['volume_id'] for s in listed.json['snapshots']] == [
        other['id']]
    assert backend.calls[-1][1]['filters'] == {'volume_id': other['id']}


def test_show_update_delete(alice, backend, volume):
    snapshot = alice.create_snapshot(volume['id'], name='old')
    path = 'snapshots/' + snapshot['id']
    assert alice.get(path).json['snapshot'] == _extended(snapshot)
    updated = alice.put(path, {'snapshot': {
        'name': 'new', 'display_description': 'd'}}).json['snapshot']
    assert (updated['name'], updated['description']) == ('new', 'd')
    assert alice.delete(path).body == b''
    assert backend.snapshots[snapshot['id']]['status'] == 'deleting'


@pytest.mark.parametrize('body', [
    {'snapshot': {}}, {'snapshot': {'metadata': {}}},
    {'snapshot': {'status': 'available'}}, {'name': 'x'},
])
def test_update_refuses_bad_bodies(alice, volume, body):
    snapshot = alice.create_snapshot(volume['id'])
    alice.put('snapshots/' + snapshot['id'], body, status=400)


def test_malformed_and_unknown_ids_are_404(alice):
    for snapshot_id in ('x', str(uuid.uuid4())):
        response = alice.get('snapshots/' + snapshot_id, status=404)
        assert 'Snapshot' in response.json['itemNotFound']['message']
        alice.delete('snapshots/' + snapshot_id, status=404)


def test_other_projects_snapshots_are_not_found(alice, bob, volume):
    snapshot = alice.create_snapshot(volume['id'])
    bob.get('snapshots/' + snapshot['id'], status=404)
    assert bob.get('snapshots/detail').json['snapshots'] == []
