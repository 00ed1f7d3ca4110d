"""GET /v2.1/os-services: Nova 2.1's list of services (administrators),
checked against the OpenAPI document (conftest) and tempest's schema."""

import jsonschema
import pytest
from tempest.lib.api_schema.response.compute.v2_1 import services as tempest


@pytest.fixture
def services(backend):
    return [
        backend.add_service('node1', 'snapvol-compute'),
        backend.add_service('node2', 'snapvol-compute', state='down',
                            disabled=True, disabled_reason='maintenance',
                            updated_at='2026-12-09T10:00:20'),
        backend.add_service('node1', 'snapvol-compute-api', topic=None,
                            availability_zone='internal'),
    ]


def test_administrators_see_every_service(admin, services):
    listed = admin.get('os-services').json['services']
    assert listed == [
        {'id': services[0]['id'], 'binary': 'snapvol-compute',
         'host': 'node1', 'zone': 'nova', 'status': 'enabled',
         'state': 'up', 'updated_at': '2026-12-09T10:00:20.123456',
         'disabled_reason': None},
        {'id': services[1]['id'], 'binary': 'snapvol-compute',
         'host': 'node2', 'zone': 'nova', 'status': 'disabled',
         'state': 'down', 'updated_at': '2026-12-09T10:00:20.000000',
         'disabled_reason': 'maintenance'},
        {'id': services[2]['id'], 'binary': 'snapvol-compute-api',
         'host': 'node1', 'zone': 'internal', 'status': 'enabled',
         'state': 'up', 'updated_at': '2026-12-09T10:00:20.123456',
         'disabled_reason': None},
    ]


def test_members_may_not(alice, backend, services):
    alice.get('os-services', status=403)
    assert backend.calls == []


def test_host_and_binary_filter(admin, backend, services):
    listed = admin.get('os-services?host=node1&binary=snapvol-compute'
                       '&zone=x').json['services']
    assert [s['id'] for s in listed] == [services[0]['id']]
    assert backend.calls[-1][1]['filters'] == {
        'host': 'node1', 'binary': 'snapvol-compute'}


def test_the_answer_fits_tempests_schema(admin, services):
    response = admin.get('os-services')
    assert response.status_int in tempest.list_services['status_code']
    jsonschema.validate(response.json,
                        tempest.list_services['response_body'])
