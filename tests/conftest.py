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
# (test_guest boots one guest for all, test_clients one snapvol-all per
# auth strategy): with pytest-xdist's --dist loadgroup (tools/run-tests)
# each runs whole in one worker; every other test is a unit of its own,
# given to whichever worker is free. (xdist's own xdist_group mark does
# nothing with pytest 9: it sets item._nodeid.)
ONE_WORKER_FILES = ('tests/functional/test_guest.py',
                    'tests/functional/test_clients.py')

# pytest-xdist's workers take the tests in the order collected; the slowest
# should start first, lest one start last and run on alone. Each run keeps
# the seconds of its tests in pytest's cache (.pytest_cache); without them
# (a fresh clone, a new test), tests on GlusterFS (libgfapi clients take
# 10 s to exit) and with a booted guest count as slow.
DURATIONS_KEY = 'snapvol/durations'
SLOW_HINTS = ('gluster', 'tests/functional/test_quiesce.py',
              'tests/functional/test_guest.py',
              'tests/functional/test_nfs_guest.py',
              'tests/functional/test_clients.py')


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


def pytest_configure(config):
    # Only where the terminal summary is written: not in xdist workers,
    # whose reports reach the controller's hooks.
    if not hasattr(config, 'workerinput'):
        config.pluginmanager.register(AreaTimes(), 'snapvol-area-times')


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
        return 60.0 if any(h in nodeid.lower() for h in SLOW_HINTS) else 0.0

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
