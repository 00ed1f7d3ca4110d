import uuid

import pytest

DETAIL_KEYS = {
    'id', 'name', 'description', 'size', 'status', 'availability_zone',
    'created_at', 'updated_at', 'attachments', 'bootable', 'encrypted',
    'multiattach', 'metadata', 'snapshot_id', 'source_volid', 'volume_type',
    'user_id', 'replication_status', 'consistencygroup_id', 'links',
    'os-vol-tenant-attr:tenant_id',
}
ADMIN_KEYS = {'os-vol-host-attr:host', 'migration_status',
              'os-vol-mig-status-attr:migstat',
              'os-vol-mig-status-attr:name_id'}


def test_create_returns_202_and_the_detail(alice, backend):
    response = alice.post('volumes', {'volume': {
        'size': 2, 'name': 'data', 'description': 'my data',
        'metadata': {'purpose': 'test'}}})
    volume = response.json['volume']
    # Cinder's extensions add the project to shows, not to this answer.
    assert set(volume) == DETAIL_KEYS - {'os-vol-tenant-attr:tenant_id'}
    assert alice.get('volumes/' + volume['id']).json['volume'][
        'os-vol-tenant-attr:tenant_id'] == 'p1'
    assert volume['size'] == 2
    assert volume['name'] == 'data'
    assert volume['status'] == 'creating'
    assert volume['bootable'] == 'false'
    assert volume['encrypted'] is False
    assert volume['metadata'] == {'purpose': 'test'}
    assert response.headers['Location'] == (
        'http://localhost/v3/p1/volumes/' + volume['id'])
    assert volume['links'] == [
        {'rel': 'self',
         'href': 'http://localhost/v3/p1/volumes/' + volume['id']},
        {'rel': 'bookmark',
         'href': 'http://localhost/p1/volumes/' + volume['id']}]
    creates = [c for c in backend.calls if c[0] == 'create_volume']
    assert creates == [('create_volume', {
        'size': 2, 'name': 'data', 'description': 'my data',
        'metadata': {'purpose': 'test'}, 'snapshot_id': None,
        'volume_type': None})]


def test_create_as_cinderclient_sends_it(alice, backend):
    alice.post('volumes', {'volume': {
        'size': '3', 'consistencygroup_id': None, 'snapshot_id': None,
        'name': None, 'description': None, 'volume_type': None,
        'availability_zone': None, 'metadata': {}, 'imageRef': None,
        'source_volid': None, 'backup_id': None}})
    assert backend.calls[-1][1]['size'] == 3


def test_create_takes_v1_display_names(alice):
    volume = alice.create_volume(display_name='old',
                                 display_description='style')
    assert (volume['name'], volume['description']) == ('old', 'style')


def test_create_from_snapshot(alice):
    volume = alice.create_volume()
    snapshot = alice.create_snapshot(volume['id'])
    clone = alice.create_volume(snapshot_id=snapshot['id'].upper())
    assert clone['snapshot_id'] == snapshot['id']


@pytest.mark.parametrize('size', [
    0, -1, 1.5, 1.0, True, 'abc', '1.5', '', None, [1], {'a': 1}, 2 ** 40,
    '0',
])
def test_create_refuses_bad_sizes(alice, backend, size):
    response = alice.post('volumes', {'volume': {'size': size}}, status=400)
    assert 'size' in response.json['badRequest']['message']
    assert not backend.volumes


@pytest.mark.parametrize('fields', [
    {},
    {'name': 'x' * 256},
    {'description': 'x' * 256},
    {'name': 5},
    {'metadata': {'k': 1}},
    {'metadata': {'k': 'v' * 256}},
    {'metadata': {'k' * 256: 'v'}},
    {'metadata': ['k']},
    {'snapshot_id': 'not-a-uuid'},
    {'imageRef': 'some-image'},
    {'multiattach': True},
])
def test_create_refuses_bad_fields(alice, backend, fields):
    body = {'volume': dict({'size': 1}, **fields)}
    if fields == {}:
        body = {'volume': {}}
    response = alice.post('volumes', body, status=400)
    assert response.json['badRequest']['code'] == 400
    assert not backend.volumes


@pytest.mark.parametrize('body', [{}, {'volume': 1}, {'volumes': {}},
                                  {'volume': {'size': 1}, 'extra': 1}, []])
def test_create_refuses_bad_envelopes(alice, body):
    alice.post('volumes', body, status=400)


def test_create_with_a_long_name_does_not_echo_it(alice):
    response = alice.post('volumes', {'volume': {'size': 1,
                                                 'name': 'y' * 10000}},
                          status=400)
    assert 'y' * 300 not in response.text
    assert 'longer than 255' in response.json['badRequest']['message']


def test_show(alice):
    created = alice.create_volume(name='shown')
    volume = alice.get('volumes/' + created['id']).json['volume']
    assert volume == dict(created, **{'os-vol-tenant-attr:tenant_id': 'p1'})


def test_show_accepts_uppercase_ids(alice):
    created = alice.create_volume()
    alice.get('volumes/' + created['id'].upper())


def test_show_unknown_and_malformed_ids_are_404(alice):
    for volume_id in (str(uuid.uuid4()), 'abc', '1' * 300):
        response = alice.get('volumes/' + volume_id, status=404)
        assert response.json['itemNotFound']['code'] == 404


def test_other_projects_volumes_are_not_found(alice, bob):
    volume = alice.create_volume()
    bob.get('volumes/' + volume['id'], status=404)
    bob.put('volumes/' + volume['id'], {'volume': {'name': 'x'}},
            status=404)
    bob.delete('volumes/' + volume['id'], status=404)


def test_cross_project_url_is_refused(alice, app):
    response = app.get('/v3/p2/volumes', headers=alice.headers, status=400)
    assert 'p2' in response.json['badRequest']['message']
    app.post_json('/v3/p2/volumes', {'volume': {'size': 1}},
                  headers=alice.headers, status=400)


def test_admin_sees_host_and_migration_attributes(alice, admin):
    volume = alice.create_volume()
    assert not ADMIN_KEYS & set(volume)
    shown = admin.get('volumes/' + volume['id']).json['volume']
    assert set(shown) == DETAIL_KEYS | ADMIN_KEYS
    # Cinder's host@backend#pool, which tempest's schema checks.
    assert shown['os-vol-host-attr:host'] == 'node1@local#/srv/volumes'
    assert shown['os-vol-tenant-attr:tenant_id'] == 'p1'


def test_admin_works_in_another_projects_url(alice, admin, app):
    volume = alice.create_volume()
    response = app.get('/v3/p1/volumes/' + volume['id'],
                       headers=admin.headers)
    assert response.json['volume']['links'][0]['href'].startswith(
        'http://localhost/v3/p1/')


def test_update(alice, backend):
    volume = alice.create_volume(name='before')
    updated = alice.put('volumes/' + volume['id'], {'volume': {
        'name': 'after', 'description': 'd', 'metadata': {'a': 'b'}}}
    ).json['volume']
    assert (updated['name'], updated['description']) == ('after', 'd')
    assert updated['metadata'] == {'a': 'b'}
    assert backend.calls[-1] == ('update_volume', {
        'volume_id': volume['id'],
        'values': {'name': 'after', 'description': 'd',
                   'metadata': {'a': 'b'}}})


@pytest.mark.parametrize('body', [
    {'volume': {}}, {'volume': {'size': 2}}, {'volume': {'name': 1}},
    {'volume': {'status': 'available'}}, {},
])
def test_update_refuses_bad_bodies(alice, body):
    """As Cinder from 3.53 (test_version_boundaries has the looser rule
    before it)."""
    volume = alice.create_volume()
    alice.at('3.53').put('volumes/' + volume['id'], body, status=400)


def test_delete_returns_202_without_body(alice, backend):
    volume = alice.create_volume()
    backend.volumes[volume['id']]['status'] = 'available'
    response = alice.delete('volumes/' + volume['id'])
    assert response.body == b''
    assert backend.volumes[volume['id']]['status'] == 'deleting'


def test_delete_in_wrong_status_is_400_as_in_cinder(alice):
    volume = alice.create_volume()
    response = alice.delete('volumes/' + volume['id'], status=400)
    fault = response.json['badRequest']
    assert fault['code'] == 400
    assert 'creating' in fault['message']


def test_admin_creates_only_in_own_project(app, admin):
    response = app.post_json('/v3/p1/volumes', {'volume': {'size': 1}},
                             headers=admin.headers, status=400)
    assert '/v3/ops/' in response.json['badRequest']['message']
    admin.create_volume()


def test_clone_of_an_unknown_volume_is_404_and_of_a_known_one_400(
        alice, bob, backend):
    alice.post('volumes', {'volume': {'size': 1, 'source_volid': str(
        uuid.uuid4())}}, status=404)
    source = alice.create_volume()
    response = alice.post('volumes', {'volume': {
        'size': 1, 'source_volid': source['id']}}, status=400)
    assert 'source_volid is not supported' in \
        response.json['badRequest']['message']
    # Another project's volume is unknown.
    bob.post('volumes', {'volume': {'size': 1, 'source_volid': source[
        'id']}}, status=404)
    assert list(backend.volumes) == [source['id']]


def test_snapshot_of_no_volume_is_404_and_its_location_is_given(
        alice, backend):
    alice.post('snapshots', {'snapshot': {'volume_id': None}}, status=404)
    volume = alice.create_volume()
    response = alice.post('snapshots', {'snapshot': {
        'volume_id': volume['id']}})
    assert response.headers['Location'].endswith(
        '/v3/p1/snapshots/' + response.json['snapshot']['id'])
