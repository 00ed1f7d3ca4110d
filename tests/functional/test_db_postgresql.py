"""Both services' database layers on PostgreSQL.

The unit tests of the volume database (tests/unit/volume/test_db_*.py)
and of the compute database (tests/unit/compute/test_db_api.py) run on
SQLite; here the same tests run again, each on a PostgreSQL database of
its own (a copy of one the migrations made) holding both schemas. Then
what only a server shows: a real lost connection and a real deadlock in
the middle of a transaction, each run again by the retries, and both
services' engines with the [database] pool options.
"""

import inspect
import threading

from oslo_config import fixture as config_fixture
import psycopg2
import pytest
import sqlalchemy as sa

from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_compute.db import api as compute_db
from snapvol_compute.db import migration as compute_migration
from snapvol_volume.db import api as volume_db
from snapvol_volume.db import common
from snapvol_volume.db import migration as volume_migration
from snapvol_volume.db import models
from tests.unit import dbtools
from tests.unit.compute import test_db_api as compute_db_tests
from tests.unit.volume import test_db_concurrency
from tests.unit.volume import test_db_groups

from . import harness

_FIXTURES = {'conf', 'db'}


def _collect(prefix, module):
    """The tests of ``module`` that reach the database through the
    ``conf`` or ``db`` fixture, as tests of this module."""
    for name, test in vars(module).items():
        if name.startswith('test_') and callable(test) and (
                _FIXTURES & set(inspect.signature(test).parameters)):
            globals()['test_%s_%s' % (prefix, name[len('test_'):])] = test


_collect('compute', compute_db_tests)
_collect('volume_groups', test_db_groups)
_collect('volume_concurrency', test_db_concurrency)


@pytest.fixture(scope='module')
def migrated(pg_databases):
    """A database with both schemas, copied for each test."""
    url = pg_databases.create()
    volume_migration.upgrade(url)
    compute_migration.upgrade(url)
    yield url
    pg_databases.drop(url)


@pytest.fixture
def conf(pg_databases, migrated, tmp_path):
    """As the unit tests' ``conf`` fixtures, with both services'
    databases in one PostgreSQL database."""
    url = pg_databases.create(template=migrated)
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    fixture.config(state_path=str(tmp_path), host='unit-host')
    fixture.config(lock_path=str(tmp_path / 'locks'),
                   group='oslo_concurrency')
    fixture.config(connection=url, group='database')
    fixture.config(connection=url, group='compute')
    volume_db.dispose()
    compute_db.dispose()
    yield fixture
    volume_db.dispose()
    compute_db.dispose()
    fixture.cleanUp()
    pg_databases.drop(url)


@pytest.fixture
def db(conf):
    """The compute unit tests' ``db``."""
    return compute_db


def _volume():
    volume_id = volume_db.volume_create({
        'project_id': 'p1', 'size': 1, 'host': 'h',
        'status': states.CREATING}).id
    volume_db.volume_transition(volume_id, states.AVAILABLE)
    return volume_id


def _terminate(dbapi_connection):
    """Ends the server's side of the connection, as a database restart
    would: the transaction's next statement fails."""
    admin = harness.PG_ADMIN_USER
    with psycopg2.connect(host=harness.PG_HOST, user=admin,
                          dbname='postgres', connect_timeout=10) as other:
        with other.cursor() as cur:
            cur.execute('SELECT pg_terminate_backend(%s)',
                        (dbapi_connection.get_backend_pid(),))


def test_a_lost_connection_mid_transaction_is_retried(conf):
    conf.config(db_retry_interval=0, group='database')
    volume_id = _volume()
    with dbtools.failing_once('UPDATE volumes', _terminate) as runs:
        volume = volume_db.volume_begin_extend(volume_id, 2, 'me', {})
    assert len(runs) == 2
    assert (volume.status, volume.extend_to, volume.owner) == (
        states.EXTENDING, 2, 'me')


def test_a_deadlock_is_retried(conf):
    """Two transactions change two volumes in opposite orders: the
    server ends one of them with a deadlock, and that one, run again,
    succeeds after the other."""
    conf.config(db_retry_interval=0, group='database')
    first, second = _volume(), _volume()
    both_hold_one = threading.Barrier(2, timeout=60)
    attempts = []
    errors = []

    def change(session, ids, name):
        attempts.append(name)
        for n, volume_id in enumerate(ids):
            session.execute(sa.update(models.Volume).where(
                models.Volume.id == volume_id).values(name=name))
            if n == 0 and attempts.count(name) == 1:
                both_hold_one.wait()

    def run(ids, name):
        try:
            common.transaction(change, ids, name)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(ids, name))
               for ids, name in (((first, second), 'a'),
                                 ((second, first), 'b'))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert sorted(attempts) == ['a', 'a', 'b'] or \
        sorted(attempts) == ['a', 'b', 'b']
    names = {volume_db.volume_get(v).name for v in (first, second)}
    assert len(names) == 1          # both by whichever committed last


def test_both_engines_have_the_pool_options(conf):
    conf.config(max_pool_size=3, max_overflow=2, pool_timeout=7,
                connection_recycle_time=120, group='database')
    volume_db.volume_get_all()
    compute_db.instance_get_all()
    for engine in (common._DB._engine, compute_db._DB._engine):
        pool = engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout,
                pool._recycle) == (3, 2, 7, 120)
