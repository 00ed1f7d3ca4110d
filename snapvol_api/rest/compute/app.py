"""The compute admin API as one WSGI application."""

from snapvol_api.rest import faults
from snapvol_api.rest import pipeline
from snapvol_api.rest.compute import versions
from snapvol_api.rest.compute.controllers import root

FAULTS = faults.Faults('compute', faults.COMPUTE_FAULT_NAMES)


def setup_app(rpcapi=None, internal_token=None):
    """The WSGI app (see ``pipeline.build``).

    ``rpcapi`` defaults to the real compute manager client (which needs
    ``snapvol_api.rpc.init``); tests pass a fake. ``internal_token``:
    snapvol-all's secret for its own volume manager (``auth.InternalAdmin``).
    """
    if rpcapi is None:
        from snapvol_api.rpc import compute_rpcapi
        rpcapi = compute_rpcapi.ComputeAPI()
    return pipeline.build(root.RootController(), rpcapi,
                          versions.MICROVERSIONS, versions.PREFIX, FAULTS,
                          root.PUBLIC_PATHS, internal_token=internal_token)
