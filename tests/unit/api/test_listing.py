import pytest

from tests.unit.api.helpers import Client
from tests.unit.api.helpers import basic_auth


@pytest.fixture
def five(alice):
    return [alice.create_volume(name='v%d' % i,
                                metadata={'even': str(i % 2 == 0)})
            for i in range(5)]


def test_summary_list(alice, five):
    volumes = alice.get('volumes').json['volumes']
    assert set(volumes[0]) == {'id', 'name', 'links'}
    # Newest first, as in Cinder.
    assert [v['name'] for v in volumes] == ['v4', 'v3', 'v2', 'v1', 'v0']


def test_detail_list(alice, five):
    body = alice.get('volumes/detail').json
    assert body['volumes'][0] == alice.get('volumes/' + five[-1]['id']).json[
        'volume']
    assert 'volumes_links' not in body


def test_default_query_sent_to_the_manager(alice, backend):
    alice.get('volumes')
    assert backend.calls[-1] == ('list_volumes', {
        'filters': {}, 'marker': None, 'limit': 1000,
        'sort': [['created_at', 'desc']], 'offset': 0})


def test_pagination_with_next_links(alice, five):
    response = alice.get('volumes/detail?limit=2&name~=ignored')
    body = response.json
    assert [v['name'] for v in body['volumes']] == ['v4', 'v3']
    (link,) = body['volumes_links']
    assert link['rel'] == 'next'
    assert link['href'].startswith('http://localhost/v3/p1/volumes/detail?')
    assert 'limit=2' in link['href']
    assert 'marker=' + five[3]['id'] in link['href']

    names = []
    url = '/v3/p1/volumes/detail?limit=2'
    while url:
        body = alice.app.get(url, headers=alice.headers).json
        names += [v['name'] for v in body['volumes']]
        links = body.get('volumes_links', [])
        url = links[0]['href'].replace('http://localhost', '') if links \
            else None
    assert names == ['v4', 'v3', 'v2', 'v1', 'v0']


def test_limit_is_capped_by_max_limit(make_app, backend):
    alice = Client(make_app(max_limit=3), basic_auth('alice'), 'p1')
    for _ in range(4):
        alice.create_volume()
    body = alice.get('volumes?limit=100').json
    assert len(body['volumes']) == 3
    assert backend.calls[-1][1]['limit'] == 3
    assert 'volumes_links' in body


def test_summary_next_link_points_at_summary(alice, five):
    link = alice.get('volumes?limit=1').json['volumes_links'][0]
    assert '/v3/p1/volumes?' in link['href']


def test_sort_and_offset(alice, backend, five):
    body = alice.get('volumes?sort=name:asc,created_at&offset=1').json
    assert [v['name'] for v in body['volumes']] == ['v1', 'v2', 'v3', 'v4']
    assert backend.calls[-1][1]['sort'] == [['name', 'asc'],
                                            ['created_at', 'desc']]
    alice.get('volumes?sort_key=name&sort_dir=asc')
    assert backend.calls[-1][1]['sort'] == [['name', 'asc']]


@pytest.mark.parametrize('query', [
    'limit=abc', 'limit=-1', 'offset=x', 'offset=-2', 'sort=name:up',
    'sort=name&sort_key=id', 'sort=,', 'sort=bogus', 'marker=nope',
    'all_tenants=perhaps', 'metadata=notadict', 'metadata={"a": 1}',
    'metadata=[1]', 'metadata=' + '{' * 5000,
])
def test_bad_query_parameters(alice, five, query):
    response = alice.get('volumes?' + query, status=400)
    assert response.json['badRequest']['code'] == 400


def test_filters(alice, backend, five):
    body = alice.get('volumes/detail?name=v2&status=creating&bogus=1').json
    assert [v['name'] for v in body['volumes']] == ['v2']
    assert backend.calls[-1][1]['filters'] == {'name': 'v2',
                                               'status': 'creating'}


@pytest.mark.parametrize('metadata', [
    '{"even": "True"}', "{'even': 'True'}", "{u'even': u'True'}"])
def test_metadata_filter_json_or_python(alice, backend, five, metadata):
    body = alice.get('volumes', params={'metadata': metadata}).json
    assert {v['name'] for v in body['volumes']} == {'v0', 'v2', 'v4'}
    assert backend.calls[-1][1]['filters'] == {
        'metadata': {'even': 'True'}}


def test_all_tenants_is_for_admins_and_ignored_for_others(alice, bob,
                                                          admin, backend,
                                                          five):
    bob.create_volume()
    assert len(alice.get('volumes?all_tenants=1').json['volumes']) == 5
    assert backend.calls[-1][1]['filters'] == {}
    assert len(admin.get('volumes?all_tenants=1').json['volumes']) == 6
    assert len(admin.get('volumes?all_tenants=true&project_id=p2')
               .json['volumes']) == 1
    assert admin.get('volumes').json['volumes'] == []


def test_admin_in_another_projects_url_lists_that_project(app, admin,
                                                          backend, five):
    body = app.get('/v3/p1/volumes', headers=admin.headers).json
    assert len(body['volumes']) == 5
    assert backend.calls[-1][1]['filters'] == {'project_id': 'p1'}


def test_snapshot_lists_paginate_too(alice, five):
    for volume in five[:3]:
        alice.create_snapshot(volume['id'])
    body = alice.get('snapshots/detail?limit=2').json
    assert len(body['snapshots']) == 2
    assert body['snapshots_links'][0]['href'].startswith(
        'http://localhost/v3/p1/snapshots/detail?')
    assert len(alice.get('snapshots?all_tenants=1').json['snapshots']) == 3


def test_public_endpoint_in_links(make_app, backend):
    app = make_app(public_endpoint='https://volumes.example.com/')
    client = Client(app, basic_auth('alice'), 'p1')
    volume = client.create_volume()
    assert volume['links'][0]['href'] == (
        'https://volumes.example.com/v3/p1/volumes/' + volume['id'])
    assert volume['links'][1]['href'] == (
        'https://volumes.example.com/p1/volumes/' + volume['id'])


def test_cinder_column_names_are_understood(alice, backend, five):
    body = alice.get('volumes?sort=display_name:asc&display_name=v1').json
    assert [v['name'] for v in body['volumes']] == ['v1']
    assert backend.calls[-1][1]['sort'] == [['name', 'asc']]
    assert backend.calls[-1][1]['filters'] == {'name': 'v1'}
