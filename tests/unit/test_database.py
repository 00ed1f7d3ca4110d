"""The engine setup both services share (snapvol_api.runtime.database):
oslo.db's options and pool, SQLite's pragmas, oslo.db's exceptions, the
retries of a transaction, and the metadata upsert."""

from oslo_config import fixture as config_fixture
from oslo_db import exception as db_exc
from oslo_db import options as oslo_db_options
import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from snapvol_api.conf import CONF
from snapvol_api.conf import database as database_conf
from snapvol_api.runtime import database


class Base(orm.DeclarativeBase):
    pass


class Owner(Base):
    __tablename__ = 'owners'
    id = sa.Column(sa.String(36), primary_key=True)


class OwnerMetadata(Base):
    __tablename__ = 'owner_metadata'
    owner_id = sa.Column(sa.String(36), sa.ForeignKey('owners.id'),
                         primary_key=True)
    key = sa.Column(sa.String(255), primary_key=True)
    value = sa.Column(sa.String(255))


@pytest.fixture
def conf(tmp_path):
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    fixture.config(state_path=str(tmp_path))
    fixture.config(db_retry_interval=0, group='database')
    yield fixture
    fixture.cleanUp()


@pytest.fixture
def owners(conf, tmp_path):
    """A Database of the tables above, with owner 'o1'."""
    url = 'sqlite:///%s' % (tmp_path / 'owners.sqlite')
    db = database.Database(lambda: url)
    with db.session() as session:
        Base.metadata.create_all(session.connection())
        session.add(Owner(id='o1'))
    yield db
    db.dispose()


def _metadata(db, owner_id='o1'):
    with db.session() as session:
        return {m.key: m.value for m in session.scalars(
            sa.select(OwnerMetadata).where(
                OwnerMetadata.owner_id == owner_id))}


# Options --------------------------------------------------------------------

def test_database_options_are_oslo_dbs_with_our_default(conf, tmp_path):
    ours = {opt.name for opt in database_conf.opts}
    theirs = {opt.name: opt for opt in oslo_db_options.database_opts}
    assert ours <= set(theirs)
    assert {'max_pool_size', 'max_overflow', 'pool_timeout',
            'connection_recycle_time', 'max_retries', 'retry_interval',
            'db_max_retries', 'db_retry_interval'} <= ours
    assert CONF.database.connection == 'sqlite:///%s/snapvol.sqlite' % (
        tmp_path)
    # The library's own objects keep their defaults.
    assert theirs['connection'].default is None


def test_a_server_engine_has_the_pool_options(conf):
    conf.config(max_pool_size=7, max_overflow=3, pool_timeout=11,
                connection_recycle_time=600,
                max_retries=0,          # no connection now: no server here
                group='database')
    engine = database.create_engine(
        'postgresql+psycopg2://nobody@127.0.0.1:1/nothing')
    try:
        pool = engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout,
                pool._recycle) == (7, 3, 11, 600)
        assert engine.dialect.name == 'postgresql'
    finally:
        engine.dispose()


def test_sqlite_connections_have_their_pragmas(owners):
    with owners.session() as session:
        pragmas = {name: session.execute(
            sa.text('PRAGMA %s' % name)).scalar()
            for name in ('foreign_keys', 'journal_mode', 'synchronous',
                         'busy_timeout')}
    assert pragmas == {'foreign_keys': 1, 'journal_mode': 'wal',
                       'synchronous': 1,          # NORMAL
                       'busy_timeout': database.SQLITE_BUSY_TIMEOUT * 1000}


def test_driver_errors_come_out_as_oslo_db_exceptions(owners):
    with pytest.raises(db_exc.DBDuplicateEntry):
        with owners.session() as session:
            session.add(Owner(id='o1'))
    with pytest.raises(db_exc.DBReferenceError):
        with owners.session() as session:
            session.add(OwnerMetadata(owner_id='nobody', key='k', value='v'))


# Retries --------------------------------------------------------------------

@pytest.mark.parametrize('error', [db_exc.DBDeadlock,
                                   db_exc.DBConnectionError])
def test_a_transaction_failing_once_is_run_again_and_done_once(owners,
                                                               error):
    attempts = []

    def work(session):
        database.set_metadata(session, OwnerMetadata, 'owner_id', 'o1',
                              {'n': str(len(attempts))}, replace=False)
        session.add(Owner(id='o%d' % (len(attempts) + 2)))
        attempts.append(1)
        if len(attempts) == 1:
            raise error()
        return 'done'

    assert owners.transaction(work) == 'done'
    assert len(attempts) == 2
    # The first attempt's writes were rolled back: only the second's.
    assert _metadata(owners) == {'n': '1'}
    with owners.session() as session:
        assert sorted(session.scalars(sa.select(Owner.id))) == ['o1', 'o3']


def test_other_errors_are_not_retried(owners):
    attempts = []

    def work(session):
        attempts.append(1)
        session.add(Owner(id='o1'))

    with pytest.raises(db_exc.DBDuplicateEntry):
        owners.transaction(work)
    assert len(attempts) == 1


def test_retries_stop_after_db_max_retries(conf):
    conf.config(db_max_retries=2, group='database')
    attempts = []

    @database.retrying
    def always_deadlocked():
        attempts.append(1)
        raise db_exc.DBDeadlock()

    with pytest.raises(db_exc.DBDeadlock):
        always_deadlocked()
    assert len(attempts) == 3


# Metadata upserts -----------------------------------------------------------

def test_set_metadata_adds_changes_and_replaces(owners):
    with owners.session() as session:
        database.set_metadata(session, OwnerMetadata, 'owner_id', 'o1',
                              {'a': '1', 'b': '2'}, replace=False)
    with owners.session() as session:
        database.set_metadata(session, OwnerMetadata, 'owner_id', 'o1',
                              {'b': '3', 'c': '4'}, replace=False)
    assert _metadata(owners) == {'a': '1', 'b': '3', 'c': '4'}
    with owners.session() as session:
        database.set_metadata(session, OwnerMetadata, 'owner_id', 'o1',
                              {'c': '5'}, replace=True)
    assert _metadata(owners) == {'c': '5'}
    with owners.session() as session:
        database.set_metadata(session, OwnerMetadata, 'owner_id', 'o1',
                              {}, replace=True)
    assert _metadata(owners) == {}


@pytest.mark.parametrize('dialect, clause', [
    ('postgresql', 'ON CONFLICT (owner_id, key) DO UPDATE SET value = '
                   'excluded.value'),
    ('sqlite', 'ON CONFLICT (owner_id, key) DO UPDATE SET value = '
               'excluded.value'),
    ('mysql', 'ON DUPLICATE KEY UPDATE value = VALUES(value)'),
])
def test_the_upsert_is_one_statement_on_each_database(dialect, clause):
    statements = []

    class Session:
        def flush(self):
            pass

        def get_bind(self):
            return sa.create_mock_engine('%s://' % dialect, None)

        def execute(self, statement):
            statements.append(str(statement.compile(
                dialect=self.get_bind().dialect)))

    database.upsert(Session(), OwnerMetadata, ('owner_id', 'key'),
                    [{'owner_id': 'o1', 'key': 'k', 'value': 'v'}])
    (statement,) = statements
    # Quoting differs ("key", `key`); the clause is what matters.
    statement = ' '.join(statement.replace('"', '').replace('`', '').split())
    assert statement.startswith('INSERT INTO owner_metadata')
    assert statement.endswith(clause)
