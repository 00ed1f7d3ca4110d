"""The services table of a service's database (Cinder's and Nova's
``services``: one row per process, ``host`` + ``binary``, with its
heartbeat): the columns its model has (``ServiceColumns``), and the
heartbeat, lookups and live runs of its rows (``ServicesTable``).

Each service's ``db`` package binds these to its own model and sessions
and stays the only door to its tables. Whether a row is up, and how
os-services shows it, are ``runtime.heartbeat``'s (no database needed).
"""

import datetime

from oslo_db import exception as db_exc
import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from snapvol_api import exception
from snapvol_api.runtime import heartbeat

# The columns a services table can be filtered on.
FILTERS = ('host', 'binary', 'cluster_name', 'topic')


class ServiceColumns:
    """The columns of a services table's model. The model adds its
    ``__tablename__``, a unique constraint on host, binary and deleted,
    and columns of its own. ``run_id`` names the run of the process now
    serving ``host`` and ``binary``: the owner "host/run_id" of work in
    flight is alive while the row is up and still names that run."""

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True,
                                    autoincrement=True)
    host: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    binary: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    topic: Mapped[str | None] = mapped_column(sa.String(255))
    cluster_name: Mapped[str | None] = mapped_column(sa.String(255))
    availability_zone: Mapped[str | None] = mapped_column(sa.String(255))
    run_id: Mapped[str | None] = mapped_column(sa.String(36))
    report_count: Mapped[int] = mapped_column(sa.Integer, default=0,
                                              nullable=False)
    disabled: Mapped[bool] = mapped_column(sa.Boolean, default=False,
                                           nullable=False)
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime, default=heartbeat.utcnow, nullable=False)
    # The last heartbeat (set by each one, not on any update).
    updated_at: Mapped[datetime.datetime | None] = mapped_column(
        sa.DateTime)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(
        sa.DateTime)
    deleted: Mapped[bool] = mapped_column(sa.Boolean, default=False,
                                          nullable=False)


class ServicesTable:
    """The rows of ``model`` (a ServiceColumns model), read and written in
    the transactions ``session()`` opens (a ``database.Database``'s, whose
    engine turns a duplicate key into oslo.db's DBDuplicateEntry)."""

    def __init__(self, model, session):
        self._model = model
        self._session = session

    def _live(self, host, binary):
        model = self._model
        return (model.host == host, model.binary == binary,
                model.deleted.is_(False))

    def heartbeat(self, host, binary, topic, cluster_name,
                  availability_zone, run_id, **columns):
        """Records a heartbeat of the process ``run_id`` serving ``host``
        and ``binary``: makes the row at the first one, else counts it and
        sets its time, ``run_id`` and the other values given (``columns``:
        more of the model's, left as they were when not given). The row.

        Not retried here: a failed beat is the next beat's to repeat
        (``runtime.heartbeat.Heartbeat``)."""
        model = self._model
        now = heartbeat.utcnow()
        values = {'topic': topic, 'cluster_name': cluster_name,
                  'availability_zone': availability_zone, 'run_id': run_id,
                  'updated_at': now, **columns}
        bump = (sa.update(model).where(*self._live(host, binary))
                .values(report_count=model.report_count + 1, **values))
        try:
            with self._session() as session:
                if session.execute(bump).rowcount == 0:
                    session.add(model(
                        host=host, binary=binary, report_count=1,
                        disabled=False, deleted=False, created_at=now,
                        **values))
        except db_exc.DBDuplicateEntry:
            # Another process made the row meanwhile (one unique host and
            # binary): count this beat on it.
            with self._session() as session:
                session.execute(bump)
        return self.get(host, binary)

    def get(self, host, binary):
        """The row of ``host`` and ``binary``; else ServiceNotFound."""
        with self._session() as session:
            service = session.scalars(sa.select(self._model).where(
                *self._live(host, binary))).first()
        if service is None:
            raise exception.ServiceNotFound(host=host, binary=binary)
        return service

    def get_all(self, filters=None):
        """The rows whose columns equal ``filters`` (of FILTERS, else
        InvalidInput), oldest first."""
        model = self._model
        query = sa.select(model).where(model.deleted.is_(False))
        for key, value in (filters or {}).items():
            if key not in FILTERS:
                raise exception.InvalidInput(
                    reason='services have no filter %r' % key)
            query = query.where(getattr(model, key) == value)
        with self._session() as session:
            return list(session.scalars(query.order_by(model.id)))

    def live_runs(self, binary, cluster_name=None, now=None):
        """{"host/run_id"} of the services of ``binary`` (in
        ``cluster_name`` when given) that are up: the owners whose work in
        flight is alive. Work recorded as another run's, even of a live
        host, is a dead run's (the process restarted)."""
        filters = {'binary': binary}
        if cluster_name is not None:
            filters['cluster_name'] = cluster_name
        return {'%s/%s' % (s.host, s.run_id) for s in self.get_all(filters)
                if s.run_id and heartbeat.service_is_up(s, now)}
