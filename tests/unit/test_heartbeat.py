"""The heartbeat thread every snapvol process runs, and when a heartbeat
makes a service up."""

import datetime
import logging
import threading

from oslo_config import fixture as config_fixture
import pytest

from snapvol_api.conf import CONF
from snapvol_api.runtime import heartbeat

# Waits only catch a hang; they bound nothing.
HANG = 30


@pytest.fixture
def conf():
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    yield fixture
    fixture.cleanUp()


class Beats:

    def __init__(self, failures=0, enough=3):
        self.count = 0
        self.failures = failures
        self.enough = enough
        self.done = threading.Event()
        self.threads = set()

    def __call__(self):
        self.threads.add(threading.current_thread().name)
        self.count += 1
        if self.count >= self.enough:
            self.done.set()
        if self.count <= self.failures:
            raise RuntimeError('database down')


def test_it_beats_at_start_then_every_interval_until_stopped():
    beats = Beats()
    beating = heartbeat.Heartbeat(beats, interval=0.01, name='test-beat')
    beating.start()
    # The first beat is made by start itself, before it returns.
    assert beats.count >= 1
    assert threading.current_thread().name in beats.threads
    assert beats.done.wait(HANG)
    beating.stop()
    after_stop = beats.count
    assert 'test-beat' in beats.threads
    assert not any(t.name == 'test-beat' for t in threading.enumerate())
    assert beats.count == after_stop


def test_a_failed_beat_is_logged_and_the_next_one_made(caplog):
    caplog.set_level(logging.INFO, logger=heartbeat.__name__)
    beats = Beats(failures=3, enough=5)
    beating = heartbeat.Heartbeat(beats, interval=0.01, name='test-beat')
    beating.start()
    try:
        assert beats.done.wait(HANG)
    finally:
        beating.stop()
    failed = [r for r in caplog.records if 'heartbeat failed' in
              r.getMessage()]
    assert len(failed) == 3
    # The traceback once, while the failure lasts.
    assert [bool(r.exc_info) for r in failed] == [True, False, False]
    assert any('heartbeats again' in r.getMessage()
               for r in caplog.records)


def test_stop_does_not_wait_out_the_interval():
    beating = heartbeat.Heartbeat(Beats(), interval=3600, name='test-beat')
    beating.start()
    thread = beating._thread
    beating.stop()
    # A sleeping thread would still be alive after stop's own wait.
    assert not thread.is_alive()


def test_the_interval_is_report_interval_by_default(conf):
    conf.config(report_interval=7)
    assert heartbeat.Heartbeat(Beats()).interval == 7


@pytest.mark.parametrize('seconds_ago, up', [
    (0, True), (60, True), (61, False), (-60, True), (-61, False)])
def test_up_within_service_down_time_either_way(conf, seconds_ago, up):
    conf.config(service_down_time=60)
    now = datetime.datetime(2026, 12, 9, 12, 0, 0)
    seen = now - datetime.timedelta(seconds=seconds_ago)
    assert heartbeat.is_up(seen, now) is up


def test_never_seen_is_down():
    assert heartbeat.is_up(None) is False


def test_each_run_has_an_id_of_its_own():
    assert heartbeat.new_run_id() != heartbeat.new_run_id()
    assert len(heartbeat.new_run_id()) <= 36
