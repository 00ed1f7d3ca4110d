"""/types (with extra specs, 3.52's filter), /default-types (3.62),
/os-availability-zone and /extensions, and the volume_type and
availability_zone a create may name (3.63: the volume's volume_type_id)."""

import pytest

from snapvol_volume import volume_types

DEFAULT = volume_types.DEFAULT_ID
KEYS = {'id', 'name', 'description', 'is_public',
        'os-volume-type-access:is_public'}


def _create(admin, name='gold', **fields):
    fields['name'] = name
    return admin.post('types', {'volume_type': fields},
                      status=200).json['volume_type']


def test_list_shows_the_default_type_without_specs(alice):
    (volume_type,) = alice.get('types?is_public=None').json['volume_types']
    assert set(volume_type) == KEYS
    assert (volume_type['id'], volume_type['name'],
            volume_type['is_public']) == (DEFAULT, '__DEFAULT__', True)


def test_admin_sees_extra_specs_and_qos(admin):
    (volume_type,) = admin.get('types').json['volume_types']
    assert (volume_type['extra_specs'], volume_type['qos_specs_id']) == (
        {}, None)


@pytest.mark.parametrize('name', [DEFAULT, '__DEFAULT__', 'default'])
def test_show_by_id_name_and_default(alice, backend, name):
    shown = alice.get('types/' + name).json['volume_type']
    assert shown['id'] == DEFAULT
    assert backend.calls[-1] == ('get_volume_type', {'volume_type_id': name})


def test_unknown_type_is_404(alice):
    response = alice.get('types/gold', status=404)
    assert 'Volume type gold' in response.json['itemNotFound']['message']


# Administrators' changes ----------------------------------------------------

def test_create_update_delete_as_cinder_answers(admin, backend):
    created = _create(admin, description='fast',
                      extra_specs={'volume_backend_name': 'nfs'})
    assert created['name'] == 'gold'
    assert created['description'] == 'fast'
    assert created['is_public'] is True
    assert created['extra_specs'] == {'volume_backend_name': 'nfs'}
    updated = admin.put('types/' + created['id'], {'volume_type': {
        'name': None, 'description': 'faster', 'is_public': False}}).json[
            'volume_type']
    assert (updated['name'], updated['description'],
            updated['is_public']) == ('gold', 'faster', False)
    assert backend.calls[-1] == ('update_volume_type', {
        'volume_type_id': created['id'],
        'values': {'name': None, 'description': 'faster',
                   'is_public': False}})
    response = admin.delete('types/' + created['id'])
    assert response.status_int == 202 and not response.body
    admin.get('types/' + created['id'], status=404)


def test_create_takes_cinderclient_body(admin, backend):
    created = _create(admin, description=None,
                      **{'os-volume-type-access:is_public': False})
    assert created['is_public'] is False
    assert backend.calls[-1][1]['is_public'] is False


def test_users_may_not_change_types(alice, backend):
    alice.post('types', {'volume_type': {'name': 'x'}}, status=403)
    alice.put('types/' + DEFAULT, {'volume_type': {'name': 'x'}},
              status=403)
    alice.delete('types/' + DEFAULT, status=403)
    assert not [c for c in backend.calls if c[0] != 'get_volume_type']


def test_duplicate_name_is_409(admin):
    _create(admin)
    response = admin.post('types', {'volume_type': {'name': 'gold'}},
                          status=409)
    assert 'gold already exists' in response.json['conflictingRequest'][
        'message']


@pytest.mark.parametrize('body', [
    {'volume_type': {}}, {'volume_type': {'name': ''}},
    {'volume_type': {'name': '  '}}, {'name': 'x'},
    {'volume_type': {'name': 'x', 'size': 1}},
    {'volume_type': {'name': 'x', 'extra_specs': {'a': 1}}}])
def test_bad_creates_are_400(admin, backend, body):
    admin.post('types', body, status=400)
    assert len(backend.types) == 1


def test_update_must_change_something(admin):
    admin.put('types/' + DEFAULT, {'volume_type': {
        'name': None, 'description': None}}, status=400)
    admin.put('types/' + DEFAULT, {'volume_type': {'name': ' '}},
              status=400)


def test_types_in_use_or_default_are_not_deleted(admin, alice, backend):
    gold = _create(admin)
    volume = alice.create_volume(volume_type='gold')
    response = admin.delete('types/' + gold['id'], status=400)
    assert 'volumes present' in response.json['badRequest']['message']
    del backend.volumes[volume['id']]
    admin.at('3.62').put('default-types/p1', {'default_type': {
        'volume_type': 'gold'}})
    response = admin.delete('types/' + gold['id'], status=400)
    assert 'is a default volume type' in response.json['badRequest'][
        'message']
    admin.delete('types/' + DEFAULT, status=400)


def test_private_types_are_for_administrators(admin, alice):
    _create(admin, **{'os-volume-type-access:is_public': False})
    assert [t['name'] for t in alice.get('types').json[
        'volume_types']] == ['__DEFAULT__']
    alice.get('types/gold', status=404)
    assert {t['name'] for t in admin.get('types?is_public=None').json[
        'volume_types']} == {'__DEFAULT__', 'gold'}
    assert [t['name'] for t in admin.get('types?is_public=false').json[
        'volume_types']] == ['gold']
    assert [t['name'] for t in admin.get('types').json[
        'volume_types']] == ['__DEFAULT__']
    admin.get('types?is_public=maybe', status=400)


def test_private_types_shared_with_a_project(admin, alice, bob, backend):
    gold = _create(admin, **{'os-volume-type-access:is_public': False})
    action = 'types/%s/action' % gold['id']
    access = 'types/%s/os-volume-type-access' % gold['id']
    assert admin.get(access).json == {'volume_type_access': []}
    admin.post(action, {'addProjectAccess': {'project': 'p1'}})
    response = admin.post(action, {'addProjectAccess': {'project': 'p1'}},
                          status=409)
    assert 'already exists' in response.json['conflictingRequest'][
        'message']
    assert admin.get(access).json == {'volume_type_access': [
        {'volume_type_id': gold['id'], 'project_id': 'p1'}]}
    assert 'gold' in {t['name'] for t in alice.get('types').json[
        'volume_types']}
    assert alice.get('types/gold').json['volume_type']['is_public'] is False
    assert alice.create_volume(volume_type='gold')['volume_type'] == 'gold'
    bob.get('types/gold', status=404)
    admin.post(action, {'removeProjectAccess': {'project': 'p1'}})
    admin.post(action, {'removeProjectAccess': {'project': 'p1'}},
               status=404)
    alice.get('types/gold', status=404)


def test_type_access_is_for_administrators(admin, alice):
    gold = _create(admin, **{'os-volume-type-access:is_public': False})
    alice.get('types/%s/os-volume-type-access' % gold['id'], status=403)
    alice.post('types/%s/action' % gold['id'],
               {'addProjectAccess': {'project': 'p1'}}, status=403)
    response = admin.get('types/%s/os-volume-type-access' % DEFAULT,
                         status=404)
    assert 'public volume types' in response.json['itemNotFound'][
        'message']
    admin.post('types/%s/action' % DEFAULT,
               {'addProjectAccess': {'project': 'p1'}}, status=400)
    for body in ({'addProjectAccess': {}}, {'nonesuch': {'project': 'p'}},
                 {'addProjectAccess': {'project': 'p1'},
                  'removeProjectAccess': {'project': 'p1'}}):
        admin.post('types/%s/action' % gold['id'], body, status=400)


# Extra specs ----------------------------------------------------------------

def test_extra_specs_crud(admin, backend):
    gold = _create(admin)
    url = 'types/%s/extra_specs' % gold['id']
    assert admin.post(url, {'extra_specs': {
        'volume_backend_name': 'nfs', 'multiattach': '<is> False'}},
        status=200).json == {'extra_specs': {
            'volume_backend_name': 'nfs', 'multiattach': '<is> False'}}
    assert admin.get(url).json['extra_specs'] == {
        'volume_backend_name': 'nfs', 'multiattach': '<is> False'}
    assert admin.put(url + '/volume_backend_name', {
        'volume_backend_name': 'local'}).json == {
            'volume_backend_name': 'local'}
    assert admin.get(url + '/volume_backend_name').json == {
        'volume_backend_name': 'local'}
    admin.delete(url + '/volume_backend_name')
    admin.get(url + '/volume_backend_name', status=404)
    admin.delete(url + '/volume_backend_name', status=404)
    assert backend.types[gold['id']]['extra_specs'] == {
        'multiattach': '<is> False'}


def test_extra_spec_put_must_match_the_url(admin):
    url = 'types/%s/extra_specs/' % DEFAULT
    response = admin.put(url + 'a', {'b': 'x'}, status=400)
    assert 'mismatch' in response.json['badRequest']['message']
    admin.put(url + 'a', {'a': 'x', 'b': 'y'}, status=400)


def test_users_see_only_user_visible_extra_specs(admin, alice):
    gold = _create(admin, extra_specs={'volume_backend_name': 'nfs',
                                       'multiattach': '<is> False'})
    url = 'types/%s/extra_specs' % gold['id']
    assert alice.get(url).json == {'extra_specs': {
        'multiattach': '<is> False'}}
    alice.get(url + '/volume_backend_name', status=404)
    assert 'extra_specs' not in alice.get('types/gold').json['volume_type']
    alice.post(url, {'extra_specs': {'a': 'b'}}, status=403)
    alice.put(url + '/multiattach', {'multiattach': 'x'}, status=403)
    alice.delete(url + '/multiattach', status=403)


# 3.52: the extra_specs filter ------------------------------------------------

def test_extra_specs_filter_from_3_52(admin, backend):
    _create(admin, 'gold', extra_specs={'volume_backend_name': 'nfs'})
    _create(admin, 'silver', extra_specs={'volume_backend_name': 'local'})
    query = 'types?extra_specs=%7B%27volume_backend_name%27%3A+%27nfs%27%7D'
    assert len(admin.at('3.51').get(query).json['volume_types']) == 3
    assert backend.calls[-1][1]['extra_specs'] is None
    assert [t['name'] for t in admin.at('3.52').get(query).json[
        'volume_types']] == ['gold']
    admin.at('3.52').get('types?extra_specs=nfs', status=400)


def test_users_filter_only_on_visible_specs(admin, alice, backend):
    _create(admin, 'gold', extra_specs={'volume_backend_name': 'nfs'})
    alice.at('3.52').get(
        'types?extra_specs={"volume_backend_name": "local"}')
    assert backend.calls[-1][1]['extra_specs'] == {}


# 3.62: default types ---------------------------------------------------------

def test_default_types_are_404_below_3_62(admin):
    admin.at('3.61').get('default-types', status=404)
    admin.at('3.61').put('default-types/p1', {'default_type': {
        'volume_type': DEFAULT}}, status=404)


def test_default_types_as_cinder(admin, alice, backend):
    gold = _create(admin)
    client = admin.at('3.62')
    client.get('default-types/p1', status=404)
    assert client.put('default-types/p1', {'default_type': {
        'volume_type': 'gold'}}).json == {'default_type': {
            'project_id': 'p1', 'volume_type_id': gold['id']}}
    assert client.get('default-types/p1').json['default_type'][
        'volume_type_id'] == gold['id']
    assert client.get('default-types').json == {'default_types': [
        {'project_id': 'p1', 'volume_type_id': gold['id']}]}
    assert alice.get('types/default').json['volume_type']['id'] == gold[
        'id']
    volume = alice.create_volume()
    assert (volume['volume_type'], backend.volumes[volume['id']][
        'volume_type_id']) == ('gold', gold['id'])
    response = client.delete('default-types/p1', status=204)
    assert not response.body
    assert alice.get('types/default').json['volume_type']['id'] == DEFAULT
    client.put('default-types/p1', {'default_type': {
        'volume_type': 'platinum'}}, status=404)
    client.put('default-types/p1', {'default_type': {}}, status=400)


def test_default_types_are_for_administrators(alice):
    client = alice.at('3.62')
    client.get('default-types', status=403)
    client.get('default-types/p1', status=403)
    client.put('default-types/p1', {'default_type': {
        'volume_type': DEFAULT}}, status=403)
    client.delete('default-types/p1', status=403)


# Volumes and their type -----------------------------------------------------

def test_volumes_show_their_type(alice):
    volume = alice.create_volume()
    assert volume['volume_type'] == '__DEFAULT__'
    assert alice.get('volumes/' + volume['id']).json['volume'][
        'volume_type'] == '__DEFAULT__'


def test_volume_dicts_carry_the_type_id(alice, backend):
    volume = alice.create_volume()
    assert backend.volumes[volume['id']]['volume_type_id'] == DEFAULT


def test_volume_type_id_shows_from_3_63(admin, alice):
    gold = _create(admin)
    volume = alice.create_volume(volume_type='gold')
    url = 'volumes/' + volume['id']
    before = alice.at('3.62').get(url).json['volume']
    assert 'volume_type_id' not in before
    assert before['volume_type'] == 'gold'
    after = alice.at('3.63').get(url).json['volume']
    assert (after['volume_type'], after['volume_type_id']) == (
        'gold', gold['id'])


@pytest.mark.parametrize('volume_type', [DEFAULT, '__DEFAULT__'])
def test_create_names_the_type(alice, backend, volume_type):
    alice.create_volume(volume_type=volume_type)
    assert backend.calls[-1][0] == 'create_volume'
    assert backend.calls[-1][1]['volume_type'] == volume_type


def test_create_of_an_unknown_type_is_404_and_makes_nothing(alice, backend):
    response = alice.post('volumes', {'volume': {
        'size': 1, 'volume_type': 'gold'}}, status=404)
    assert 'Volume type gold' in response.json['itemNotFound']['message']
    assert not backend.volumes


def test_availability_zones(alice, backend):
    assert alice.get('os-availability-zone').json == {
        'availabilityZoneInfo': [{'zoneName': 'nova',
                                  'zoneState': {'available': True}}]}
    alice.create_volume(availability_zone='nova')
    response = alice.post('volumes', {'volume': {
        'size': 1, 'availability_zone': 'az9'}}, status=400)
    assert "Availability zone 'az9' is invalid" in \
        response.json['badRequest']['message']
    assert len(backend.volumes) == 1


def test_extensions_list_what_is_served(alice):
    extensions = alice.get('extensions').json['extensions']
    aliases = {e['alias'] for e in extensions}
    assert {'os-availability-zone', 'os-extended-snapshot-attributes',
            'os-vol-host-attr', 'os-vol-tenant-attr', 'os-types-manage',
            'os-types-extra-specs', 'os-volume-type-access'} <= aliases
    assert all(set(e) == {'alias', 'name', 'description', 'links',
                          'updated'} for e in extensions)
