"""The scheduler on service rows and usage it is given, with its clock
injected: which hosts may take a server (up, enabled, with capacity), when
a flavor fits ((total - reserved) x ratio), and which one wins (the most
free memory)."""

import datetime
import types

import pytest

from snapvol_api import exception
from snapvol_compute import scheduler as scheduler_mod
from snapvol_compute.db import api as db_api

NOW = datetime.datetime(2026, 12, 7, 12, 0, 0)
TINY = {'id': '1', 'vcpus': 1, 'memory_mb': 64}


def _row(host, seconds_ago=0, binary='snapvol-compute', disabled=False,
         vcpus=2, memory_mb=4096, reserved=512, cpu_ratio=4.0,
         ram_ratio=1.0):
    seen = NOW - datetime.timedelta(seconds=seconds_ago)
    return types.SimpleNamespace(
        host=host, binary=binary, disabled=disabled, created_at=seen,
        updated_at=seen, vcpus=vcpus, memory_mb=memory_mb,
        reserved_host_memory_mb=reserved, cpu_allocation_ratio=cpu_ratio,
        ram_allocation_ratio=ram_ratio)


@pytest.fixture
def clock():
    """now(), which a test may move on."""
    state = {'now': NOW}
    now = lambda: state['now']  # noqa: E731
    now.state = state
    return now


@pytest.fixture
def scheduler(conf, clock):
    conf.config(service_down_time=60)
    # Only service_is_up is used from the database layer here.
    return scheduler_mod.Scheduler(db_api, clock=clock)


def _used(vcpus, memory_mb):
    return {'instances': 1, 'vcpus': vcpus, 'memory_mb': memory_mb}


def test_only_live_enabled_compute_hosts_with_capacity_are_candidates(
        scheduler, clock):
    rows = [_row('up'), _row('late', seconds_ago=59),
            _row('dead', seconds_ago=61), _row('off', disabled=True),
            _row('api', binary='snapvol-compute-api'),
            _row('unreported', vcpus=None, memory_mb=None)]
    assert [h.host for h in scheduler.candidates(rows, {})] == ['up', 'late']
    # The same rows two seconds later: the late one missed its beat.
    clock.state['now'] = NOW + datetime.timedelta(seconds=2)
    assert [h.host for h in scheduler.candidates(rows, {})] == ['up']
    clock.state['now'] = NOW + datetime.timedelta(seconds=61)
    with pytest.raises(exception.NoValidHost):
        scheduler.select_host(TINY, rows, {})


def test_the_host_with_the_most_free_memory_wins(scheduler):
    rows = [_row('a', memory_mb=4096), _row('b', memory_mb=8192),
            _row('c', memory_mb=8192)]
    # b and c have as much: the first by name.
    assert scheduler.select_host(TINY, rows, {}) == 'b'
    assert scheduler.select_host(TINY, rows, {'b': _used(1, 64)}) == 'c'
    # What instances take counts, not what a host has.
    usage = {'b': _used(1, 5000), 'c': _used(1, 4096)}
    assert scheduler.select_host(TINY, rows, usage) == 'a'


def test_a_full_host_is_passed_over(scheduler):
    rows = [_row('roomy', memory_mb=2048), _row('full', memory_mb=8192)]
    # Memory: 8192 - 512 reserved, all taken but 63 MiB.
    usage = {'full': _used(1, 8192 - 512 - 63)}
    assert scheduler.select_host(TINY, rows, usage) == 'roomy'
    # vCPUs: 2 x 4.0 = 8, all taken.
    usage = {'full': _used(8, 64)}
    assert scheduler.select_host(TINY, rows, usage) == 'roomy'


@pytest.mark.parametrize('cpu_ratio, fits', [(4.0, 8), (1.0, 2), (0.5, 1)])
def test_cpu_allocation_ratio(scheduler, cpu_ratio, fits):
    rows = [_row('a', vcpus=2, cpu_ratio=cpu_ratio)]
    assert scheduler.select_host(TINY, rows, {'a': _used(fits - 1, 64)}) \
        == 'a'
    with pytest.raises(exception.NoValidHost):
        scheduler.select_host(TINY, rows, {'a': _used(fits, 64)})


def test_reserved_memory_and_ram_allocation_ratio(scheduler):
    flavor = {'id': '3', 'vcpus': 1, 'memory_mb': 1024}
    # 1536 - 512 reserved: one 1024 MiB server, and no more.
    rows = [_row('a', memory_mb=1536)]
    assert scheduler.select_host(flavor, rows, {}) == 'a'
    with pytest.raises(exception.NoValidHost):
        scheduler.select_host(flavor, rows, {'a': _used(1, 1)})
    rows = [_row('a', memory_mb=1535)]
    with pytest.raises(exception.NoValidHost):
        scheduler.select_host(flavor, rows, {})
    # Overcommitted 1.5 times: (1536 - 512) x 1.5 = 1536.
    rows = [_row('a', memory_mb=1536, ram_ratio=1.5)]
    assert scheduler.select_host(flavor, rows, {'a': _used(1, 512)}) == 'a'
    with pytest.raises(exception.NoValidHost):
        scheduler.select_host(flavor, rows, {'a': _used(1, 513)})


def test_no_host_fits_in_novas_words(scheduler):
    flavor = {'id': '9', 'vcpus': 64, 'memory_mb': 64}
    with pytest.raises(exception.NoValidHost) as info:
        scheduler.select_host(flavor, [_row('a'), _row('b')], {})
    assert str(info.value) == ('No valid host was found. There are not '
                               'enough hosts available.')
    with pytest.raises(exception.NoValidHost):
        scheduler.select_host(TINY, [], {})
