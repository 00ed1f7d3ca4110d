"""snapvol-volume-api: the volume REST API."""

from snapvol_api.cmd import rest_api
from snapvol_api.conf import CONF
from snapvol_api.rest.volume import app
from snapvol_api.runtime import heartbeat as heartbeat_mod
from snapvol_volume import services
from snapvol_volume.db import api as db


def heartbeat():
    """This process's heartbeat in the volume database's services."""
    return services.heartbeat(db, CONF.host, services.API_BINARY,
                              heartbeat_mod.new_run_id())


def main():
    return rest_api.run('snapvol-volume-api', app.setup_app, 'volume_api',
                        heartbeat=heartbeat)
