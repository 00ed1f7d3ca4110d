"""GET /v3/{project_id}/os-services: Cinder's list of services, for
administrators, by microversion (3.7 cluster, 3.49 backend_state);
every answer is also checked against the OpenAPI document (conftest) and
against tempest's schema of the list."""

import jsonschema
import pytest
from tempest.lib.api_schema.response.volume import services as tempest

from snapvol_api.rpc import volume_rpcapi


@pytest.fixture
def services(backend):
    return [
        backend.add_service('vol-a', volume_rpcapi.TOPIC,
                            cluster_name='gold'),
        backend.add_service('vol-b', volume_rpcapi.TOPIC, state='down',
                            cluster_name='gold', disabled=True,
                            disabled_reason='maintenance'),
        backend.add_service('api-a', 'snapvol-volume-api', topic=None),
    ]


def test_administrators_see_every_service(admin, services):
    listed = admin.get('os-services').json['services']
    assert listed == [
        {'binary': 'snapvol-volume', 'host': 'vol-a', 'zone': 'nova',
         'status': 'enabled', 'state': 'up',
         'updated_at': '2026-12-09T10:00:20.123456',
         'disabled_reason': None, 'replication_status': 'disabled',
         'active_backend_id': None, 'frozen': False},
        {'binary': 'snapvol-volume', 'host': 'vol-b', 'zone': 'nova',
         'status': 'disabled', 'state': 'down',
         'updated_at': '2026-12-09T10:00:20.123456',
         'disabled_reason': 'maintenance', 'replication_status': 'disabled',
         'active_backend_id': None, 'frozen': False},
        {'binary': 'snapvol-volume-api', 'host': 'api-a', 'zone': 'nova',
         'status': 'enabled', 'state': 'up',
         'updated_at': '2026-12-09T10:00:20.123456',
         'disabled_reason': None},
    ]


def test_members_may_not(alice, backend, services):
    alice.get('os-services', status=403)
    assert not [c for c in backend.calls if c[0] == 'list_services']


def test_host_and_binary_filter_and_others_are_ignored(admin, backend,
                                                       services):
    listed = admin.get('os-services?host=vol-b&binary=snapvol-volume'
                       '&zone=x').json['services']
    assert [s['host'] for s in listed] == ['vol-b']
    assert backend.calls[-1][1]['filters'] == {
        'host': 'vol-b', 'binary': 'snapvol-volume'}
    assert admin.get('os-services?binary=snapvol-volume-api').json[
        'services'][0]['host'] == 'api-a'


@pytest.mark.parametrize('version, cluster, backend_state', [
    ('3.6', False, False), ('3.7', True, False), ('3.48', True, False),
    ('3.49', True, True), ('3.71', True, True)])
def test_cluster_from_3_7_and_backend_state_from_3_49(
        admin, services, version, cluster, backend_state):
    listed = admin.at(version).get('os-services').json['services']
    assert [s.get('cluster', 'absent') for s in listed] == (
        ['gold', 'gold', None] if cluster else ['absent'] * 3)
    assert [s.get('backend_state', 'absent') for s in listed] == (
        ['up', 'down', 'absent'] if backend_state else ['absent'] * 3)


def test_the_url_without_a_project(app, admin, services):
    listed = app.get('/v3/os-services', headers=admin.at('3.0').headers)
    assert len(listed.json['services']) == 3


def test_the_answer_fits_tempests_schema(admin, services):
    response = admin.get('os-services')
    assert response.status_int in tempest.list_services['status_code']
    jsonschema.validate(response.json,
                        tempest.list_services['response_body'])


def test_the_extension_is_listed(alice):
    aliases = {e['alias'] for e in alice.get('extensions').json[
        'extensions']}
    assert 'os-services' in aliases
