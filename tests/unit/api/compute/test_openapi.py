"""The compute API's OpenAPI document: valid, served, and true to the app
(every route in it and nothing else; each response of the compute API
tests is checked against it, see conftest)."""

import uuid

import openapi_spec_validator
import pytest

from snapvol_api.rest.compute.controllers import root
from snapvol_api.rest.compute.controllers import server_actions
from snapvol_api.rest.openapi import compute as compute_openapi
from tests.unit.api import openapi_check
from tests.unit.api.helpers import basic_auth

DOCUMENT = openapi_check.Document(compute_openapi.document())
ROOT_ROUTES = {('get', '/'), ('get', '/v2.1'), ('get', '/openapi.json')}
NO_SUCH_ACTION = 'There is no such action'


def _served():
    routes = set(ROOT_ROUTES)
    for name, controller in root.COLLECTIONS.items():
        routes |= openapi_check.served_routes(controller,
                                              '/v2.1/' + name)[0]
    return routes


def test_the_api_tests_check_every_answer_against_it(app):
    assert isinstance(app, openapi_check.CheckedTestApp)
    assert app.openapi.document == DOCUMENT.document


def test_the_document_is_valid_openapi_3_1():
    openapi_spec_validator.validate(compute_openapi.document())


def test_it_is_served_without_credentials(app):
    response = app.get('/openapi.json')
    assert response.json['paths'] == compute_openapi.document()['paths']
    assert response.json['servers'] == [{'url': 'http://localhost'}]
    app.put_json('/openapi.json', {}, headers=basic_auth('root'),
                 status=405)


def test_every_served_route_is_documented_and_nothing_else():
    served = _served()
    documented = openapi_check.documented_routes(DOCUMENT)
    assert sorted(served - documented) == []
    assert sorted(documented - served) == []


def test_the_documented_server_actions_are_the_controllers():
    (operation,) = [op for method, template, op in DOCUMENT.operations()
                    if template.endswith('/action')]
    assert set(operation['x-openstack']['actions']) == set(
        server_actions.ACTIONS)


def test_every_documented_operation_and_action_is_served(app):
    headers = basic_auth('root')
    for method, template, operation in DOCUMENT.operations():
        url = openapi_check.probe_url(template, {'flavor_id': '1',
                                                 'key': 'k'})
        actions = operation.get('x-openstack', {}).get('actions', {None: 0})
        for action in actions:
            body = {} if action is None else {action: {}}
            if method in ('post', 'put'):
                response = getattr(app, method + '_json')(
                    url, body, headers=headers, expect_errors=True)
            else:
                response = getattr(app, method)(
                    url, headers=headers, expect_errors=True)
            assert not openapi_check.is_routing_refusal(response), (
                method, template, response.json)
            assert NO_SUCH_ACTION not in response.text, (template, action)


def test_the_check_refuses_what_the_document_does_not_give():
    url = '/v2.1/servers/%s' % uuid.uuid4()
    with pytest.raises(AssertionError, match='required property'):
        DOCUMENT.check('GET', url, b'', 200, {},
                       b'{"server": {"id": "%s"}}' % str(uuid.uuid4())
                       .encode())
    with pytest.raises(AssertionError, match='no path'):
        DOCUMENT.check('GET', '/v2.1/os-hypervisors', b'', 200, {}, b'{}')
    with pytest.raises(AssertionError, match='os-pause'):
        DOCUMENT.check('POST', url + '/action', b'{"os-pause": null}', 202,
                       {}, b'')
    with pytest.raises(AssertionError, match='wrong shape'):
        DOCUMENT.check('GET', url, b'', 404, {},
                       b'{"itemNotFound": {"message": "x"}}')
