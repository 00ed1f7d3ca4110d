"""Errors as OpenStack faults: {"<faultName>": {"code": N, "message": ...}}.

Every error the APIs send goes through ``fault_response``, whether it comes
from a controller, from pecan's routing or from a middleware.
"""

import json
import logging

import oslo_messaging as messaging
import webob
import webob.exc

from snapvol_api import exception

LOG = logging.getLogger(__name__)

FAULT_NAMES = {
    400: 'badRequest',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'itemNotFound',
    405: 'badMethod',
    406: 'notAcceptable',
    409: 'conflictingRequest',
    413: 'overLimit',
    415: 'badMediaType',
    501: 'notImplemented',
    503: 'serviceUnavailable',
}
DEFAULT_FAULT_NAME = 'computeFault'

GENERIC_500_MESSAGE = ('The server has either erred or is incapable of '
                       'performing the requested operation.')


def fault_response(code, message, headers=None):
    name = FAULT_NAMES.get(code, DEFAULT_FAULT_NAME)
    body = json.dumps({name: {'code': code, 'message': message}})
    response = webob.Response(status=code, body=body.encode(),
                              content_type='application/json',
                              charset='UTF-8')
    response.headers.update(headers or {})
    return response


def exception_to_response(exc, backend='volume'):
    """The fault for any exception; unexpected ones are logged, not shown.

    ``backend`` names the service behind RPC in messages about it.
    """
    if isinstance(exc, exception.SnapvolException):
        if exc.code == 500:
            # A 500 from the manager tells of its insides (paths, command
            # output): the log gets it, the client does not.
            LOG.error('Request failed: %s', exc.message)
            return fault_response(500, GENERIC_500_MESSAGE)
        if exc.code >= 500:
            LOG.warning('Request failed: %s', exc.message)
        return fault_response(exc.code, exc.message)
    if isinstance(exc, messaging.MessagingTimeout):
        LOG.warning('RPC to the %s service timed out: %s', backend, exc)
        return fault_response(
            503, 'The %s service did not answer in time; try again '
                 'later.' % backend)
    if isinstance(exc, messaging.RemoteError):
        LOG.error('The %s service failed: %s', backend, exc)
        return fault_response(500, GENERIC_500_MESSAGE)
    if isinstance(exc, messaging.MessagingException):
        LOG.error('Cannot reach the %s service: %s', backend, exc)
        return fault_response(
            503, 'The %s service cannot be reached; try again later.'
                 % backend)
    if isinstance(exc, webob.exc.HTTPException):
        return http_error_to_response(exc) if exc.code >= 400 else exc
    LOG.exception('Unexpected error while serving a request')
    return fault_response(500, GENERIC_500_MESSAGE)


def http_error_to_response(error):
    """A webob error (pecan's 404 or 405, for example) as a fault."""
    message = error.detail or error.explanation or error.title
    keep = {k: v for k, v in error.headers.items()
            if k.lower() in ('allow', 'www-authenticate', 'retry-after')}
    return fault_response(error.code, message, keep)


class FaultWrapper:
    """WSGI middleware: whatever escapes the app becomes a fault."""

    def __init__(self, app, backend='volume'):
        self.app = app
        self.backend = backend

    def __call__(self, environ, start_response):
        try:
            return self.app(environ, start_response)
        except Exception as exc:
            return exception_to_response(exc, self.backend)(
                environ, start_response)
