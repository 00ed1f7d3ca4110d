"""The flavors: a small built-in set, as the compute manager needs no more.

An instance boots from a volume, so a flavor only gives memory and vCPUs;
its root disk size is 0, as Nova shows for volume-backed flavors.
"""

import dataclasses

from snapvol_api import exception


@dataclasses.dataclass(frozen=True)
class Flavor:
    id: str
    name: str
    memory_mb: int
    vcpus: int
    disk_gb: int = 0

    def for_rpc(self):
        """The flavor as ComputeAPI.create_instance takes it."""
        return {'id': self.id, 'vcpus': self.vcpus,
                'memory_mb': self.memory_mb}


FLAVORS = (
    Flavor('1', 'm1.tiny', memory_mb=64, vcpus=1),
    Flavor('2', 'm1.small', memory_mb=256, vcpus=1),
    Flavor('3', 'm1.medium', memory_mb=1024, vcpus=2),
)
_BY_ID = {flavor.id: flavor for flavor in FLAVORS}


def get(flavor_id):
    try:
        return _BY_ID[flavor_id]
    except (KeyError, TypeError):
        raise exception.FlavorNotFound(flavor_id=flavor_id)
