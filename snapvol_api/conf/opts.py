"""Entry point of oslo-config-generator (namespace "snapvol")."""

from snapvol_api.conf import backup
from snapvol_api.conf import compute
from snapvol_api.conf import compute_api
from snapvol_api.conf import compute_quota
from snapvol_api.conf import coordination
from snapvol_api.conf import database
from snapvol_api.conf import default
from snapvol_api.conf import export
from snapvol_api.conf import libvirt
from snapvol_api.conf import nova
from snapvol_api.conf import quota
from snapvol_api.conf import volume
from snapvol_api.conf import volume_api

_MODULES = (default, database, volume, volume_api, compute, compute_api,
            compute_quota, coordination, libvirt, nova, quota, backup,
            export)


def list_opts():
    groups = {}
    for module in _MODULES:
        for group, opts in module.list_opts().items():
            groups.setdefault(group, []).extend(opts)
    return list(groups.items())
