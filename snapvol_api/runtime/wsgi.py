"""A threaded WSGI server (cheroot) that runs in a background thread.

Each API's console script serves one app with it; snapvol-all runs several
side by side in one process.
"""

import logging
import threading

from cheroot import wsgi

LOG = logging.getLogger(__name__)

# Cheroot answers 413 to longer bodies before the app reads them.
MAX_REQUEST_BODY_BYTES = 1024 * 1024
# Connections the kernel holds until the server accepts them (cheroot's
# default is 5): clients that come while a process starts, or in a burst,
# wait rather than retry after a second.
LISTEN_BACKLOG = 128


class Server:

    def __init__(self, app, host, port, threads, name='snapvol'):
        self.name = name
        self._server = wsgi.Server((host, port), app, numthreads=threads,
                                   server_name=name)
        self._server.max_request_body_size = MAX_REQUEST_BODY_BYTES
        self._server.request_queue_size = LISTEN_BACKLOG
        self._thread = None

    @property
    def host(self):
        """The bound address."""
        return self._server.bind_addr[0]

    @property
    def port(self):
        """The bound port: the real one when 0 was asked for."""
        return self._server.bind_addr[1]

    @property
    def local_url(self):
        """``http://ADDRESS:PORT`` through which this process reaches the
        server: the loopback address when it listens on every address."""
        host = {'0.0.0.0': '127.0.0.1', '::': '::1'}.get(self.host,
                                                          self.host)
        if ':' in host:
            host = '[%s]' % host
        return 'http://%s:%d' % (host, self.port)

    def bind(self):
        """Binds and listens (errors such as a port in use are raised
        here); connections wait in the backlog until ``serve``."""
        self._server.prepare()
        return self

    def serve(self):
        """Answers, in a daemon thread (binds first if ``bind`` was not
        called)."""
        if not self._server.ready:
            self.bind()
        self._thread = threading.Thread(target=self._server.serve,
                                        name=self.name, daemon=True)
        self._thread.start()
        LOG.info('%s listening on %s:%s', self.name, self.host, self.port)
        return self

    def start(self):
        """Binds, then serves in a daemon thread."""
        return self.bind().serve()

    def stop(self):
        self._server.stop()
        if self._thread is not None:
            self._thread.join()
        LOG.info('%s stopped', self.name)


def serve(app, host, port, threads, name='snapvol'):
    """A started ``Server``."""
    return Server(app, host, port, threads, name).start()
