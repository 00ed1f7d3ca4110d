"""What every service database needs: an engine made on first use,
transactional sessions, transactions run again after a deadlock or a lost
connection, metadata upserts, and alembic upgrades.

Each service's ``db/api.py`` stays the only door to its own tables; this
module only holds the plumbing they share. Engines come from oslo.db, so a
driver's error reaches the callers as oslo.db's exception
(``oslo_db.exception.DBDeadlock``, ``DBConnectionError``,
``DBDuplicateEntry``, ``DBReferenceError``...) on every database.
"""

import contextlib
import functools
import logging
import sys
import threading

from alembic import command
from alembic import config as alembic_config
from alembic import migration
from alembic import script
from oslo_db import api as oslo_db_api
from oslo_db.sqlalchemy import engines
from oslo_db.sqlalchemy import exc_filters
import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import mysql
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from snapvol_api.conf import CONF

# SQLite waits this long for another connection's write to end before
# failing with "database is locked".
SQLITE_BUSY_TIMEOUT = 30


def create_engine(url, options=None):
    """An engine for ``url``, set up by ``options`` (the [database]
    group): on a database server, oslo.db's engine with its pool
    (max_pool_size, max_overflow, pool_timeout, connection_recycle_time)
    and its retries of the first connection (max_retries,
    retry_interval)."""
    options = options or CONF.database
    if url.startswith('sqlite'):
        return _sqlite_engine(url, options)
    return engines.create_engine(
        url,
        connection_debug=options.connection_debug,
        connection_trace=options.connection_trace,
        connection_parameters=options.connection_parameters,
        mysql_sql_mode=options.mysql_sql_mode,
        max_pool_size=options.max_pool_size,
        max_overflow=options.max_overflow,
        pool_timeout=options.pool_timeout,
        connection_recycle_time=options.connection_recycle_time,
        max_retries=options.max_retries,
        retry_interval=options.retry_interval)


def _sqlite_engine(url, options):
    # Not oslo.db's engine for SQLite: that one sends BEGIN before the
    # first statement of every transaction, and a transaction that reads
    # and then writes while another connection writes fails at once
    # ("database is locked", no busy wait). pysqlite's own BEGIN comes
    # just before the first write, which waits for the other writer.
    # oslo.db's error filters are added all the same.
    url = sa.engine.make_url(url)
    if options.connection_parameters:
        url = url.update_query_string(options.connection_parameters,
                                      append=True)
    engine = sa.create_engine(
        url, pool_pre_ping=True,
        # Worker threads share the file.
        connect_args={'timeout': SQLITE_BUSY_TIMEOUT,
                      'check_same_thread': False})
    exc_filters.register_engine(engine)
    # oslo.db's scale: 50 logs the statements, 100 also the rows.
    logging.getLogger('sqlalchemy.engine').setLevel(
        logging.DEBUG if options.connection_debug >= 100
        else logging.INFO if options.connection_debug >= 50
        else logging.WARNING)

    @sa.event.listens_for(engine, 'connect')
    def _sqlite_pragmas(dbapi_conn, _record):
        dbapi_conn.execute('PRAGMA foreign_keys=ON')
        # WAL: readers do not wait for the writer, and a commit needs
        # one fsync of the log instead of several of the database.
        dbapi_conn.execute('PRAGMA journal_mode=WAL')
        dbapi_conn.execute('PRAGMA synchronous=NORMAL')
    return engine


def retrying(func):
    """``func``, whose body is one whole transaction, run again from its
    start when the database reports a deadlock (DBDeadlock) or the
    connection was lost (DBConnectionError): either rolled the
    transaction back, so what it does is done once. Up to [database]
    db_max_retries times (-1: no limit), db_retry_interval seconds
    apart, then longer (db_inc_retry_interval) up to
    db_max_retry_interval.

    Never for a function that runs inside another's transaction (its
    statements would be repeated without the rest), nor for one that
    reads after its transaction (a failed read would repeat the
    transaction): see ``Database.transaction``.
    """
    @functools.wraps(func)
    def call(*args, **kwargs):
        options = CONF.database
        retries = options.db_max_retries
        again = oslo_db_api.wrap_db_retry(
            max_retries=sys.maxsize if retries < 0 else retries,
            retry_interval=options.db_retry_interval,
            inc_retry_interval=options.db_inc_retry_interval,
            max_retry_interval=options.db_max_retry_interval,
            retry_on_deadlock=True, retry_on_disconnect=True)
        return again(func)(*args, **kwargs)
    return call


class Database:
    """The engine and sessions of one database, whose URL ``url_of()``
    reads from the configuration when first needed."""

    def __init__(self, url_of):
        self._url_of = url_of
        self._engine = None
        self._sessions = None
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def session(self):
        """A session in a transaction, committed when the block ends."""
        with self._lock:
            if self._sessions is None:
                self._engine = create_engine(self._url_of())
                self._sessions = orm.sessionmaker(bind=self._engine,
                                                  expire_on_commit=False)
        with self._sessions.begin() as session:
            yield session

    def transaction(self, work, *args, **kwargs):
        """``work(session, *args, **kwargs)`` in a transaction of its
        own, run again from the start after a deadlock or a lost
        connection (see ``retrying``); returns what ``work`` returns."""
        @retrying
        def attempt():
            with self.session() as session:
                return work(session, *args, **kwargs)
        return attempt()

    def dispose(self):
        """Forget the engine (tests, and after the configuration changed)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = self._sessions = None


_INSERTS = {'postgresql': postgresql.insert, 'sqlite': sqlite.insert}


def upsert(session, model, keys, rows):
    """Inserts ``rows`` (dicts of column values) into ``model``'s table,
    changing the other columns of those whose ``keys`` columns (its
    primary key or a unique constraint) match a row already there: one
    statement (ON CONFLICT, or MySQL's ON DUPLICATE KEY), so two
    transactions writing one key both succeed and the later one wins."""
    if not rows:
        return
    session.flush()                     # the rows they belong to first
    # One order for every writer: two upserts of the same keys then lock
    # them in the same order instead of deadlocking.
    rows = sorted(rows, key=lambda row: [row[k] for k in keys])
    dialect = session.get_bind().dialect.name
    table = model.__table__
    others = [c.name for c in table.columns if c.name not in keys]
    if dialect in ('mysql', 'mariadb'):
        stmt = mysql.insert(table).values(rows)
        stmt = stmt.on_duplicate_key_update(
            {name: stmt.inserted[name] for name in others})
    else:
        stmt = _INSERTS[dialect](table).values(rows)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: stmt.excluded[name] for name in others})
    session.execute(stmt)


def set_metadata(session, meta_model, fk_name, owner_id, metadata,
                 replace):
    """Upserts the ``metadata`` dict of the row ``owner_id`` into the
    key/value table ``meta_model`` (whose primary key is its foreign key
    column ``fk_name`` and ``key``); with ``replace``, also deletes the
    keys it lacks."""
    owner = getattr(meta_model, fk_name)
    if replace:
        session.execute(sa.delete(meta_model).where(
            owner == owner_id, meta_model.key.not_in(list(metadata))))
    upsert(session, meta_model, (fk_name, 'key'),
           [{fk_name: owner_id, 'key': key, 'value': value}
            for key, value in metadata.items()])


def _alembic_config(script_location, url):
    cfg = alembic_config.Config()
    cfg.set_main_option('script_location', script_location)
    # alembic's ini interpolation would eat a '%' in a password.
    cfg.set_main_option('sqlalchemy.url', url.replace('%', '%%'))
    return cfg


def upgrade(script_location, url, revision='head'):
    command.upgrade(_alembic_config(script_location, url), revision)


def head_revision(script_location):
    """The newest revision of the migrations in ``script_location``."""
    return script.ScriptDirectory(script_location).get_current_head()


def current_revision(url, version_table):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return migration.MigrationContext.configure(
                connection, opts={'version_table': version_table}
            ).get_current_revision()
    finally:
        engine.dispose()
