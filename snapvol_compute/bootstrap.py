"""Wires the compute manager to its real collaborators, from the
configuration."""

from snapvol_api.conf import CONF
from snapvol_api.rpc import compute_rpcapi
from snapvol_api.rpc import volume_rpcapi
from snapvol_api.runtime import workers
from snapvol_compute import manager
from snapvol_compute import scheduler
from snapvol_compute import thaw
from snapvol_compute.db import api as db
from snapvol_compute.virt import host as virt_host


def compute_manager(host=None):
    return manager.ComputeManager(
        host=host or CONF.host,
        driver=virt_host.Host(CONF.libvirt.connection_uri),
        volume_api=volume_rpcapi.VolumeAPI(),
        db=db,
        workers=workers.Workers(CONF.compute.worker_threads,
                                'compute-worker'),
        thaw_watch=thaw.ThawWatch(),
        scheduler=scheduler.Scheduler(db),
        compute_rpc=compute_rpcapi.ComputeAPI())
