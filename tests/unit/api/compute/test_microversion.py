"""Microversion headers: both spellings read, both answered, 406 beyond
2.1 (the newest version whose shapes we serve)."""

import pytest

LEGACY = 'X-OpenStack-Nova-API-Version'
HEADER = 'OpenStack-API-Version'


def _get(admin, status=200, **headers):
    return admin.app.get('/v2.1/flavors', status=status,
                         headers=dict(admin.headers, **headers))


def _assert_answers_21(response):
    assert response.headers[HEADER] == 'compute 2.1'
    assert response.headers[LEGACY] == '2.1'
    assert response.headers['Vary'] == '%s, %s' % (HEADER, LEGACY)


@pytest.mark.parametrize('headers', [
    {},
    {HEADER: 'compute 2.1'},
    {HEADER: 'compute latest'},
    {HEADER: 'volume 3.0'},
    {HEADER: 'volume 3.0, compute 2.1'},
    {LEGACY: '2.1'},
    {LEGACY: 'latest'},
    # The standard header wins, as in Nova.
    {HEADER: 'compute 2.1', LEGACY: '2.90'},
])
def test_accepted(admin, headers):
    _assert_answers_21(_get(admin, **headers))


@pytest.mark.parametrize('headers', [
    {HEADER: 'compute 2.2'}, {HEADER: 'compute 2.0'},
    {HEADER: 'compute 3.1'}, {LEGACY: '2.96'},
    {LEGACY: '2.2', HEADER: 'volume 3.0'},
])
def test_unsupported_is_406_as_nova_says_it(admin, headers):
    response = _get(admin, status=406, **headers)
    # Nova has no fault name for 406.
    fault = response.json['computeFault']
    assert fault['code'] == 406
    assert 'Minimum is 2.1 and maximum is 2.1' in fault['message']


@pytest.mark.parametrize('headers', [
    {HEADER: 'compute two'}, {HEADER: 'compute'}, {LEGACY: '2'},
    {LEGACY: 'abc'},
])
def test_malformed_is_400(admin, headers):
    response = _get(admin, status=400, **headers)
    assert 'invalid format' in response.json['badRequest']['message']


def test_errors_carry_the_version_too(admin):
    _assert_answers_21(admin.get('servers/nope', status=404))
