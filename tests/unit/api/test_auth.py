import os

from keystonemiddleware import auth_token  # noqa: F401 (registers opts)
import pytest

from snapvol_api import exception
from snapvol_api.rest import auth
from snapvol_api.rest.volume import app as volume_app
from tests.unit.api.helpers import basic_auth
from tests.unit.api.helpers import write_htpasswd

SPOOFED = {
    'X-User-Id': 'mallory', 'X-Project-Id': 'p2', 'X-Roles': 'admin',
    'X-Identity-Status': 'Confirmed', 'X-Tenant-Id': 'p2', 'X-Role': 'admin',
    'X-Service-Roles': 'admin', 'X-Is-Admin-Project': 'True',
}


def _assert_unauthorized(response, basic_challenge=True):
    assert response.json == {'unauthorized': {
        'code': 401, 'message': response.json['unauthorized']['message']}}
    if basic_challenge:
        assert (response.headers['WWW-Authenticate']
                == 'Basic realm="snapvol"')


# http_basic -----------------------------------------------------------------

def test_basic_good_credentials(app, backend):
    app.get('/v3/p1/volumes', headers=basic_auth('alice'))
    ctxt = backend.last_context
    assert (ctxt.user_id, ctxt.project_id, ctxt.is_admin) == (
        'alice', 'p1', False)
    assert ctxt.request_id.startswith('req-')


@pytest.mark.parametrize('headers', [
    {},
    basic_auth('alice', 'wrong'),
    basic_auth('alice', ''),
    {'Authorization': 'Basic !!!not-base64!!!'},
    {'Authorization': 'Basic ' + 'bm9jb2xvbg=='},   # "nocolon"
    {'Authorization': 'Bearer abc'},
])
def test_basic_bad_or_missing_credentials(app, headers):
    response = app.get('/v3/p1/volumes', headers=headers, status=401)
    _assert_unauthorized(response)


def test_basic_unknown_user(app):
    headers = basic_auth('alice', 'alice-pw')
    headers['Authorization'] = headers['Authorization'].replace(
        'YWxpY2', 'ZXZl')      # no such user, right password shape
    _assert_unauthorized(app.get('/v3/p1/volumes', headers=headers,
                                 status=401))


def test_basic_project_defaults_to_user_name(app, backend):
    app.get('/v3/carol/volumes', headers=basic_auth('carol'))
    assert backend.last_context.project_id == 'carol'


def test_basic_admin_role(app, backend):
    app.get('/v3/ops/volumes', headers=basic_auth('root'))
    assert backend.last_context.is_admin
    assert set(backend.last_context.roles) == {'member', 'admin'}


def test_basic_spoofed_identity_headers_are_stripped(app, backend):
    headers = dict(basic_auth('alice'), **SPOOFED)
    app.get('/v3/p1/volumes', headers=headers)
    ctxt = backend.last_context
    assert (ctxt.user_id, ctxt.project_id, ctxt.is_admin) == (
        'alice', 'p1', False)
    assert ctxt.roles == []
    # ...so the spoofed project is not hers.
    app.get('/v3/p2/volumes', headers=headers, status=400)


def test_spoofed_headers_without_credentials_are_refused(app):
    app.get('/v3/p2/volumes', headers=SPOOFED, status=401)


def test_basic_missing_user_file_fails_at_startup(config, tmp_path,
                                                  backend):
    config.config(http_basic_auth_user_file=str(tmp_path / 'nope'))
    with pytest.raises(exception.ConfigInvalid, match='nope'):
        volume_app.setup_app(rpcapi=backend)


def test_basic_user_file_is_reread_when_it_changes(app, htpasswd):
    app.get('/v3/p1/volumes', headers=basic_auth('alice'))
    users = {'alice': ('new-pw', 'p1', '')}
    write_htpasswd(htpasswd, users)
    stat = os.stat(htpasswd)
    os.utime(htpasswd, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    app.get('/v3/p1/volumes', headers=basic_auth('alice'), status=401)
    app.get('/v3/p1/volumes', headers=basic_auth('alice', 'new-pw'))
    app.get('/v3/p2/volumes', headers=basic_auth('bob'), status=401)


def test_basic_user_file_gone_at_runtime_fails_closed(app, htpasswd):
    htpasswd.unlink()
    response = app.get('/v3/p1/volumes', headers=basic_auth('alice'),
                       status=503)
    assert str(htpasswd) not in response.text


# noauth ---------------------------------------------------------------------

@pytest.fixture
def noauth_app(make_app):
    return make_app('noauth')


def test_noauth_token_user_and_project(noauth_app, backend):
    noauth_app.get('/v3/p1/volumes', headers={'X-Auth-Token': 'alice:p1'})
    ctxt = backend.last_context
    assert (ctxt.user_id, ctxt.project_id, ctxt.is_admin) == (
        'alice', 'p1', False)


def test_noauth_project_defaults_to_user(noauth_app, backend):
    noauth_app.get('/v3/alice/volumes', headers={'X-Auth-Token': 'alice'})
    assert backend.last_context.project_id == 'alice'


def test_noauth_admin_user_is_admin(noauth_app, backend):
    noauth_app.get('/v3/ops/volumes', headers={'X-Auth-Token': 'admin:ops'})
    assert backend.last_context.is_admin


def test_noauth_missing_token(noauth_app):
    response = noauth_app.get('/v3/p1/volumes', status=401)
    _assert_unauthorized(response, basic_challenge=False)


def test_noauth_ignores_identity_headers(noauth_app, backend):
    # cinderclient's noauth plugin sends X-User-Id and X-Project-Id too;
    # only the token counts.
    headers = dict(SPOOFED, **{'X-Auth-Token': 'alice:p1'})
    noauth_app.get('/v3/p1/volumes', headers=headers)
    ctxt = backend.last_context
    assert (ctxt.user_id, ctxt.project_id, ctxt.is_admin) == (
        'alice', 'p1', False)


def test_noauth_spoofed_headers_without_token(noauth_app):
    noauth_app.get('/v3/p2/volumes', headers=SPOOFED, status=401)


# keystone -------------------------------------------------------------------

@pytest.fixture
def keystone_config(config):
    # Without it keystonemiddleware asks keystone where to send clients.
    config.config(group='keystone_authtoken',
                  www_authenticate_uri='http://keystone.invalid/v3')
    return config


def test_keystone_requires_a_token(make_app, keystone_config):
    app = make_app('keystone')
    app.get('/', status=300)
    app.get('/v3/', status=200)
    app.get('/v3/p2/volumes', status=401)
    app.get('/v3/p2/volumes', headers=SPOOFED, status=401)


def test_keystone_delayed_decision_is_still_refused(make_app,
                                                    keystone_config):
    keystone_config.config(group='keystone_authtoken',
                           delay_auth_decision=True)
    app = make_app('keystone')
    response = app.get('/v3/p2/volumes', headers=SPOOFED, status=401)
    assert response.json['unauthorized']['code'] == 401


def test_strip_keeps_credentials():
    seen = {}

    def app(environ, start_response):
        seen.update(environ)

    auth.StripIdentityHeaders(app)({
        'HTTP_X_AUTH_TOKEN': 't', 'HTTP_X_SERVICE_TOKEN': 's',
        'HTTP_AUTHORIZATION': 'Basic x', 'HTTP_X_SERVICE_ROLES': 'admin',
        'HTTP_X_USER_ID': 'u', 'HTTP_X_PROJECT_NAME': 'p',
        'HTTP_OPENSTACK_SYSTEM_SCOPE': 'all'}, None)
    assert set(seen) == {'HTTP_X_AUTH_TOKEN', 'HTTP_X_SERVICE_TOKEN',
                         'HTTP_AUTHORIZATION'}
