"""Request ids and the access log: one line per request."""

import logging
import re
import time

from oslo_context import context as oslo_context

LOG = logging.getLogger(__name__)

ENV_REQUEST_ID = 'openstack.request_id'
ENV_GLOBAL_REQUEST_ID = 'openstack.global_request_id'
# oslo.middleware's rule for a caller's X-OpenStack-Request-ID: one of
# oslo.context's ids, "req-" and a UUID, and nothing else (it is logged and
# keys the request ledger).
GLOBAL_REQUEST_ID = re.compile(
    r'^req-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$')


class RequestLog:
    """WSGI middleware; the outermost one, so it sees every final status.

    Gives each request a fresh id (``environ['openstack.request_id']``),
    returns it as ``X-OpenStack-Request-Id`` and logs the request. A
    well-formed ``X-OpenStack-Request-ID`` the caller sent becomes the
    request's global id (``environ['openstack.global_request_id']``), as
    oslo.middleware's request_id filter makes it: a client that retries a
    create with the same one gets the first answer's resource.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        request_id = oslo_context.generate_request_id()
        environ[ENV_REQUEST_ID] = request_id
        inbound = environ.get('HTTP_X_OPENSTACK_REQUEST_ID')
        if inbound and GLOBAL_REQUEST_ID.match(inbound):
            environ[ENV_GLOBAL_REQUEST_ID] = inbound
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
