"""snapvol-volume-api: the volume REST API."""

import sys

from oslo_log import log as logging

from snapvol_api.conf import CONF
from snapvol_api import exception
from snapvol_api.rest.volume import app
from snapvol_api.rest import wsgi
from snapvol_api import service

LOG = logging.getLogger(__name__)


def main():
    service.prepare(sys.argv)
    try:
        application = app.setup_app()
    except exception.ConfigInvalid as exc:
        LOG.error('%s', exc)
        return 1
    server = wsgi.serve(application, CONF.volume_api.listen,
                        CONF.volume_api.port, CONF.volume_api.threads,
                        name='snapvol-volume-api')
    LOG.info('Volume API ready (auth_strategy %s)', CONF.auth_strategy)
    service.wait_for_signal(server.stop)
