"""Reports of the compute service in the volume database: two Reports on
one SQLite database stand for two volume managers, one whose worker waits
and one that receives the report."""

import datetime
import threading

from alembic import autogenerate
from alembic import migration as alembic_migration
import pytest
import sqlalchemy as sa

from snapvol_volume import reports as reports_mod
from snapvol_volume.db import api as db
from snapvol_volume.db import models
from tests.unit.volume.helpers import wait_until

KEY = 'a-snapshot-id'
DONE = {'status': 'creating_compute_complete', 'progress': '90%',
        'file_format': {'volume-v.s': 'qcow2'}, 'reason': None,
        'quiesced': True}


class CountingDB:
    """The database api, counting the reads of reports."""

    def __init__(self):
        self.reads = 0

    def __getattr__(self, name):
        return getattr(db, name)

    def report_get(self, key):
        self.reads += 1
        return db.report_get(key)


class StepClock:
    """A clock that moves one second each time it is read."""

    def __init__(self):
        self.now = 0

    def __call__(self):
        self.now += 1
        return self.now


@pytest.fixture
def counting(conf):
    return CountingDB()


@pytest.fixture
def waiting(counting):
    """The manager whose worker waits: it reads the database often."""
    return reports_mod.Reports(counting, 0.01, 'vol-a/run-1')


@pytest.fixture
def receiving(conf):
    """Another manager, which receives the reports."""
    return reports_mod.Reports(db, 0.01, 'vol-b/run-2')


def _wait_in_thread(reports, key, timeout=60):
    """Starts ``reports.wait`` in a thread; returns the thread and the
    list its result goes in."""
    result = []
    thread = threading.Thread(
        target=lambda: result.append(reports.wait(key, timeout)),
        daemon=True)
    thread.start()
    return thread, result


def test_a_report_received_by_another_manager_reaches_the_waiter(
        waiting, receiving, counting):
    waiting.expect(KEY)
    assert db.report_get(KEY)['expected_by'] == 'vol-a/run-1'
    thread, result = _wait_in_thread(waiting, KEY)
    # The worker sleeps, re-reading the database, before the report comes:
    # only a read can bring it (no event of its process is set).
    wait_until(lambda: counting.reads >= 2, 'the waiter reading twice')
    assert thread.is_alive()
    assert receiving.awaits(KEY)
    assert receiving.deliver(KEY, DONE)
    thread.join(60)
    assert result == [DONE]
    # Taken: neither manager waits any longer, and a report is refused.
    assert not waiting.awaits(KEY) and not receiving.awaits(KEY)
    assert db.report_get(KEY) is None
    assert not receiving.deliver(KEY, DONE)


def test_a_report_received_here_wakes_the_waiter_at_once(conf):
    """No read of the database is due for an hour: the event wakes it."""
    reports = reports_mod.Reports(db, 3600, 'vol-a/run-1')
    reports.expect(KEY)
    thread, result = _wait_in_thread(reports, KEY, timeout=None)
    assert reports.deliver(KEY, DONE)
    thread.join(60)
    assert result == [DONE]


def test_a_second_report_is_refused(waiting, receiving):
    waiting.expect(KEY)
    assert receiving.deliver(KEY, DONE)
    stored = db.report_get(KEY)
    assert stored['payload'] == DONE
    assert stored['delivered_at'] is not None
    # Wherever it comes, the first one stays.
    later = dict(DONE, status='error', reason='too late')
    assert not waiting.deliver(KEY, later)
    assert not receiving.deliver(KEY, later)
    assert waiting.awaits(KEY)
    assert waiting.wait(KEY, 60) == DONE


def test_a_report_nobody_waits_for_is_refused(waiting, receiving):
    assert not receiving.awaits(KEY)
    assert not receiving.deliver(KEY, DONE)
    assert db.report_get(KEY) is None
    # Nor one for a request that never reached the compute service.
    waiting.expect(KEY)
    waiting.forget(KEY)
    assert not receiving.deliver(KEY, DONE)
    assert db.report_get(KEY) is None


def test_no_report_in_time_is_none_and_a_late_one_is_refused(conf):
    clock = StepClock()
    counting = CountingDB()
    reports = reports_mod.Reports(counting, 0.01, 'vol-a/run-1',
                                  clock=clock)
    reports.expect(KEY)
    assert reports.wait(KEY, 5) is None
    # It kept re-reading until its clock said the time was over.
    assert counting.reads >= 2
    assert clock.now >= 6
    assert not reports.awaits(KEY)
    assert not reports.deliver(KEY, DONE)


def test_expecting_again_forgets_the_earlier_report(waiting, receiving):
    waiting.expect(KEY)
    assert receiving.deliver(KEY, DONE)
    waiting.expect(KEY)
    assert db.report_get(KEY)['payload'] is None
    again = dict(DONE, progress='100%')
    assert receiving.deliver(KEY, again)
    assert waiting.wait(KEY, 60) == again


def test_a_forgotten_wait_ends_without_a_report(waiting, receiving):
    """Another process removed what the worker waits for: no report will
    come, and the wait ends without one."""
    waiting.expect(KEY)
    db.report_forget(KEY)
    assert waiting.wait(KEY, None) is None


def test_what_dead_runs_expected_is_purged_once_old_enough(waiting,
                                                         receiving):
    """A manager that died left what its worker expected: purged when its
    run is not live and the row is older than the age given; the live
    run's row stays."""
    waiting.expect(KEY)
    receiving.expect('other-key')
    live = {'vol-b/run-2'}
    assert db.report_purge(live, datetime.timedelta(hours=1)) == 0
    assert db.report_purge(live, datetime.timedelta(0)) == 1
    assert db.report_get(KEY) is None
    assert db.report_get('other-key')['expected_by'] == 'vol-b/run-2'
    assert not receiving.deliver(KEY, DONE)


def test_the_migrated_schema_is_the_model(conf):
    engine = sa.create_engine(conf.conf.database.connection)
    try:
        with engine.connect() as connection:
            context = alembic_migration.MigrationContext.configure(
                connection)
            diff = autogenerate.compare_metadata(context,
                                                 models.Base.metadata)
    finally:
        engine.dispose()
    assert [d for d in diff if 'compute_reports' in repr(d)] == []
    assert 'compute_reports' in sa.inspect(engine).get_table_names()
