"""The compute service's processes in the services table of its database
(``compute_services``): the heartbeat each one keeps (``heartbeat``), the
rows as os-services shows them (``list_services``), the state of the
hosts instances run on (``host_statuses``), and the refusal of a second
compute host where the deployment cannot have one
(``refuse_other_hosts``)."""

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.runtime import heartbeat as heartbeat_mod

MANAGER_BINARY = 'snapvol-compute'
API_BINARY = 'snapvol-compute-api'
# Nova's zones: compute hosts are in the default availability zone, the
# other services in the internal one.
COMPUTE_ZONE = 'nova'
INTERNAL_ZONE = 'internal'
# What os-services filters on (Nova's query parameters).
FILTERS = ('host', 'binary')


def heartbeat(db, host, binary, run_id, topic=None, zone=INTERNAL_ZONE,
              capacity=None):
    """A ``runtime.heartbeat.Heartbeat`` (not started) that records the
    process ``run_id`` serving ``host`` and ``binary`` in ``db``; with
    ``capacity`` (a compute manager's), also what ``capacity()`` returns
    at each beat (see ``db.service_heartbeat``; None: left as it was)."""
    def beat():
        db.service_heartbeat(host, binary, topic, None, zone, run_id,
                             capacity=capacity() if capacity else None)
    return heartbeat_mod.Heartbeat(beat, name='%s-heartbeat' % binary)


def view(db, service, now=None):
    """A service as the plain dict the RPC API returns
    (``runtime.heartbeat.service_view``); ``state`` "up" when its last
    heartbeat is within service_down_time of ``now``."""
    return heartbeat_mod.service_view(
        service, db.service_is_up(service, now))


def list_services(db, filters=None, now=None):
    """Every service of the compute database matching ``filters`` (the
    FILTERS among them; others are ignored, as Nova ignores them)."""
    filters = {k: v for k, v in (filters or {}).items() if k in FILTERS}
    return [view(db, s, now) for s in db.service_get_all(filters)]


def host_status(service, is_up):
    """Nova's host_status of a compute manager's row (None: no row)."""
    if service is None:
        return states.HOST_UNKNOWN
    if not is_up(service):
        return states.HOST_DOWN
    return states.HOST_MAINTENANCE if service.disabled else states.HOST_UP


def status_of(statuses, host):
    """The host_status of ``host`` in host_statuses(); '' for no host (a
    server that was never placed), as Nova shows it."""
    if host is None:
        return ''
    return statuses.get(host, states.HOST_UNKNOWN)


def host_statuses(db, now=None):
    """{host: host_status} of every compute host in ``db``; a host that
    is not in it is UNKNOWN."""
    return {s.host: host_status(s, lambda svc: db.service_is_up(svc, now))
            for s in db.service_get_all({'binary': MANAGER_BINARY})}


def single_host_reason(database_url, transport_url):
    """Why this deployment can have one compute host only, or None: a
    SQLite compute database is a file of one machine (a host elsewhere
    would have a database of its own, and each would place servers
    without seeing the other's), and the in-process ``fake:`` transport
    reaches no other process."""
    if database_url.startswith('sqlite'):
        return ('its [compute] connection is SQLite; more than one compute '
                'host needs one database server that all of them share '
                '(PostgreSQL)')
    if (transport_url or '').startswith('fake:'):
        return ('its transport_url is the in-process fake: driver; more '
                'than one compute host needs a message broker (RabbitMQ)')
    return None


def refuse_other_hosts(db, host, reason, now=None):
    """ConfigInvalid when a compute manager of another host than ``host``
    is up in ``db`` while this deployment can have one compute host only
    (``reason``, from single_host_reason; None: nothing is refused)."""
    if reason is None:
        return
    others = sorted({s.host for s in db.service_get_all(
        {'binary': MANAGER_BINARY}) if s.host != host
        and db.service_is_up(s, now)})
    if others:
        raise exception.ConfigInvalid(
            reason='the compute manager of %s is up on this compute '
                   'database, and this deployment can have one compute '
                   'host only: %s' % (', '.join(others), reason))
