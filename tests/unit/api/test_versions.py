from snapvol_api.rest.volume import versions
from tests.unit.api.helpers import basic_auth


def _check_version(doc, host='http://localhost'):
    assert doc['id'] == 'v3.0'
    assert doc['status'] == 'CURRENT'
    assert doc['version'] == str(versions.MAX_VERSION) == '3.71'
    assert doc['min_version'] == '3.0'
    assert {'rel': 'self', 'href': host + '/v3/'} in doc['links']
    assert doc['media-types'][0]['base'] == 'application/json'


def test_root_lists_versions_with_300_without_auth(app):
    response = app.get('/', status=300)
    assert response.content_type == 'application/json'
    (doc,) = response.json['versions']
    _check_version(doc)


def test_v3_document_without_auth(app):
    for path in ('/v3', '/v3/'):
        response = app.get(path, status=200)
        (doc,) = response.json['versions']
        _check_version(doc)
        assert response.headers['OpenStack-API-Version'] == 'volume 3.0'
        assert response.headers['Vary'] == 'OpenStack-API-Version'


def test_version_links_use_public_endpoint(make_app):
    app = make_app(public_endpoint='https://api.example.com/volume/')
    doc = app.get('/').json['versions'][0]
    _check_version(doc, 'https://api.example.com/volume')


def test_version_documents_only_answer_get(app):
    # Only GET is public; other methods are authenticated first.
    app.post('/', status=401)
    response = app.post('/', headers=basic_auth('alice'), status=405)
    assert response.json['badMethod']['code'] == 405
    assert response.headers['Allow'] == 'GET'
    app.delete('/v3/', headers=basic_auth('alice'), status=405)


def test_responses_carry_a_request_id(app):
    response = app.get('/', status=300)
    request_id = response.headers['X-OpenStack-Request-Id']
    assert request_id.startswith('req-')
    assert response.headers['X-Compute-Request-Id'] == request_id


def test_cinderclient_discovers_the_server_version(app, monkeypatch):
    from cinderclient import client

    class FakeRequests:
        @staticmethod
        def get(url, **kwargs):
            assert url == 'http://localhost/'
            response = app.get('/', status=300)
            response.text = response.body.decode()
            return response

    monkeypatch.setattr(client, 'requests', FakeRequests)
    minimum, maximum = client.get_server_version(
        'http://localhost/v3/p1')
    assert (minimum.get_string(), maximum.get_string()) == ('3.0', '3.71')
