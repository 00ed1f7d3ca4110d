"""Time per test area, printed at the end of every run; how pytest-xdist
shares the tests out.

An area is a directory under tests/unit (``unit/api``, ``unit/volume``...,
``unit`` for the files directly in it) or a file under tests/functional
(``functional/test_virt``...). For each: the tests run, their seconds
(setup, call and teardown summed: what the area costs; with pytest-xdist
the workers run areas side by side, so these add up to more than the run
took) and its span (from its first test's start to its last test's end).
``tools/run-tests`` runs pytest twice (unit, then functional); the second
table covers both.
"""

import collections
import json
import os
from pathlib import Path
import time

import pytest

TESTS = Path(__file__).parent

# Files whose tests share one expensive module fixture and run in order
# (test_guest boots one guest for all): with pytest-xdist's --dist
# loadgroup (tools/run-tests) each runs whole in one worker; every other
# test is a unit of its own, given to whichever worker is free. (xdist's
# own xdist_group mark does nothing with pytest 9: it sets item._nodeid.)
# test_clients is not one: its module fixtures are a snapvol-all each,
# seconds to start in each worker that runs its tests, while in one
# worker its CLI runs made a block of 160 to 460 s.
ONE_WORKER_FILES = ('tests/functional/test_guest.py',)

# pytest-xdist's workers take the tests in the order collected; the slowest
# should start first, lest one start last and run on alone. Each run keeps
# the seconds of its tests in pytest's cache (.pytest_cache). A fresh
# clone (CI) has none: there the seconds below stand in, the longest
# prefix of a test's node id that is listed (measured with
# tools/run-tests on a 2-core host; they need only be roughly right),
# then any test on GlusterFS (libgfapi clients take 10 s to exit), then a
# functional test at FUNCTIONAL_SECONDS.
DURATIONS_KEY = 'snapvol/durations'
_F = 'tests/functional/'
EXPECTED_SECONDS = {
    # The longest, each its own.
    _F + 'test_compute_service.py::test_chain_of_snapshots_then_merges'
         '[glusterfs-3]': 230,
    _F + 'test_end_to_end.py::test_live_snapshots_on_glusterfs[libgfapi]':
        190,
    _F + 'test_quiesce.py::test_quiesced_snapshots_while_writing': 150,
    _F + 'test_virt.py::test_gluster_network_disk': 125,
    _F + 'test_nfs_guest.py': 125,
    _F + 'test_restart_load.py': 90,
    _F + 'test_nfs.py::test_shares_of_three_kinds': 50,
    _F + 'test_end_to_end.py::test_live_snapshots_on_glusterfs': 40,
    _F + 'test_embedded.py::test_no_5xx_while_starting': 40,
    _F + 'test_compute_hosts.py::test_two_hosts': 40,
    _F + 'test_volume_service.py::test_snapshot_chain_create_and_merge'
         '[glusterfs': 20,
    _F + 'test_volume_service.py::test_volume_from_second_of_three_'
         'snapshots[glusterfs': 20,
    # Then file by file: about the median of their tests.
    _F + 'test_quiesce.py': 50,
    _F + 'test_scale_out.py': 40,
    _F + 'test_group_snapshots.py': 35,
    _F + 'test_end_to_end.py': 32,
    _F + 'test_embedded.py': 30,
    _F + 'test_services.py': 30,
    _F + 'test_server_actions.py': 25,
    _F + 'test_nfs.py': 20,
    _F + 'test_compute_service.py': 18,
    _F + 'test_clients.py::test_openstack_cli': 60,
    _F + 'test_clients.py::test_openstack_limits_show': 40,
    _F + 'test_clients.py::test_backups': 40,
    _F + 'test_clients.py::test_cinder_cli': 20,
    _F + 'test_clients.py': 5,
    _F + 'test_volume_service.py': 6,
    _F + 'test_guest.py': 5,
    _F + 'test_one_database.py': 4,
    _F + 'test_virt.py': 3,
    _F + 'test_nfs_client.py': 2,
    _F + 'test_testbed.py': 2,
    _F + 'test_db_postgresql.py': 1,
}
GLUSTER_SECONDS = 30.0
FUNCTIONAL_SECONDS = 10.0


def expected_seconds(nodeid):
    """A test's seconds before any run measured them (EXPECTED_SECONDS)."""
    for end in range(len(nodeid), 0, -1):
        if nodeid[:end] in EXPECTED_SECONDS:
            return EXPECTED_SECONDS[nodeid[:end]]
    if 'gluster' in nodeid.lower():
        return GLUSTER_SECONDS
    if nodeid.startswith('tests/functional/'):
        return FUNCTIONAL_SECONDS
    return 0.0


def area_of(path):
    try:
        parts = Path(path).resolve().relative_to(TESTS).parts
    except ValueError:
        return 'other'
    if parts[0] == 'functional':
        return f'functional/{Path(parts[-1]).stem}'
    if parts[0] == 'unit' and len(parts) > 2:
        return f'unit/{parts[1]}'
    return parts[0] if len(parts) > 1 else 'other'


class AreaTimes:
    def __init__(self):
        self.started = time.time()
        self.tests = collections.Counter()
        self.seconds = collections.Counter()
        self.first = {}
        self.last = {}
        self.by_test = {}
        # pytest-xdist worker -> (seconds busy, end of its last test).
        self.workers = {}

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report):
        area = area_of(report.fspath)
        if report.when == 'call' or (report.when == 'setup'
                                     and not report.passed):
            self.tests[area] += 1
        self.seconds[area] += report.duration
        self.by_test[report.nodeid] = (self.by_test.get(report.nodeid, 0)
                                       + report.duration)
        start = getattr(report, 'start', 0) or None
        stop = getattr(report, 'stop', 0) or None
        if start is not None:
            self.first[area] = min(self.first.get(area, start), start)
        if stop is not None:
            self.last[area] = max(self.last.get(area, stop), stop)
        node = getattr(report, 'node', None)
        if node is not None and stop is not None:
            busy, end = self.workers.get(node.gateway.id, (0.0, stop))
            self.workers[node.gateway.id] = (busy + report.duration,
                                             max(end, stop))

    def rows(self):
        return {area: {'tests': self.tests[area],
                       'seconds': self.seconds[area],
                       'first': self.first.get(area),
                       'last': self.last.get(area)}
                for area in self.seconds}

    @pytest.hookimpl
    def pytest_sessionfinish(self, session):
        cache = getattr(session.config, 'cache', None)
        if cache is None or not self.by_test:
            return
        known = cache.get(DURATIONS_KEY, {})
        known.update(self.by_test)
        cache.set(DURATIONS_KEY, known)

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter):
        rows, started = self.rows(), self.started
        # tools/run-tests runs pytest more than once (unit, functional):
        # SNAPVOL_AREA_TIMES carries the earlier runs' rows to the last.
        carry = os.environ.get('SNAPVOL_AREA_TIMES')
        if carry:
            try:
                with open(carry) as f:
                    earlier = json.load(f)
            except (OSError, ValueError):
                earlier = {}
            started = min(started, earlier.get('started', started))
            for area, row in earlier.get('rows', {}).items():
                rows.setdefault(area, row)
            with open(carry, 'w') as f:
                json.dump({'started': started, 'rows': rows}, f)
        if not rows:
            return
        write = terminalreporter.write_line
        terminalreporter.section('seconds per test area')
        width = max(len(a) for a in rows)
        write(f'{"area":<{width}}  tests   seconds     span')
        for area, row in sorted(rows.items()):
            span = (row['last'] - row['first']
                    if row['first'] is not None and row['last'] is not None
                    else 0)
            write(f'{area:<{width}}  {row["tests"]:5d}  '
                  f'{row["seconds"]:8.1f}  {span:7.1f}')
        write(f'{"all":<{width}}  '
              f'{sum(r["tests"] for r in rows.values()):5d}  '
              f'{sum(r["seconds"] for r in rows.values()):8.1f}  '
              f'{time.time() - started:7.1f}  (span: the whole run)')
        # This run's workers: a long idle tail on some means the last
        # tests started too late (see pytest_collection_modifyitems).
        for worker, (busy, end) in sorted(self.workers.items()):
            write(f'worker {worker}: busy {busy:7.1f} s, last test ended '
                  f'{end - self.started:7.1f} s after this run started')


def pytest_configure(config):
    # Only where the terminal summary is written: not in xdist workers,
    # whose reports reach the controller's hooks.
    if not hasattr(config, 'workerinput'):
        config.pluginmanager.register(AreaTimes(), 'snapvol-area-times')
        return
    # Each xdist worker in a session of its own. Linux's scheduler
    # (autogroups) shares the CPU fairly between sessions, not processes;
    # every service and QEMU a test starts has its own, and the workers
    # all shared one with the controller: the tests' own work (qemu-img
    # runs, reading volumes back) got a quarter of one session's share
    # each. (The controller still stops them: it closes their channels,
    # and kills what does not end.)
    try:
        os.setsid()
    except OSError:
        pass    # already a session or process group leader


def pytest_collection_modifyitems(config, items):
    """In pytest-xdist workers (which must all agree on the order): the
    slowest first, each file of ONE_WORKER_FILES as one block in its own
    order."""
    if not hasattr(config, 'workerinput'):
        return
    # No cache with -p no:cacheprovider.
    cache = getattr(config, 'cache', None)
    known = cache.get(DURATIONS_KEY, {}) if cache else {}

    def guess(nodeid):
        if nodeid in known:
            return known[nodeid]
        return expected_seconds(nodeid)

    block, first = {}, {}
    for index, item in enumerate(items):
        path = item.nodeid.split('::', 1)[0]
        if path in ONE_WORKER_FILES:
            block[path] = block.get(path, 0.0) + guess(item.nodeid)
            first.setdefault(path, index)

    def key(pair):
        index, item = pair
        path = item.nodeid.split('::', 1)[0]
        if path in block:
            return (-block[path], first[path], index)
        return (-guess(item.nodeid), index, 0)

    items[:] = [item for _, item in sorted(enumerate(items), key=key)]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue('dist') != 'loadgroup':
        return None
    from xdist.scheduler import LoadGroupScheduling

    # The workers' order (pytest_collection_modifyitems) is the one wanted:
    # no reordering of units by their number of tests.
    config.option.loadscopereorder = False

    class Scheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid):
            path = nodeid.split('::', 1)[0]
            if path in ONE_WORKER_FILES:
                return path
            return super()._split_scope(nodeid)

    return Scheduling(config, log)
