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


class Server:

    def __init__(self, app, host, port, threads, name='snapvol'):
        self.name = name
        self._server = wsgi.Server((host, port), app, numthreads=threads,
                                   server_name=name)
        self._server.max_request_body_size = MAX_REQUEST_BODY_BYTES
        self._thread = None

    @property
    def port(self):
        """The bound port: the real one when 0 was asked for."""
        return self._server.bind_addr[1]

    def start(self):
        """Binds (errors such as a port in use are raised here), then
        serves in a daemon thread."""
        self._server.prepare()
        self._thread = threading.Thread(target=self._server.serve,
                                        name=self.name, daemon=True)
        self._thread.start()
        LOG.info('%s listening on %s:%s', self.name,
                 *self._server.bind_addr[:2])
        return self

    def stop(self):
        self._server.stop()
        if self._thread is not None:
            self._thread.join()
        LOG.info('%s stopped', self.name)


def serve(app, host, port, threads, name='snapvol'):
    """A started ``Server``."""
    return Server(app, host, port, threads, name).start()
