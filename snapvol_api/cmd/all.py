"""snapvol-all: every snapvol service in one process.

The embedded default: in-process messaging, SQLite databases and the local
share under state_path, so a newcomer needs no broker or database server.
"""

import sys

from oslo_log import log as logging

from snapvol_api.conf import CONF
from snapvol_api.rest.compute import app as compute_app
from snapvol_api.rest.volume import app as volume_app
from snapvol_api.runtime import service
from snapvol_api.runtime import wsgi
from snapvol_compute import service as compute_service
from snapvol_compute.db import migration as compute_migration
from snapvol_volume import service as volume_service
from snapvol_volume.db import migration as volume_migration

LOG = logging.getLogger(__name__)


def main():
    service.prepare(sys.argv, default_transport_url='fake:')
    for migration, url in ((volume_migration, CONF.database.connection),
                           (compute_migration, CONF.compute.connection)):
        if url.startswith('sqlite'):
            # An embedded database needs no separate "db sync" step.
            migration.upgrade(url)
    managers = [volume_service.VolumeService(),
                compute_service.ComputeService()]
    for manager in managers:
        manager.start()
    apis = [wsgi.serve(setup_app(), CONF[group].listen, CONF[group].port,
                       CONF[group].threads, name=name)
            for name, setup_app, group in (
                ('snapvol-volume-api', volume_app.setup_app, 'volume_api'),
                ('snapvol-compute-api', compute_app.setup_app,
                 'compute_api'))]
    LOG.info('snapvol-all ready: volume API on port %d, compute API on '
             'port %d', apis[0].port, apis[1].port)
    service.wait_for_signal(*[api.stop for api in apis],
                            *[manager.stop for manager in managers])
