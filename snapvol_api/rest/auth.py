"""Authentication middlewares; each one sets the X-User-Id, X-Project-Id
and X-Roles headers from which the API builds its request context.

``StripIdentityHeaders`` always runs first, so none of those headers can
come from the client.
"""

import base64
import binascii
import hmac
import logging

from snapvol_api import exception
from snapvol_api.rest import faults
from snapvol_api.rest import htpasswd

LOG = logging.getLogger(__name__)

REALM = 'snapvol'

# WSGI environ prefixes of every header an auth middleware (ours or
# keystonemiddleware's) sets. An environ key also covers the header spelt
# with underscores, which WSGI servers fold into the same key.
_IDENTITY_ENV_PREFIXES = (
    'HTTP_X_IDENTITY_STATUS', 'HTTP_X_SERVICE_', 'HTTP_X_DOMAIN_',
    'HTTP_X_PROJECT_', 'HTTP_X_USER', 'HTTP_X_TENANT', 'HTTP_X_ROLE',
    'HTTP_X_IS_ADMIN_PROJECT', 'HTTP_X_SYSTEM_SCOPE',
    'HTTP_OPENSTACK_SYSTEM_SCOPE', 'HTTP_X_AUTH_PROJECT_ID',
    'HTTP_X_TRUST_', 'HTTP_X_APP_CRED',
)
# Credentials, not identity: keystonemiddleware validates them.
_CREDENTIAL_ENV_KEYS = ('HTTP_X_SERVICE_TOKEN',)


class StripIdentityHeaders:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        for key in [k for k in environ
                    if k.startswith(_IDENTITY_ENV_PREFIXES)
                    and k not in _CREDENTIAL_ENV_KEYS]:
            del environ[key]
        return self.app(environ, start_response)


def set_identity(environ, user_id, project_id, roles, user_name=None):
    environ['HTTP_X_IDENTITY_STATUS'] = 'Confirmed'
    environ['HTTP_X_USER_ID'] = user_id
    environ['HTTP_X_USER_NAME'] = user_name or user_id
    environ['HTTP_X_PROJECT_ID'] = project_id
    environ['HTTP_X_ROLES'] = ','.join(roles)


class InternalAdmin:
    """snapvol-all's own calls: the volume manager reaching the compute API
    of the same process (``snapvol_volume.compute.ComputeClient
    .in_process``).

    A request whose X-Auth-Token is ``token``, a secret the process made
    at start and keeps in memory only, is an administrator's and goes to
    ``trusted_app`` (the API without authentication); every other request
    goes to ``app``, the normal authentication, unchanged.
    """

    USER = 'snapvol-internal'
    MIN_TOKEN_LENGTH = 32

    def __init__(self, trusted_app, app, token):
        if len(token) < self.MIN_TOKEN_LENGTH:
            raise ValueError('an internal token needs %d characters or more'
                             % self.MIN_TOKEN_LENGTH)
        self.trusted_app = trusted_app
        self.app = app
        self._token = token.encode('latin-1')

    def _is_internal(self, environ):
        offered = environ.get('HTTP_X_AUTH_TOKEN')
        if not offered:
            return False
        # WSGI header values are latin-1 strings; compare_digest takes the
        # same time wherever the first difference is.
        return hmac.compare_digest(
            offered.strip().encode('latin-1', 'replace'), self._token)

    def __call__(self, environ, start_response):
        if not self._is_internal(environ):
            return self.app(environ, start_response)
        del environ['HTTP_X_AUTH_TOKEN']
        set_identity(environ, self.USER, self.USER, ['admin'])
        return self.trusted_app(environ, start_response)


class PublicPaths:
    """Sends requests for a few public paths around the auth middleware."""

    def __init__(self, authenticated_app, public_app, paths):
        self.authenticated_app = authenticated_app
        self.public_app = public_app
        self.paths = frozenset(paths)

    def __call__(self, environ, start_response):
        if (environ.get('REQUEST_METHOD') == 'GET'
                and environ.get('PATH_INFO', '') in self.paths):
            return self.public_app(environ, start_response)
        return self.authenticated_app(environ, start_response)


class HTTPBasicAuth:
    """``Authorization: Basic`` against an htpasswd file."""

    def __init__(self, app, user_file):
        self.app = app
        self.users = htpasswd.UserFile(user_file)

    @staticmethod
    def _unauthorized(message):
        return faults.fault_response(
            401, message, {'WWW-Authenticate': 'Basic realm="%s"' % REALM})

    @staticmethod
    def _credentials(environ):
        """(user, password) from the Authorization header, or None."""
        scheme, _sep, token = environ.get(
            'HTTP_AUTHORIZATION', '').strip().partition(' ')
        if scheme.lower() != 'basic':
            return None
        try:
            decoded = base64.b64decode(token.strip(), validate=True)
            user, sep, password = decoded.decode('utf-8').partition(':')
        except (binascii.Error, UnicodeDecodeError):
            return None
        return (user, password) if sep and user else None

    def __call__(self, environ, start_response):
        credentials = self._credentials(environ)
        if credentials is None:
            return self._unauthorized(
                'Authentication required: use HTTP Basic '
                'authentication.')(environ, start_response)
        try:
            user = self.users.authenticate(*credentials)
        except exception.ServiceUnavailable as exc:
            return faults.fault_response(503, exc.message)(
                environ, start_response)
        if user is None:
            LOG.info('HTTP Basic authentication failed for user %r',
                     credentials[0])
            return self._unauthorized('Invalid user name or password.')(
                environ, start_response)
        set_identity(environ, user.name, user.project_id, user.roles)
        return self.app(environ, start_response)


class NoAuth:
    """Development only: trusts ``X-Auth-Token: user[:project]``.

    This is what cinderclient's noauth plugin sends (it also sends
    X-User-Id and X-Project-Id, which are stripped and rebuilt from the
    token like any other client-supplied identity header). The user
    "admin" is an administrator.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        token = environ.get('HTTP_X_AUTH_TOKEN', '').strip()
        user_id, _sep, project_id = token.partition(':')
        if not user_id:
            return faults.fault_response(
                401, 'Authentication required: send X-Auth-Token '
                     '"user:project".')(environ, start_response)
        roles = ['admin'] if user_id == 'admin' else ['member']
        set_identity(environ, user_id, project_id or user_id, roles)
        return self.app(environ, start_response)


def keystone(app, conf):
    # Imported here: keystonemiddleware registers its options on import
    # and pulls in a lot that the other strategies never need.
    from keystonemiddleware import auth_token
    return auth_token.AuthProtocol(app, {'oslo_config_config': conf})


def wrap(app, conf, public_paths=(), internal_token=None):
    """``app`` behind the auth middleware ``conf.auth_strategy`` names;
    with ``internal_token``, requests that carry it are an internal
    administrator's whatever the strategy (see ``InternalAdmin``)."""
    strategy = conf.auth_strategy
    if strategy == 'http_basic':
        authenticated = HTTPBasicAuth(app, conf.http_basic_auth_user_file)
    elif strategy == 'noauth':
        LOG.warning('auth_strategy is noauth: every request is trusted; '
                    'never use it outside development.')
        authenticated = NoAuth(app)
    elif strategy == 'keystone':
        authenticated = keystone(app, conf)
    else:
        raise exception.ConfigInvalid(
            reason='unknown auth_strategy %s' % strategy)
    authenticated = PublicPaths(authenticated, app, public_paths)
    if internal_token is not None:
        authenticated = InternalAdmin(app, authenticated, internal_token)
    return StripIdentityHeaders(authenticated)
