"""snapvol-compute-api: the compute admin REST API (internal: the volume
service calls it with python-novaclient)."""

from snapvol_api.cmd import rest_api
from snapvol_api.rest.compute import app


def main():
    return rest_api.run('snapvol-compute-api', app.setup_app, 'compute_api')
