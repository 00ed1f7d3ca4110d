"""The volume API's OpenAPI document: valid, served, and true to the app
(every route in it and nothing else; each response of the API tests is
checked against it by ``openapi_check.CheckedTestApp``, see conftest)."""

import uuid

import openapi_spec_validator
import pytest

from snapvol_api.rest.openapi import volume as volume_openapi
from snapvol_api.rest.volume.controllers import root
from tests.unit.api import openapi_check
from tests.unit.api.helpers import basic_auth

DOCUMENT = openapi_check.Document(volume_openapi.document())
# Served by the root controller itself.
ROOT_ROUTES = {('get', '/'), ('get', '/v3'), ('get', '/openapi.json')}
NO_SUCH_ACTION = 'There is no such action'


def _served():
    routes, actions = set(ROOT_ROUTES), {}
    for name, controller in root.COLLECTIONS.items():
        more_routes, more_actions = openapi_check.served_routes(
            controller, '/v3/{}/' + name)
        routes |= more_routes
        actions.update(more_actions)
    return routes, actions


def test_the_api_tests_check_every_answer_against_it(app):
    assert isinstance(app, openapi_check.CheckedTestApp)
    assert app.openapi.document == DOCUMENT.document


def test_the_document_is_valid_openapi_3_1():
    document = volume_openapi.document()
    openapi_spec_validator.validate(document)
    assert document['openapi'] == '3.1.0'


def test_it_is_served_without_credentials(app):
    response = app.get('/openapi.json')
    assert response.json['paths'] == volume_openapi.document()['paths']
    assert response.json['servers'] == [{'url': 'http://localhost'}]
    app.post_json('/openapi.json', {}, headers=basic_auth('root'),
                  status=405)


def test_every_served_route_is_documented_and_nothing_else():
    served, _actions = _served()
    documented = openapi_check.documented_routes(DOCUMENT)
    assert sorted(served - documented) == []
    assert sorted(documented - served) == []


def test_the_documented_actions_are_the_controllers():
    _routes, actions = _served()
    assert actions, 'no action controller found'
    for path, names in actions.items():
        (operation,) = [op for method, template, op in DOCUMENT.operations()
                        if method == 'post'
                        and openapi_check.normalized(template) == path]
        assert set(operation['x-openstack']['actions']) == names, path


def _probe(app, method, template, body):
    url = openapi_check.probe_url(template, {'project_id': 'ops',
                                             'target_project_id': 'p1',
                                             'key': 'k'})
    headers = dict(basic_auth('root'),
                   **{'OpenStack-API-Version': 'volume latest'})
    if method in ('post', 'put'):
        return getattr(app, method + '_json')(url, body, headers=headers,
                                              expect_errors=True)
    return getattr(app, method)(url, headers=headers, expect_errors=True)


def test_every_documented_operation_and_action_is_served(app):
    for method, template, operation in DOCUMENT.operations():
        actions = operation.get('x-openstack', {}).get('actions', {None: 0})
        for action in actions:
            body = {} if action is None else {action: {}}
            response = _probe(app, method, template, body)
            assert not openapi_check.is_routing_refusal(response), (
                method, template, response.json)
            assert NO_SUCH_ACTION not in response.text, (template, action)


def test_an_undocumented_action_is_refused(app):
    response = _probe(app, 'post', '/v3/{project_id}/volumes/{id}/action',
                      {'os-undocumented': {}})
    assert response.status_int == 400
    assert NO_SUCH_ACTION in response.text


def test_urls_without_the_project_are_checked_as_with_it(app, alice):
    volume = alice.create_volume()
    for version in ('3.0', '3.67'):
        headers = dict(alice.headers,
                       **{'OpenStack-API-Version': 'volume ' + version})
        response = app.get('/v3/volumes/%s' % volume['id'], headers=headers)
        assert response.json['volume']['id'] == volume['id']
        app.get('/v3/volumes/detail', headers=headers)


# The checker itself: it must fail on what the document does not allow.

def test_the_check_finds_the_operation_of_a_url_without_the_project():
    volume_id = str(uuid.uuid4())
    assert DOCUMENT.find('/v3/volumes/%s' % volume_id) == (
        '/v3/{project_id}/volumes/{id}')
    assert DOCUMENT.find('/v3/volumes/detail') == (
        '/v3/{project_id}/volumes/detail')
    assert DOCUMENT.find('/v3/p1/volumes/detail') == (
        '/v3/{project_id}/volumes/detail')
    assert DOCUMENT.find('/v3/p1/volumes/%s/metadata/detail' % volume_id) == (
        '/v3/{project_id}/volumes/{id}/metadata/{key}')


def _volume_url():
    return '/v3/p1/volumes/%s' % uuid.uuid4()


def test_the_check_refuses_a_body_missing_a_required_field():
    with pytest.raises(AssertionError, match='required property'):
        DOCUMENT.check('GET', _volume_url(), b'', 200, {},
                       b'{"volume": {"id": "%s"}}' % str(uuid.uuid4())
                       .encode())


def test_the_check_refuses_an_undocumented_route_or_status():
    with pytest.raises(AssertionError, match='no path'):
        DOCUMENT.check('GET', '/v3/p1/clusters', b'', 200, {}, b'{}')
    with pytest.raises(AssertionError, match='no PATCH'):
        DOCUMENT.check('PATCH', _volume_url(), b'', 200, {}, b'{}')
    with pytest.raises(AssertionError, match='does not give'):
        DOCUMENT.check('DELETE', _volume_url(), b'', 200, {}, b'')
    with pytest.raises(AssertionError, match='with a body'):
        DOCUMENT.check('DELETE', _volume_url(), b'', 202, {}, b'{}')


def test_the_check_refuses_an_undocumented_action_or_an_early_one():
    url = _volume_url() + '/action'
    with pytest.raises(AssertionError, match='os-undocumented'):
        DOCUMENT.check('POST', url, b'{"os-undocumented": {}}', 202, {}, b'')
    with pytest.raises(AssertionError, match='3.40'):
        DOCUMENT.check('POST', url, b'{"revert": {}}', 202,
                       {'OpenStack-API-Version': 'volume 3.39'}, b'')
    DOCUMENT.check('POST', url, b'{"revert": {}}', 202,
                   {'OpenStack-API-Version': 'volume 3.40'}, b'')


def test_the_check_refuses_a_fault_of_the_wrong_shape():
    with pytest.raises(AssertionError, match='wrong shape'):
        DOCUMENT.check('GET', _volume_url(), b'', 404, {},
                       b'{"error": "not found"}')
    with pytest.raises(AssertionError):
        DOCUMENT.check('GET', _volume_url(), b'', 404, {},
                       b'{"itemNotFound": {"code": 400, "message": "x"}}')
