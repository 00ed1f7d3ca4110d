"""Request ids and the access log: one line per request."""

import logging
import re
import time
import uuid

from oslo_context import context as oslo_context

LOG = logging.getLogger(__name__)

ENV_REQUEST_ID = 'openstack.request_id'
ENV_GLOBAL_REQUEST_ID = 'openstack.global_request_id'
# oslo.middleware's rule for a caller's X-OpenStack-Request-ID: one of
# oslo.context's ids, "req-" and a UUID, and nothing else (it is logged and
# keys the request ledger).
GLOBAL_REQUEST_ID = re.compile(
    r'^req-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$')
# The UUID version of the ids this API gives its requests (RFC 9562's
# version for custom UUIDs), so that it knows them when they come back.
OWN_UUID_VERSION = 8


def new_request_id():
    """An id of oslo.context's format whose UUID is of OWN_UUID_VERSION:
    python-cinderclient and novaclient send the id of their first answer
    as X-OpenStack-Request-ID with every later request, and such an echo
    names a client's session, not one request of its own."""
    random = uuid.uuid4().int & ~(0xf << 76)
    return 'req-%s' % uuid.UUID(int=random | (OWN_UUID_VERSION << 76))


def client_request_id(environ):
    """The X-OpenStack-Request-ID the client made for this request, if it
    sent a well-formed one that is not an echo of ours."""
    inbound = environ.get('HTTP_X_OPENSTACK_REQUEST_ID', '')
    if (GLOBAL_REQUEST_ID.match(inbound)
            and uuid.UUID(inbound[4:]).version != OWN_UUID_VERSION):
        return inbound
    return None


class RequestLog:
    """WSGI middleware; the outermost one, so it sees every final status.

    Gives each request a fresh id (``environ['openstack.request_id']``),
    returns it as ``X-OpenStack-Request-Id`` and logs the request. A
    request id the client made itself (``client_request_id``) becomes the
    request's global id (``environ['openstack.global_request_id']``), as
    oslo.middleware's request_id filter makes it: a client that retries a
    create with the same one gets the first answer's resource.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        request_id = new_request_id()
        environ[ENV_REQUEST_ID] = request_id
        global_id = client_request_id(environ)
        if global_id is not None:
            environ[ENV_GLOBAL_REQUEST_ID] = global_id
        # oslo.log shows the thread's current context: until the API
        # builds the caller's, log lines must name this request, not the
        # previous one this thread served.
        oslo_context.RequestContext(request_id=request_id,
                                    overwrite=False).update_store()
        started = time.monotonic()
        outcome = {}

        def start_response_with_id(status, headers, exc_info=None):
            outcome['status'] = status.split(' ', 1)[0]
            headers = [(k, v) for k, v in headers
                       if k.lower() not in ('x-openstack-request-id',
                                            'x-compute-request-id')]
            # x-compute-request-id is what cinderclient and novaclient
            # quote in their error messages.
            headers.append(('X-OpenStack-Request-Id', request_id))
            headers.append(('X-Compute-Request-Id', request_id))
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, start_response_with_id)
        finally:
            path = environ.get('PATH_INFO', '')
            if environ.get('QUERY_STRING'):
                path += '?' + environ['QUERY_STRING']
            LOG.info('%(remote)s "%(method)s %(path)s" status: %(status)s '
                     'time: %(duration).3f request: %(request_id)s'
                     '%(global_id)s',
                     {'remote': environ.get('REMOTE_ADDR', '-'),
                      'method': environ.get('REQUEST_METHOD'),
                      'path': path,
                      'status': outcome.get('status', '-'),
                      'duration': time.monotonic() - started,
                      'request_id': request_id,
                      'global_id': (' global: %s' % environ[
                          ENV_GLOBAL_REQUEST_ID]
                          if ENV_GLOBAL_REQUEST_ID in environ else '')})
