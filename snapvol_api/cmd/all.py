"""snapvol-all: every snapvol service in one process.

The embedded default: in-process messaging, the SQLite database and the
local share under state_path, so a newcomer needs no broker or database.
"""

import sys

from oslo_log import log as logging

from snapvol_api.conf import CONF
from snapvol_api.rest.volume import app
from snapvol_api.rest import wsgi
from snapvol_api import service
from snapvol_volume.db import migration
from snapvol_volume import service as volume_service

LOG = logging.getLogger(__name__)


def main():
    service.prepare(sys.argv, default_transport_url='fake:')
    if CONF.database.connection.startswith('sqlite'):
        # The embedded database needs no separate "db sync" step.
        migration.upgrade(CONF.database.connection)
    volume = volume_service.VolumeService()
    volume.start()
    api = wsgi.serve(app.setup_app(), CONF.volume_api.listen,
                     CONF.volume_api.port, CONF.volume_api.threads,
                     name='snapvol-volume-api')
    LOG.info('snapvol-all ready: volume API on %s:%s',
             CONF.volume_api.listen, api.port)
    service.wait_for_signal(api.stop, volume.stop)
