"""What every service database needs: an engine made on first use,
transactional sessions, and alembic upgrades.

Each service's ``db/api.py`` stays the only door to its own tables; this
module only holds the plumbing they share.
"""

import contextlib
import threading

from alembic import command
from alembic import config as alembic_config
from alembic import migration
from alembic import script
import sqlalchemy as sa
from sqlalchemy import orm


def create_engine(url, echo=False):
    kwargs = {'echo': echo, 'pool_pre_ping': True}
    sqlite = url.startswith('sqlite')
    if sqlite:
        # Worker threads share the file; wait for a writer rather than
        # failing at once with "database is locked".
        kwargs['connect_args'] = {'timeout': 30, 'check_same_thread': False}
    engine = sa.create_engine(url, **kwargs)
    if sqlite:
        @sa.event.listens_for(engine, 'connect')
        def _sqlite_pragmas(dbapi_conn, _record):
            dbapi_conn.execute('PRAGMA foreign_keys=ON')
            # WAL: readers do not wait for the writer, and a commit needs
            # one fsync of the log instead of several of the database.
            dbapi_conn.execute('PRAGMA journal_mode=WAL')
            dbapi_conn.execute('PRAGMA synchronous=NORMAL')
    return engine


class Database:
    """The engine and sessions of one database, whose URL ``url_of()``
    reads from the configuration when first needed."""

    def __init__(self, url_of, echo_of=lambda: False):
        self._url_of = url_of
        self._echo_of = echo_of
        self._engine = None
        self._sessions = None
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def session(self):
        """A session in a transaction, committed when the block ends."""
        with self._lock:
            if self._sessions is None:
                self._engine = create_engine(self._url_of(),
                                             echo=self._echo_of())
                self._sessions = orm.sessionmaker(bind=self._engine,
                                                  expire_on_commit=False)
        with self._sessions.begin() as session:
            yield session

    def dispose(self):
        """Forget the engine (tests, and after the configuration changed)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = self._sessions = None


def set_metadata(session, meta_model, fk_name, owner_id, metadata,
                 replace):
    """Upserts the ``metadata`` dict of the row ``owner_id`` into the
    key/value table ``meta_model`` (whose foreign key column is
    ``fk_name``); with ``replace``, also deletes the keys it lacks."""
    existing = {m.key: m for m in session.scalars(
        sa.select(meta_model).where(getattr(meta_model, fk_name) == owner_id))}
    if replace:
        for key in set(existing) - set(metadata):
            session.delete(existing.pop(key))
    for key, value in metadata.items():
        if key in existing:
            existing[key].value = value
        else:
            session.add(meta_model(**{fk_name: owner_id, 'key': key,
                                      'value': value}))


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
