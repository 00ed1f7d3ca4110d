"""The volume service's processes in the services table of its database:
the heartbeat each one keeps (``heartbeat``), and the rows as os-services
shows them (``list_services``). ``snapvol_volume.db.services`` holds the
table."""

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_api.runtime import heartbeat as heartbeat_mod

# The volume manager's and the volume API's names in the services table.
BINARY = 'snapvol-volume'
API_BINARY = 'snapvol-volume-api'
# What os-services filters on (Cinder's query parameters).
FILTERS = ('host', 'binary')


def heartbeat(db, host, binary, run_id, topic=None, cluster_name=None):
    """A ``runtime.heartbeat.Heartbeat`` (not started) that records the
    process ``run_id`` serving ``host`` and ``binary`` in ``db``."""
    def beat():
        db.service_heartbeat(host, binary, topic, cluster_name,
                             CONF.storage_availability_zone, run_id)
    return heartbeat_mod.Heartbeat(beat, name='%s-heartbeat' % binary)


def view(db, service, now=None):
    """A service as the plain dict the RPC API returns
    (``runtime.heartbeat.service_view``); ``state`` "up" when its last
    heartbeat is within service_down_time of ``now``."""
    return heartbeat_mod.service_view(
        service, db.service_is_up(service, now),
        columns=('cluster_name',))


def list_services(db, filters=None, now=None):
    """Every service of the volume database matching ``filters`` (the
    FILTERS among them; others are ignored, as Cinder ignores them)."""
    filters = {k: v for k, v in (filters or {}).items() if k in FILTERS}
    return [view(db, s, now) for s in db.service_get_all(filters)]


def live_hosts(db, now=None):
    """The hosts with a volume manager up in ``db``: the hosts of its live
    runs ("host/run")."""
    return {run.split('/', 1)[0]
            for run in db.service_live_runs(BINARY, now=now)}


def refuse_other_hosts(db, host, now=None):
    """ConfigInvalid when a volume manager of another host than ``host``
    is up in ``db``: without a coordination backend, locks hold in one
    host only."""
    others = sorted(live_hosts(db, now) - {host})
    if others:
        raise exception.ConfigInvalid(
            reason='the volume manager of %s is up on this database, and '
                   'without [coordination] backend_url two hosts cannot '
                   'keep each other off a volume; configure a '
                   'coordination backend (etcd, Redis) for both'
                   % ', '.join(others))
