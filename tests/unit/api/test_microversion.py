import pytest
import webob.exc

from snapvol_api import exception
from snapvol_api.rest import microversion
from snapvol_api.rest.microversion import Version

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


@pytest.mark.parametrize('value', ['volume 3.0', 'volume latest'])
def test_api_accepts_supported_versions(app, alice, value):
    response = app.get('/v3/p1/volumes', headers=dict(
        alice.headers, **{'OpenStack-API-Version': value}))
    assert response.headers['OpenStack-API-Version'] == 'volume 3.0'


def test_api_refuses_newer_versions_with_406(app, alice):
    response = app.get('/v3/p1/volumes', status=406, headers=dict(
        alice.headers, **{'OpenStack-API-Version': 'volume 3.60'}))
    fault = response.json['notAcceptable']
    assert fault['code'] == 406
    assert '3.60' in fault['message']


def test_api_refuses_malformed_versions_with_400(app, alice):
    app.get('/v3/p1/volumes', status=400, headers=dict(
        alice.headers, **{'OpenStack-API-Version': 'volume three'}))


def test_root_document_ignores_the_header(app):
    app.get('/', headers={'OpenStack-API-Version': 'volume 9.9'},
            status=300)
