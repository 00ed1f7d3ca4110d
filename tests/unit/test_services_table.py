"""The services table both services share (snapvol_api.runtime
.services_table): a beat that loses the race to make the row counts on
the other's, a model's own columns, and the row as os-services shows it
(snapvol_api.runtime.heartbeat.service_view)."""

import contextlib
import datetime

from oslo_config import fixture as config_fixture
import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from snapvol_api.conf import CONF
from snapvol_api.runtime import database
from snapvol_api.runtime import heartbeat
from snapvol_api.runtime import services_table


class Base(orm.DeclarativeBase):
    pass


class Service(services_table.ServiceColumns, Base):
    __tablename__ = 'services'
    __table_args__ = (sa.UniqueConstraint('host', 'binary', 'deleted'),)
    vcpus = sa.Column(sa.Integer)


@pytest.fixture
def db(tmp_path):
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    url = 'sqlite:///%s' % (tmp_path / 'services.sqlite')
    db = database.Database(lambda: url)
    with db.session() as session:
        Base.metadata.create_all(session.connection())
    yield db
    db.dispose()
    fixture.cleanUp()


class _Late:
    """A session in which the beat's UPDATE finds no row (it ran before
    the other process's INSERT was committed); the rest is real."""

    def __init__(self, session):
        self._session = session

    def execute(self, statement):
        return _NoRows()

    def add(self, row):
        self._session.add(row)


class _NoRows:
    rowcount = 0


def test_a_beat_that_loses_the_race_to_make_the_row_counts_on_it(db):
    table = services_table.ServicesTable(Service, db.session)
    opened = []

    @contextlib.contextmanager
    def session():
        opened.append(True)
        if len(opened) == 1:
            table.heartbeat('node1', 'bin', None, None, 'nova', 'other')
            with db.session() as real:
                yield _Late(real)
        else:
            with db.session() as real:
                yield real

    racing = services_table.ServicesTable(Service, session)
    row = racing.heartbeat('node1', 'bin', 'topic', None, 'nova', 'mine',
                           vcpus=4)
    assert (row.report_count, row.run_id, row.topic, row.vcpus) == (
        2, 'mine', 'topic', 4)
    assert len(table.get_all()) == 1


def test_columns_not_given_are_left_as_they_were(db):
    table = services_table.ServicesTable(Service, db.session)
    table.heartbeat('node1', 'bin', None, None, 'nova', 'r1', vcpus=4)
    row = table.heartbeat('node1', 'bin', None, None, 'nova', 'r2')
    assert (row.vcpus, row.report_count) == (4, 2)


def test_the_view_of_a_row(db):
    table = services_table.ServicesTable(Service, db.session)
    row = table.heartbeat('node1', 'bin', 'topic', 'gold', 'nova', 'r1')
    seen = row.updated_at
    view = heartbeat.service_view(row, heartbeat.service_is_up(
        row, seen + datetime.timedelta(seconds=CONF.service_down_time + 1)))
    assert (view['state'], view['updated_at']) == ('down', seen.isoformat())
    assert 'cluster_name' not in view
    assert heartbeat.service_view(row, True, columns=('cluster_name',))[
        'cluster_name'] == 'gold'
