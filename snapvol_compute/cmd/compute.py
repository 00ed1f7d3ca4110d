"""snapvol-compute: the compute manager of one hypervisor host."""

import sys

from snapvol_api.conf import CONF
from snapvol_api.runtime import service
from snapvol_compute import service as compute_service
from snapvol_compute.db import migration


def main():
    service.prepare(sys.argv)
    if CONF.compute.connection.startswith('sqlite'):
        # A host-local database needs no separate "compute_db sync".
        migration.upgrade(CONF.compute.connection)
    server = compute_service.ComputeService()
    server.start()
    service.wait_for_signal(server.stop)
