"""The life of a REST API process, shared by their console scripts."""

import sys

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_api.runtime import service
from snapvol_api.runtime import wsgi

LOG = logging.getLogger(__name__)


def run(name, setup_app, group, heartbeat=None):
    """Reads the command line and configuration, builds the app with
    ``setup_app`` and serves it on the listen, port and threads options of
    the option ``group`` until SIGTERM or SIGINT. ``heartbeat()``: the
    process's ``runtime.heartbeat.Heartbeat`` in its service's services
    table, started once the app serves. The exit status."""
    service.prepare(sys.argv)
    try:
        application = setup_app()
    except exception.ConfigInvalid as exc:
        LOG.error('%s', exc)
        return 1
    options = CONF[group]
    server = wsgi.serve(application, options.listen, options.port,
                        options.threads, name=name)
    LOG.info('%s ready (auth_strategy %s)', name, CONF.auth_strategy)
    stoppers = [server.stop]
    if heartbeat is not None:
        beats = heartbeat()
        beats.start()
        stoppers.append(beats.stop)
    service.wait_for_signal(*stoppers)
    return 0
