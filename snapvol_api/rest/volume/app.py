"""The volume API as one WSGI application."""

from snapvol_api.rest import faults
from snapvol_api.rest import pipeline
from snapvol_api.rest.volume import versions
from snapvol_api.rest.volume.controllers import root

FAULTS = faults.Faults('volume', faults.VOLUME_FAULT_NAMES)


def setup_app(rpcapi=None):
    """The WSGI app (see ``pipeline.build``).

    ``rpcapi`` defaults to the real volume manager client (which needs
    ``snapvol_api.rpc.init``); tests pass a fake.
    """
    if rpcapi is None:
        from snapvol_api.rpc import volume_rpcapi
        rpcapi = volume_rpcapi.VolumeAPI()
    return pipeline.build(root.RootController(), rpcapi,
                          versions.MICROVERSIONS, versions.PREFIX, FAULTS,
                          root.PUBLIC_PATHS)
