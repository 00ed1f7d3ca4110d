"""/v2.1/servers/{id}/metadata[/{key}]: read from get_instance, written on
the instance's host."""

import uuid

import pytest


@pytest.fixture
def url(server):
    return 'servers/%s/metadata' % server['id']


@pytest.fixture
def tagged(backend, server):
    server['metadata'].update({'a': '1', 'b': '2'})
    return server


def test_get_all(admin, tagged, url):
    assert admin.get(url).json == {'metadata': {'a': '1', 'b': '2'}}


def test_get_one(admin, tagged, url):
    assert admin.get(url + '/b').json == {'meta': {'b': '2'}}
    response = admin.get(url + '/zz', status=404)
    assert 'zz' in response.json['itemNotFound']['message']


def test_post_merges(admin, backend, tagged, url):
    response = admin.post(url, {'metadata': {'b': '3', 'c': '4'}})
    assert response.json == {'metadata': {'a': '1', 'b': '3', 'c': '4'}}
    assert backend.calls[-1] == ('set_instance_metadata', {
        'host': 'node1', 'instance_id': tagged['id'],
        'metadata': {'b': '3', 'c': '4'}, 'replace': False})


def test_put_replaces(admin, backend, tagged, url):
    response = admin.put(url, {'metadata': {'c': '4'}})
    assert response.json == {'metadata': {'c': '4'}}
    assert backend.calls[-1][1]['replace'] is True
    assert admin.put(url, {'metadata': {}}).json == {'metadata': {}}


def test_put_one_item(admin, backend, tagged, url):
    response = admin.put(url + '/a', {'meta': {'a': 'new'}})
    assert response.json == {'meta': {'a': 'new'}}
    assert backend.instances[tagged['id']]['metadata'] == {'a': 'new',
                                                           'b': '2'}


@pytest.mark.parametrize('path, body, message', [
    ('/a', {'meta': {'b': '1'}}, 'mismatch'),
    ('/a', {'meta': {'a': '1', 'b': '2'}}, 'meta'),
    ('/a', {'meta': {}}, 'meta'),
    ('/a', {'metadata': {'a': '1'}}, 'meta'),
    ('', {'meta': {'a': '1'}}, 'metadata'),
    ('', {'metadata': {'a': 1}}, 'metadata'),
    ('', {'metadata': {'k' * 256: 'v'}}, 'metadata'),
    ('', {'metadata': {'k': 'v' * 256}}, 'metadata'),
    ('', {'metadata': None}, 'metadata'),
])
def test_put_validates(admin, backend, server, url, path, body, message):
    response = admin.put(url + path, body, status=400)
    assert message in response.json['badRequest']['message']
    assert backend.calls == []


def test_put_two_keys_in_the_url_is_404(admin, server, url):
    admin.put(url + '/a/b', {'meta': {'a': '1'}}, status=404)


def test_delete_one_item(admin, backend, tagged, url):
    admin.delete(url + '/a')
    assert backend.calls[-1] == ('delete_instance_metadata', {
        'host': 'node1', 'instance_id': tagged['id'], 'key': 'a'})
    response = admin.delete(url + '/a', status=404)
    assert response.json['itemNotFound']['code'] == 404


def test_unknown_server_is_404(admin):
    for server_id in ('nope', str(uuid.uuid4())):
        admin.get('servers/%s/metadata' % server_id, status=404)
        admin.post('servers/%s/metadata' % server_id,
                   {'metadata': {'a': '1'}}, status=404)
