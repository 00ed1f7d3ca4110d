"""snapvol-volume-api: the volume REST API."""

from snapvol_api.cmd import rest_api
from snapvol_api.rest.volume import app


def main():
    return rest_api.run('snapvol-volume-api', app.setup_app, 'volume_api')
