"""Errors as OpenStack faults: {"<faultName>": {"code": N, "message": ...}}.

Every error the APIs send goes through ``fault_response``, whether it comes
from a controller, from pecan's routing or from a middleware. Cinder and Nova
name their faults alike except for a few codes, so each API reports errors
through its own ``Faults``.
"""

import json
import logging

import oslo_messaging as messaging
import webob
import webob.exc

from snapvol_api import exception

LOG = logging.getLogger(__name__)

# The names Cinder and Nova agree on; the only ones a middleware in front of
# both APIs (authentication) ever needs.
COMMON_FAULT_NAMES = {
    400: 'badRequest',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'itemNotFound',
    405: 'badMethod',
    409: 'conflictingRequest',
    413: 'overLimit',
    415: 'badMediaType',
    501: 'notImplemented',
    503: 'serviceUnavailable',
}
VOLUME_FAULT_NAMES = {**COMMON_FAULT_NAMES, 406: 'notAcceptable'}
# Nova has no name for 406: its refusal of a microversion is a computeFault.
COMPUTE_FAULT_NAMES = {**COMMON_FAULT_NAMES, 429: 'overLimit'}
DEFAULT_FAULT_NAME = 'computeFault'

GENERIC_500_MESSAGE = ('The server has either erred or is incapable of '
                       'performing the requested operation.')


def fault_response(code, message, headers=None, names=COMMON_FAULT_NAMES):
    name = names.get(code, DEFAULT_FAULT_NAME)
    fault = {'code': code, 'message': message}
    retry = (headers or {}).get('Retry-After')
    if code in (413, 429) and retry is not None:
        fault['retryAfter'] = retry
    body = json.dumps({name: fault})
    response = webob.Response(status=code, body=body.encode(),
                              content_type='application/json',
                              charset='UTF-8')
    response.headers.update(headers or {})
    return response


class Faults:
    """How one API reports errors.

    ``backend`` names the service behind its RPC calls in messages about
    it; ``names`` maps status codes to fault names.
    """

    def __init__(self, backend, names):
        self.backend = backend
        self.names = names

    def response(self, code, message, headers=None):
        return fault_response(code, message, headers, self.names)

    def from_exception(self, exc):
        """The fault for any exception; unexpected ones are logged, not
        shown."""
        if isinstance(exc, exception.SnapvolException):
            if exc.code == 500:
                # A 500 from a manager tells of its insides (paths, command
                # output): the log gets it, the client does not.
                LOG.error('Request failed: %s', exc.message)
                return self.response(500, GENERIC_500_MESSAGE)
            if exc.code >= 500:
                LOG.warning('Request failed: %s', exc.message)
            if isinstance(exc, exception.OverQuota):
                # Cinder's: try again once usage went down, not later.
                return self.response(exc.code, exc.message,
                                     {'Retry-After': '0'})
            return self.response(exc.code, exc.message)
        if isinstance(exc, messaging.MessagingTimeout):
            LOG.warning('RPC to the %s service timed out: %s', self.backend,
                        exc)
            return self.response(
                503, 'The %s service did not answer in time; try again '
                     'later.' % self.backend)
        if isinstance(exc, messaging.RemoteError):
            LOG.error('The %s service failed: %s', self.backend, exc)
            return self.response(500, GENERIC_500_MESSAGE)
        if isinstance(exc, messaging.MessagingException):
            LOG.error('Cannot reach the %s service: %s', self.backend, exc)
            return self.response(
                503, 'The %s service cannot be reached; try again later.'
                     % self.backend)
        if isinstance(exc, webob.exc.HTTPException):
            return self.from_http_error(exc) if exc.code >= 400 else exc
        LOG.exception('Unexpected error while serving a request')
        return self.response(500, GENERIC_500_MESSAGE)

    def from_http_error(self, error):
        """A webob error (pecan's 404 or 405, for example) as a fault."""
        message = error.detail or error.explanation or error.title
        keep = {k: v for k, v in error.headers.items()
                if k.lower() in ('allow', 'www-authenticate', 'retry-after')}
        return self.response(error.code, message, keep)


class FaultWrapper:
    """WSGI middleware: whatever escapes the app becomes a fault."""

    def __init__(self, app, faults):
        self.app = app
        self.faults = faults

    def __call__(self, environ, start_response):
        try:
            return self.app(environ, start_response)
        except Exception as exc:
            return self.faults.from_exception(exc)(environ, start_response)
