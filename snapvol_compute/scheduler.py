"""Where a new server runs: Nova's filter scheduler in small.

The candidates are the compute hosts whose manager is up and enabled and
has reported its capacity (Nova's ComputeFilter). A flavor fits a host
when what the host's live instances take plus the flavor stays within
(total - reserved) x allocation ratio, for vCPUs and for memory (how
placement counts its VCPU and MEMORY_MB inventories). Of the hosts it
fits, the one with the most free memory wins (Nova's default weigher,
RAMWeigher, weighs free physical memory); ties go to the host named
first, so that placement is the same every time.
"""

import dataclasses
import functools

from snapvol_api import exception
from snapvol_api.runtime import heartbeat
from snapvol_compute import services

# Nova's reason when no host passes the filters.
NOT_ENOUGH_HOSTS = 'There are not enough hosts available.'


@dataclasses.dataclass(frozen=True)
class HostState:
    """A compute host as the scheduler sees it."""
    host: str
    vcpus_limit: float
    memory_mb_limit: float
    vcpus_used: int
    memory_mb_used: int
    # Physical memory not taken by instances nor reserved (negative when
    # overcommitted): what RAMWeigher weighs.
    free_ram_mb: int

    def fits(self, flavor):
        return (self.vcpus_used + flavor['vcpus'] <= self.vcpus_limit
                and self.memory_mb_used + flavor['memory_mb']
                <= self.memory_mb_limit)


def host_state(service, usage):
    """``service``: a compute manager's row with its capacity; ``usage``:
    {vcpus, memory_mb} its live instances take (host_usage)."""
    usable_ram = service.memory_mb - service.reserved_host_memory_mb
    return HostState(
        host=service.host,
        vcpus_limit=service.vcpus * service.cpu_allocation_ratio,
        memory_mb_limit=usable_ram * service.ram_allocation_ratio,
        vcpus_used=usage.get('vcpus', 0),
        memory_mb_used=usage.get('memory_mb', 0),
        free_ram_mb=usable_ram - usage.get('memory_mb', 0))


class Scheduler:

    def __init__(self, db, clock=heartbeat.utcnow):
        """``db``: the snapvol_compute.db.api module or a stand-in (for
        service_is_up, and check's reads); ``clock()``: now, as the
        services table's times (naive UTC)."""
        self._db = db
        self._clock = clock

    def candidates(self, service_rows, usage):
        """HostState of every compute host that may take a server now."""
        now = self._clock()
        return [
            host_state(s, usage.get(s.host, {})) for s in service_rows
            if s.binary == services.MANAGER_BINARY and not s.disabled
            and s.vcpus is not None and self._db.service_is_up(s, now)]

    def select_host(self, flavor, service_rows, usage):
        """The host for a server of ``flavor`` ({vcpus, memory_mb}),
        given the service rows and host_usage(); NoValidHost when it
        fits none."""
        fitting = [h for h in self.candidates(service_rows, usage)
                   if h.fits(flavor)]
        if not fitting:
            raise exception.NoValidHost(reason=NOT_ENOUGH_HOSTS)
        return min(fitting, key=lambda h: (-h.free_ram_mb, h.host)).host

    def placer(self, flavor):
        """select_host for ``flavor``, as db.instance_create_placed calls
        it (with the rows held)."""
        return functools.partial(self.select_host, flavor)

    def check(self, flavor):
        """select_host on the database as it is, holding nothing: a
        create that no host can take fails before it makes anything."""
        return self.select_host(
            flavor, self._db.service_get_all(
                {'binary': services.MANAGER_BINARY}),
            self._db.host_usage())
