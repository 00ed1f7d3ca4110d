"""Meeting a database layer at a chosen statement: seeing another thread
start one, or failing a transaction once right after one ran. Both watch
every engine (SQLite or PostgreSQL), so the tests that use them run on
either (tests/functional/test_db_postgresql.py runs them on PostgreSQL).
"""

import contextlib
import threading

import sqlalchemy as sa


def _starts(statement, prefix):
    return ' '.join(statement.split()).upper().startswith(prefix.upper())


@contextlib.contextmanager
def _listening(event, listener):
    sa.event.listen(sa.engine.Engine, event, listener)
    try:
        yield
    finally:
        sa.event.remove(sa.engine.Engine, event, listener)


@contextlib.contextmanager
def started_elsewhere(prefix):
    """An Event set once a thread other than this one starts a statement
    beginning with ``prefix`` (before the database answers it)."""
    here = threading.get_ident()
    started = threading.Event()

    def before(conn, cursor, statement, *args):
        if threading.get_ident() != here and _starts(statement, prefix):
            started.set()
    with _listening('before_cursor_execute', before):
        yield started


@contextlib.contextmanager
def failing_once(prefix, fail):
    """The first statement beginning with ``prefix`` runs, and then
    ``fail(dbapi_connection)`` is called, which raises (or breaks the
    connection, so that what follows fails). Yields the list of the
    statements seen, one per run."""
    runs = []

    def after(conn, cursor, statement, *args):
        if _starts(statement, prefix):
            runs.append(statement)
            if len(runs) == 1:
                fail(conn.connection.dbapi_connection)
    with _listening('after_cursor_execute', after):
        yield runs


def raising(error):
    """A ``fail`` for failing_once that raises ``error`` (an oslo.db
    exception, as its filters make of the driver's)."""
    def fail(dbapi_connection):
        raise error()
    return fail
