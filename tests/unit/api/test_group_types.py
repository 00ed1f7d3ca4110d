import pytest

from snapvol_volume import group_types

CONSISTENT = group_types.CONSISTENT_ID
KEYS = {'id', 'name', 'description', 'is_public'}


@pytest.fixture
def alice(alice):
    return alice.at('3.11')


@pytest.fixture
def admin(admin):
    return admin.at('3.11')


def test_list_shows_the_built_in_type_without_specs(alice):
    (group_type,) = alice.get('group_types').json['group_types']
    assert set(group_type) == KEYS
    assert (group_type['id'], group_type['name'], group_type['is_public']) \
        == (CONSISTENT, 'consistent', True)


def test_admin_sees_the_group_specs(admin):
    (group_type,) = admin.get('group_types').json['group_types']
    assert group_type['group_specs'] == {
        'consistent_group_snapshot_enabled': '<is> True'}
    shown = admin.get('group_types/' + CONSISTENT).json['group_type']
    assert shown == group_type


def test_list_ignores_is_public_as_cinderclient_sends_it(alice):
    listed = alice.get('group_types?is_public=None').json['group_types']
    assert [t['id'] for t in listed] == [CONSISTENT]


@pytest.mark.parametrize('name', [CONSISTENT, 'default'])
def test_show_by_id_and_default(alice, backend, name):
    shown = alice.get('group_types/' + name).json['group_type']
    assert shown['id'] == CONSISTENT
    assert backend.calls[-1] == ('get_group_type', {'group_type_id': name})


def test_unknown_type_is_404(alice):
    response = alice.get('group_types/0b6f8e2c-0000-0000-0000-000000000000',
                         status=404)
    assert 'Group type' in response.json['itemNotFound']['message']


@pytest.mark.parametrize('version', [None, '3.0', '3.10'])
def test_404_below_3_11(app, alice, backend, version):
    client = alice if version is None else alice.at(version)
    if version is None:
        client.headers.pop('OpenStack-API-Version')
    response = client.get('group_types', status=404)
    assert response.json['itemNotFound']['code'] == 404
    client.get('group_types/default', status=404)
    assert backend.calls == []


def test_changes_are_forbidden_to_users(alice):
    alice.post('group_types', {'group_type': {'name': 'x'}}, status=403)
    alice.put('group_types/' + CONSISTENT, {'group_type': {'name': 'x'}},
              status=403)
    alice.delete('group_types/' + CONSISTENT, status=403)


def test_admin_is_told_the_types_are_built_in(admin):
    response = admin.post('group_types', {'group_type': {'name': 'x'}},
                          status=405)
    assert 'built-in' in response.json['badMethod']['message']
    assert response.headers['Allow'] == 'GET'
    admin.delete('group_types/' + CONSISTENT, status=405)
