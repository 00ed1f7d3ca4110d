"""The compute service's processes in the services table of its database
(``compute_services``): the heartbeat each one keeps (``heartbeat``), and
the rows as os-services shows them (``list_services``)."""

from snapvol_api.runtime import heartbeat as heartbeat_mod

MANAGER_BINARY = 'snapvol-compute'
API_BINARY = 'snapvol-compute-api'
# Nova's zones: compute hosts are in the default availability zone, the
# other services in the internal one.
COMPUTE_ZONE = 'nova'
INTERNAL_ZONE = 'internal'
# What os-services filters on (Nova's query parameters).
FILTERS = ('host', 'binary')


def _iso(value):
    return value.isoformat() if value is not None else None


def heartbeat(db, host, binary, run_id, topic=None, zone=INTERNAL_ZONE):
    """A ``runtime.heartbeat.Heartbeat`` (not started) that records the
    process ``run_id`` serving ``host`` and ``binary`` in ``db``."""
    def beat():
        db.service_heartbeat(host, binary, topic, None, zone, run_id)
    return heartbeat_mod.Heartbeat(beat, name='%s-heartbeat' % binary)


def view(db, service, now=None):
    """A service as the plain dict the RPC API returns; ``state`` "up"
    when its last heartbeat is within service_down_time of ``now``."""
    return {
        'id': service.id,
        'host': service.host,
        'binary': service.binary,
        'topic': service.topic,
        'availability_zone': service.availability_zone,
        'disabled': service.disabled,
        'disabled_reason': service.disabled_reason,
        'state': 'up' if db.service_is_up(service, now) else 'down',
        'report_count': service.report_count,
        'created_at': _iso(service.created_at),
        'updated_at': _iso(service.updated_at),
    }


def list_services(db, filters=None, now=None):
    """Every service of the compute database matching ``filters`` (the
    FILTERS among them; others are ignored, as Nova ignores them)."""
    filters = {k: v for k, v in (filters or {}).items() if k in FILTERS}
    return [view(db, s, now) for s in db.service_get_all(filters)]
