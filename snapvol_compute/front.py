"""What the compute API process does itself: it reads instances, their
volume attachments (with their host's state) and the services from the
compute database, so that it answers them, and refuses a call to a host
that is down, even when no compute manager answers; everything else goes
to the compute managers. (The volume API's counterpart:
snapvol_volume.front.)"""

from snapvol_api import rpc
from snapvol_api.rpc import compute_rpcapi

# The compute manager methods that only read the database.
READS = frozenset(['get_instance', 'list_instances', 'find_volume_attachment',
                   'get_project_usage', 'list_services'])


class ComputeFront:
    """The compute API's ``rpcapi``: ``rpcapi``'s methods, the reads run
    by ``reader`` (a ComputeManager that is never started) here."""

    def __init__(self, rpcapi, reader):
        self._rpcapi = rpcapi
        self._local = compute_rpcapi.ComputeAPI(
            client=rpc.LocalClient(reader))

    def __getattr__(self, name):
        return getattr(self._local if name in READS else self._rpcapi, name)


def build(rpcapi, db=None):
    """The front of a compute API process, on ``db`` (default: the
    compute database)."""
    from snapvol_compute import manager
    from snapvol_compute.db import api as db_api
    reader = manager.ComputeManager(
        host=None, driver=None, volume_api=None, db=db or db_api,
        workers=None, thaw_watch=None, scheduler=None, compute_rpc=None)
    return ComputeFront(rpcapi, reader)
