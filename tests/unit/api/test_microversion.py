import pytest
import webob.exc

from snapvol_api import exception
from snapvol_api.rest import microversion
from snapvol_api.rest.microversion import Version
from tests.unit.api.helpers import Client
from tests.unit.api.helpers import basic_auth

V30 = Version((3, 0))
V35 = Version((3, 5))


@pytest.mark.parametrize('header, expected', [
    (None, V30),
    ('', V30),
    ('compute 2.1', V30),
    ('volume 3.0', V30),
    ('volume 3.2', Version((3, 2))),
    ('compute 2.90, volume 3.5', V35),
    ('VOLUME latest', V35),
])
def test_requested(header, expected):
    assert microversion.requested(header, 'volume', V30, V35) == expected


@pytest.mark.parametrize('header', ['volume 3.6', 'volume 2.0',
                                    'volume 4.0'])
def test_out_of_range_is_not_acceptable(header):
    with pytest.raises(webob.exc.HTTPNotAcceptable, match='3.0'):
        microversion.requested(header, 'volume', V30, V35)


@pytest.mark.parametrize('header', ['volume 3', 'volume 3.a', 'volume',
                                    'volume 03.1', 'volume 3.01'])
def test_malformed_is_invalid(header):
    with pytest.raises(exception.Invalid):
        microversion.requested(header, 'volume', V30, V35)


def test_versions_compare_as_numbers():
    assert Version.parse('3.10') > Version.parse('3.9')
    assert str(Version.parse('3.10')) == '3.10'


def test_api_answers_with_its_version(alice):
    response = alice.get('volumes')
    assert response.headers['OpenStack-API-Version'] == 'volume 3.0'
    assert response.headers['Vary'] == 'OpenStack-API-Version'


@pytest.mark.parametrize('value, answer', [
    ('volume 3.0', '3.0'), ('volume 3.13', '3.13'), ('volume 3.14', '3.14'),
    ('volume 3.42', '3.42'), ('volume 3.71', '3.71'),
    ('volume latest', '3.71')])
def test_api_accepts_supported_versions(app, alice, value, answer):
    response = app.get('/v3/p1/volumes', headers=dict(
        alice.headers, **{'OpenStack-API-Version': value}))
    assert response.headers['OpenStack-API-Version'] == 'volume ' + answer


def test_api_refuses_the_version_after_its_maximum(app, alice):
    app.get('/v3/p1/volumes', status=406, headers=dict(
        alice.headers, **{'OpenStack-API-Version': 'volume 3.72'}))


def test_api_refuses_newer_versions_with_406(app, alice):
    response = app.get('/v3/p1/volumes', status=406, headers=dict(
        alice.headers, **{'OpenStack-API-Version': 'volume 3.99'}))
    fault = response.json['notAcceptable']
    assert fault['code'] == 406
    assert '3.99' in fault['message']


def test_api_refuses_malformed_versions_with_400(app, alice):
    app.get('/v3/p1/volumes', status=400, headers=dict(
        alice.headers, **{'OpenStack-API-Version': 'volume three'}))


def test_root_document_ignores_the_header(app):
    app.get('/', headers={'OpenStack-API-Version': 'volume 9.9'},
            status=300)


# What the versions up to 3.14 change in volumes (groups: test_groups.py).

def test_volume_summary_from_3_12(alice, bob, backend):
    alice.create_volume(size=2, name='a')
    alice.create_volume(size=5, name='b')
    bob.create_volume(size=7)
    summary = alice.at('3.12').get('volumes/summary').json
    assert summary == {'volume-summary': {'total_size': 7,
                                          'total_count': 2}}
    assert backend.calls[-1][1]['limit'] is None
    named = alice.at('3.14').get('volumes/summary?name=b').json
    assert named == {'volume-summary': {'total_size': 5, 'total_count': 1}}


def test_volume_summary_counts_past_max_limit(make_app, backend):
    client = Client(make_app(max_limit=2), basic_auth('alice'),
                    'p1').at('3.12')
    for _ in range(3):
        client.create_volume()
    assert client.get('volumes/summary').json['volume-summary'] == {
        'total_size': 3, 'total_count': 3}


def test_admin_summary_of_all_projects(alice, bob, admin):
    alice.create_volume(size=2)
    bob.create_volume(size=3)
    summary = admin.at('3.12').get('volumes/summary?all_tenants=1').json
    assert summary['volume-summary'] == {'total_size': 5, 'total_count': 2}


@pytest.mark.parametrize('version', [None, '3.11'])
def test_volume_summary_is_404_before_3_12(alice, version):
    client = alice if version is None else alice.at(version)
    response = client.get('volumes/summary', status=404)
    assert response.json['itemNotFound']['code'] == 404


@pytest.mark.parametrize('value', ['{"image_name": "cirros"}',
                                   "{'image_id': 'x'}"])
def test_glance_metadata_filter_matches_no_volume_from_3_4(alice, backend,
                                                           value):
    alice.create_volume()
    client = alice.at('3.4')
    assert client.get('volumes/detail', params={
        'glance_metadata': value}).json['volumes'] == []
    assert client.get('volumes', params={
        'glance_metadata': value}).json['volumes'] == []
    assert alice.at('3.12').get('volumes/summary', params={
        'glance_metadata': value}).json['volume-summary'] == {
        'total_size': 0, 'total_count': 0}


def test_empty_glance_metadata_filter_is_no_filter(alice):
    alice.create_volume()
    listed = alice.at('3.4').get('volumes', params={'glance_metadata': '{}'})
    assert len(listed.json['volumes']) == 1


def test_glance_metadata_filter_is_ignored_before_3_4(alice):
    alice.create_volume()
    listed = alice.at('3.3').get('volumes', params={
        'glance_metadata': '{"image_name": "cirros"}'})
    assert len(listed.json['volumes']) == 1


def test_malformed_glance_metadata_filter_is_400(alice):
    response = alice.at('3.4').get('volumes', status=400,
                                   params={'glance_metadata': '[1]'})
    assert 'glance_metadata' in response.json['badRequest']['message']
