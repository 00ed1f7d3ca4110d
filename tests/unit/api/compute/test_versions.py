"""The version documents: public, and shaped as novaclient and
keystoneauth read them."""

from tests.unit.api.helpers import basic_auth


def _check(doc):
    assert doc['id'] == 'v2.1'
    assert doc['status'] == 'CURRENT'
    assert (doc['min_version'], doc['version']) == ('2.1', '2.1')
    assert {'rel': 'self', 'href': 'http://localhost/v2.1/'} in doc['links']


def test_root_lists_versions_without_auth(app):
    # Nova answers 200 here (Cinder 300).
    response = app.get('/', status=200)
    assert response.content_type == 'application/json'
    (doc,) = response.json['versions']
    _check(doc)
    assert 'OpenStack-API-Version' not in response.headers


def test_v21_document_without_auth(app):
    for path in ('/v2.1', '/v2.1/'):
        response = app.get(path, status=200)
        doc = response.json['version']
        _check(doc)
        assert doc['media-types'] == [{
            'base': 'application/json',
            'type': 'application/vnd.openstack.compute+json;version=2.1'}]
        assert response.headers['OpenStack-API-Version'] == 'compute 2.1'
        assert response.headers['X-OpenStack-Nova-API-Version'] == '2.1'


def test_version_documents_only_answer_get(app):
    app.post('/', status=401)
    response = app.post('/', headers=basic_auth('root'), status=405)
    assert response.json['badMethod']['code'] == 405
    assert response.headers['Allow'] == 'GET'
    app.delete('/v2.1/', headers=basic_auth('root'), status=405)


def test_other_paths_need_credentials(app):
    for path in ('/v2.1/servers', '/v2.1/flavors', '/v2.1/nope', '/v2',
                 '/v2.1/servers/x/metadata'):
        app.get(path, status=401)


def test_responses_carry_a_request_id(app):
    response = app.get('/')
    request_id = response.headers['X-OpenStack-Request-Id']
    assert request_id.startswith('req-')
    assert response.headers['X-Compute-Request-Id'] == request_id
