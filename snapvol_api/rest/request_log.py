"""Request ids and the access log: one line per request."""

import logging
import time

from oslo_context import context as oslo_context

LOG = logging.getLogger(__name__)

ENV_REQUEST_ID = 'openstack.request_id'


class RequestLog:
    """WSGI middleware; the outermost one, so it sees every final status.

    Gives each request a fresh id (``environ['openstack.request_id']``),
    returns it as ``X-OpenStack-Request-Id`` and logs the request.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        request_id = oslo_context.generate_request_id()
        environ[ENV_REQUEST_ID] = request_id
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
                     'time: %(duration).3f request: %(request_id)s',
                     {'remote': environ.get('REMOTE_ADDR', '-'),
                      'method': environ.get('REQUEST_METHOD'),
                      'path': path,
                      'status': outcome.get('status', '-'),
                      'duration': time.monotonic() - started,
                      'request_id': request_id})
