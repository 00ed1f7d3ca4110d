"""The services table of the volume database: one row per process of the
volume service (``host`` + ``binary``), with its heartbeat (Cinder's
``services``)."""

from oslo_db import exception as db_exc
import sqlalchemy as sa

from snapvol_api import exception
from snapvol_api.runtime import heartbeat
from snapvol_volume.db import common
from snapvol_volume.db import models

SERVICE_FILTERS = ('host', 'binary', 'cluster_name', 'topic')


def _live(host, binary):
    return (models.Service.host == host, models.Service.binary == binary,
            models.Service.deleted.is_(False))


def service_heartbeat(host, binary, topic, cluster_name, availability_zone,
                      run_id):
    """Records a heartbeat of the process ``run_id`` serving ``host`` and
    ``binary``: makes the row at the first one, else counts it and sets
    its time, ``run_id`` and the other values given. The row."""
    now = heartbeat.utcnow()
    values = {'topic': topic, 'cluster_name': cluster_name,
              'availability_zone': availability_zone, 'run_id': run_id,
              'updated_at': now}
    bump = (sa.update(models.Service).where(*_live(host, binary))
            .values(report_count=models.Service.report_count + 1,
                    **values))
    try:
        with common.session() as session:
            if session.execute(bump).rowcount == 0:
                session.add(models.Service(
                    host=host, binary=binary, report_count=1,
                    disabled=False, deleted=False, created_at=now,
                    **values))
    except db_exc.DBDuplicateEntry:
        # Another process made the row meanwhile (one unique host and
        # binary): count this beat on it.
        with common.session() as session:
            session.execute(bump)
    return service_get(host, binary)


def service_get(host, binary):
    """The row of ``host`` and ``binary``; else ServiceNotFound."""
    with common.session() as session:
        service = session.scalars(sa.select(models.Service).where(
            *_live(host, binary))).first()
    if service is None:
        raise exception.ServiceNotFound(host=host, binary=binary)
    return service


def service_get_all(filters=None):
    """The rows whose columns equal ``filters`` (of SERVICE_FILTERS, else
    InvalidInput), oldest first."""
    query = sa.select(models.Service).where(
        models.Service.deleted.is_(False))
    for key, value in (filters or {}).items():
        if key not in SERVICE_FILTERS:
            raise exception.InvalidInput(
                reason='services have no filter %r' % key)
        query = query.where(getattr(models.Service, key) == value)
    with common.session() as session:
        return list(session.scalars(query.order_by(models.Service.id)))


def service_is_up(service, now=None):
    """Whether ``service`` heartbeat within ``service_down_time`` of
    ``now`` (default: the clock)."""
    return heartbeat.is_up(service.updated_at or service.created_at, now)


def service_live_runs(binary, cluster_name=None, now=None):
    """{"host/run_id"} of the services of ``binary`` (in ``cluster_name``
    when given) that are up: the owners whose work in flight is alive.
    Work recorded as another run's, even of a live host, is a dead run's
    (the process restarted)."""
    filters = {'binary': binary}
    if cluster_name is not None:
        filters['cluster_name'] = cluster_name
    return {'%s/%s' % (s.host, s.run_id) for s in service_get_all(filters)
            if s.run_id and service_is_up(s, now)}
