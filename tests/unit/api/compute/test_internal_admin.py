"""snapvol-all's internal token on the compute API: an administrator's
credential for the process's own volume manager, under every
auth_strategy; without it the normal authentication applies."""

from keystonemiddleware import auth_token
from keystonemiddleware.auth_token import _exceptions as ksm_exceptions
import pytest
import webtest

from snapvol_api.rest import auth
from snapvol_api.rest.compute import app as compute_app
from tests.unit.api.helpers import basic_auth

TOKEN = 'x' * 20 + 'internal-secret-of-this-process'
SPOOFED = {'X-User-Id': 'mallory', 'X-Project-Id': 'p2',
           'X-Roles': 'admin', 'X-Identity-Status': 'Confirmed'}


def _keystone_refuses(self, token, **kwargs):
    raise ksm_exceptions.InvalidToken('not a token keystone knows')


@pytest.fixture
def make_app(config, htpasswd, backend, monkeypatch):
    # No keystone here: it would refuse every token but a real one.
    monkeypatch.setattr(auth_token.AuthProtocol, 'fetch_token',
                        _keystone_refuses)

    def make(auth_strategy, internal_token=TOKEN):
        config.config(auth_strategy=auth_strategy,
                      http_basic_auth_user_file=str(htpasswd))
        if auth_strategy == 'keystone':
            config.config(group='keystone_authtoken',
                          www_authenticate_uri='http://keystone.invalid/v3')
        return webtest.TestApp(compute_app.setup_app(
            rpcapi=backend, internal_token=internal_token))
    return make


@pytest.mark.parametrize('strategy', ['noauth', 'http_basic', 'keystone'])
def test_the_token_is_an_administrator(make_app, backend, strategy):
    app = make_app(strategy)
    app.get('/v2.1/servers', headers={'X-Auth-Token': TOKEN})
    ctxt = backend.last_context
    assert ctxt.is_admin
    assert ctxt.user_id == auth.InternalAdmin.USER


@pytest.mark.parametrize('strategy', ['noauth', 'http_basic', 'keystone'])
def test_other_tokens_get_the_normal_authentication(make_app, strategy):
    app = make_app(strategy)
    expected = 403 if strategy == 'noauth' else 401  # noauth: a member
    for token in (TOKEN[:-1], TOKEN + 'x', TOKEN.upper(), 'admin' + TOKEN):
        app.get('/v2.1/servers', headers={'X-Auth-Token': token},
                status=expected)
    app.get('/v2.1/servers', headers=SPOOFED,
            status=401)


def test_normal_credentials_still_work(make_app, backend):
    app = make_app('http_basic')
    app.get('/v2.1/servers', headers=basic_auth('root'))
    assert backend.last_context.user_id == 'root'
    app.get('/v2.1/servers', headers=basic_auth('alice'), status=403)


def test_identity_headers_are_rebuilt_for_the_token(make_app, backend):
    app = make_app('http_basic')
    app.get('/v2.1/servers', headers=dict(SPOOFED, **{'X-Auth-Token':
                                                      TOKEN}))
    ctxt = backend.last_context
    assert (ctxt.user_id, ctxt.project_id) == (auth.InternalAdmin.USER,
                                               auth.InternalAdmin.USER)


def test_without_a_token_configured_none_is_accepted(make_app):
    app = make_app('http_basic', internal_token=None)
    app.get('/v2.1/servers', headers={'X-Auth-Token': TOKEN}, status=401)


def test_short_tokens_are_refused():
    with pytest.raises(ValueError):
        auth.InternalAdmin(None, None, 'short')


def test_the_token_goes_no_further():
    seen = {}

    def trusted(environ, start_response):
        seen.update(environ)

    auth.InternalAdmin(trusted, None, TOKEN)(
        {'HTTP_X_AUTH_TOKEN': TOKEN}, None)
    assert 'HTTP_X_AUTH_TOKEN' not in seen
    assert seen['HTTP_X_ROLES'] == 'admin'
