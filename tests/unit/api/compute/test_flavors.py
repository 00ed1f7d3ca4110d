"""/v2.1/flavors: the built-in set, shaped as Nova 2.1's."""

import pytest


def test_list(admin):
    response = admin.get('flavors')
    assert response.json['flavors'][0] == {
        'id': '1', 'name': 'm1.tiny',
        'links': [{'rel': 'self', 'href': 'http://localhost/v2.1/flavors/1'},
                  {'rel': 'bookmark', 'href': 'http://localhost/flavors/1'}]}
    assert [f['id'] for f in response.json['flavors']] == ['1', '2', '3']


def test_show_is_nova_detail(admin):
    assert admin.get('flavors/3').json['flavor'] == {
        'id': '3', 'name': 'm1.medium', 'ram': 1024, 'vcpus': 2, 'disk': 0,
        'swap': '', 'rxtx_factor': 1.0, 'OS-FLV-EXT-DATA:ephemeral': 0,
        'OS-FLV-DISABLED:disabled': False,
        'os-flavor-access:is_public': True,
        'links': [{'rel': 'self', 'href': 'http://localhost/v2.1/flavors/3'},
                  {'rel': 'bookmark', 'href': 'http://localhost/flavors/3'}]}


@pytest.mark.parametrize('flavor_id', ['4', 'm1.tiny', '__class__', '%00'])
def test_show_unknown_is_404(admin, flavor_id):
    response = admin.get('flavors/' + flavor_id, status=404)
    assert response.json['itemNotFound']['code'] == 404


@pytest.mark.parametrize('query, ids', [
    ('', ['1', '2', '3']),
    ('minRam=256', ['2', '3']),
    ('minRam=2048', []),
    ('minDisk=0', ['1', '2', '3']),
    ('minDisk=1', []),
    ('is_public=true', ['1', '2', '3']),
    ('is_public=none', ['1', '2', '3']),
    ('is_public=false', []),
    ('sort_key=memory_mb&sort_dir=desc', ['3', '2', '1']),
    ('sort_key=name', ['3', '2', '1']),
    ('limit=1&marker=1', ['2']),
])
def test_detail_filters(admin, query, ids):
    flavors = admin.get('flavors/detail?' + query).json['flavors']
    assert [f['id'] for f in flavors] == ids


def test_pages(admin):
    body = admin.get('flavors?limit=2').json
    assert body['flavors_links'] == [{
        'rel': 'next',
        'href': 'http://localhost/v2.1/flavors?limit=2&marker=2'}]
    assert 'flavors_links' not in admin.get('flavors?limit=2&marker=2').json


@pytest.mark.parametrize('query', ['minRam=x', 'minDisk=', 'limit=-2',
                                   'marker=9', 'is_public=maybe',
                                   'sort_key=secret', 'sort_dir=sideways'])
def test_bad_queries_are_400(admin, query):
    admin.get('flavors/detail?' + query, status=400)
