"""snapvol-compute-api: the compute admin REST API (internal: the volume
service calls it with python-novaclient)."""

from snapvol_api.cmd import rest_api
from snapvol_api.conf import CONF
from snapvol_api.rest.compute import app
from snapvol_api.rpc import compute_rpcapi
from snapvol_api.runtime import heartbeat as heartbeat_mod
from snapvol_compute import front
from snapvol_compute import services
from snapvol_compute.db import api as db


def heartbeat():
    """This process's heartbeat in the compute database's services."""
    return services.heartbeat(db, CONF.host, services.API_BINARY,
                              heartbeat_mod.new_run_id())


def setup_app(internal_token=None):
    """The compute API over its front: reads from the compute database,
    the rest to the compute managers (snapvol_compute.front)."""
    return app.setup_app(rpcapi=front.build(compute_rpcapi.ComputeAPI()),
                         internal_token=internal_token)


def main():
    return rest_api.run('snapvol-compute-api', setup_app, 'compute_api',
                        heartbeat=heartbeat)
