"""snapvol-volume-api: the volume REST API."""

from snapvol_api.cmd import rest_api
from snapvol_api.conf import CONF
from snapvol_api.rest.volume import app
from snapvol_api.rpc import volume_rpcapi
from snapvol_api.runtime import heartbeat as heartbeat_mod
from snapvol_volume import front
from snapvol_volume import services
from snapvol_volume.db import api as db


def heartbeat():
    """This process's heartbeat in the volume database's services."""
    return services.heartbeat(db, CONF.host, services.API_BINARY,
                              heartbeat_mod.new_run_id())


def setup_app():
    """The volume API over its front: reads from the volume database,
    writes to the volume managers (snapvol_volume.front)."""
    return app.setup_app(rpcapi=front.build(volume_rpcapi.VolumeAPI()))


def main():
    return rest_api.run('snapvol-volume-api', setup_app, 'volume_api',
                        heartbeat=heartbeat)
