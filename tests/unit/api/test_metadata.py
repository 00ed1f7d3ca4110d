"""The metadata endpoints, alike for volumes and snapshots."""

import pytest


@pytest.fixture(params=['volumes', 'snapshots'])
def resource_path(request, alice):
    volume = alice.create_volume(metadata={'a': '1', 'b': '2'})
    if request.param == 'volumes':
        return 'volumes/' + volume['id']
    snapshot = alice.create_snapshot(volume['id'],
                                     metadata={'a': '1', 'b': '2'})
    return 'snapshots/' + snapshot['id']


def test_get_all(alice, resource_path):
    response = alice.get(resource_path + '/metadata')
    assert response.json == {'metadata': {'a': '1', 'b': '2'}}


def test_post_merges(alice, resource_path):
    response = alice.post(resource_path + '/metadata',
                          {'metadata': {'b': 'two', 'c': '3'}}, status=200)
    assert response.json == {'metadata': {'a': '1', 'b': 'two', 'c': '3'}}


def test_put_replaces(alice, resource_path):
    response = alice.put(resource_path + '/metadata',
                         {'metadata': {'c': '3'}})
    assert response.json == {'metadata': {'c': '3'}}
    assert alice.get(resource_path + '/metadata').json == {
        'metadata': {'c': '3'}}


def test_get_one(alice, resource_path):
    assert alice.get(resource_path + '/metadata/a').json == {
        'meta': {'a': '1'}}
    response = alice.get(resource_path + '/metadata/zz', status=404)
    assert 'zz' in response.json['itemNotFound']['message']


def test_put_one(alice, resource_path):
    response = alice.put(resource_path + '/metadata/a',
                         {'meta': {'a': 'one'}})
    assert response.json == {'meta': {'a': 'one'}}
    assert alice.get(resource_path + '/metadata').json == {
        'metadata': {'a': 'one', 'b': '2'}}


@pytest.mark.parametrize('body', [
    {'meta': {'b': 'x'}},               # URI and body disagree
    {'meta': {'a': 'x', 'b': 'y'}},     # more than one item
    {'meta': {}},
    {'meta': {'a': 1}},
    {'metadata': {'a': 'x'}},
])
def test_put_one_refuses_bad_bodies(alice, resource_path, body):
    alice.put(resource_path + '/metadata/a', body, status=400)


def test_delete_one(alice, resource_path):
    # Cinder answers 200 with no body (tempest checks the code).
    response = alice.delete(resource_path + '/metadata/a', status=200)
    assert response.body == b''
    assert alice.get(resource_path + '/metadata').json == {
        'metadata': {'b': '2'}}
    alice.delete(resource_path + '/metadata/a', status=404)


@pytest.mark.parametrize('body', [
    {}, {'metadata': None}, {'metadata': {'k': 1}}, {'metadata': 'k'},
    {'metadata': {'bad\u00e9key': 'v'}}, {'meta': {'k': 'v'}},
])
def test_set_refuses_bad_bodies(alice, resource_path, body):
    alice.post(resource_path + '/metadata', body, status=400)
    alice.put(resource_path + '/metadata', body, status=400)


def test_other_project_cannot_touch_it(alice, bob, resource_path):
    path = resource_path + '/metadata'
    bob.app.get('/v3/p2/' + path, headers=bob.headers, status=404)
    bob.app.post_json('/v3/p2/' + path, {'metadata': {'x': 'y'}},
                      headers=bob.headers, status=404)
    bob.app.delete('/v3/p2/' + path + '/a', headers=bob.headers,
                   status=404)


def test_deep_paths_are_404(alice, resource_path):
    alice.get(resource_path + '/metadata/a/b', status=404)
    alice.put(resource_path + '/metadata/a/b', {'meta': {'a': 'x'}},
              status=404)
