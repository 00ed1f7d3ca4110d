"""/types, /os-availability-zone and /extensions, and the volume_type and
availability_zone a create may name."""

import pytest

from snapvol_volume import volume_types

DEFAULT = volume_types.DEFAULT_ID
KEYS = {'id', 'name', 'description', 'is_public',
        'os-volume-type-access:is_public'}


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


def test_types_are_read_only(alice, admin):
    alice.post('types', {'volume_type': {'name': 'x'}}, status=403)
    alice.delete('types/' + DEFAULT, status=403)
    response = admin.post('types', {'volume_type': {'name': 'x'}},
                          status=405)
    assert 'built-in' in response.json['badMethod']['message']
    assert response.headers['Allow'] == 'GET'
    admin.put('types/' + DEFAULT, {'volume_type': {'name': 'x'}}, status=405)


def test_volumes_show_their_type(alice):
    volume = alice.create_volume()
    assert volume['volume_type'] == '__DEFAULT__'
    assert alice.get('volumes/' + volume['id']).json['volume'][
        'volume_type'] == '__DEFAULT__'


@pytest.mark.parametrize('volume_type', [DEFAULT, '__DEFAULT__'])
def test_create_names_the_type(alice, backend, volume_type):
    alice.create_volume(volume_type=volume_type)
    assert backend.calls[-1][0] == 'create_volume'


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
            'os-vol-host-attr', 'os-vol-tenant-attr'} <= aliases
    assert all(set(e) == {'alias', 'name', 'description', 'links',
                          'updated'} for e in extensions)
