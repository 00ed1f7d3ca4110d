"""snapvol-compute: the compute manager of one hypervisor host."""

import sys

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_api.runtime import service
from snapvol_compute import service as compute_service
from snapvol_compute.db import migration

LOG = logging.getLogger(__name__)


def main():
    service.prepare(sys.argv)
    if CONF.compute.connection.startswith('sqlite'):
        # A host-local database needs no separate "compute_db sync".
        migration.upgrade(CONF.compute.connection)
    server = compute_service.ComputeService()
    try:
        server.start()
    except exception.ConfigInvalid as exc:
        LOG.error('snapvol-compute cannot start: %s', exc)
        # The log may be a file; whoever started the process reads this.
        print('snapvol-compute cannot start: %s' % exc, file=sys.stderr)
        return 1
    service.wait_for_signal(server.stop)
    return 0
