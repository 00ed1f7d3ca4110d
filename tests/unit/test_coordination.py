"""runtime.coordination: tooz members on its file:// driver (one lock
directory, as several hosts on one backend), and this host's locks."""

import threading

from oslo_config import fixture as config_fixture
import pytest
from tooz import coordination as tooz_coordination

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_api.runtime import coordination


@pytest.fixture
def conf(tmp_path):
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    fixture.config(lock_path=str(tmp_path / 'locks'),
                   group='oslo_concurrency')
    yield fixture
    fixture.cleanUp()


@pytest.fixture
def members(tmp_path):
    """Two started members of one file:// backend."""
    url = 'file://%s' % (tmp_path / 'tooz')
    made = [coordination.Coordinator(url, 'host-%s/run' % name)
            for name in 'ab']
    for member in made:
        member.start()
    yield made
    for member in made:
        member.stop()


def _busy(coordinator, name, **kwargs):
    try:
        with coordinator.lock(name, blocking=False, **kwargs):
            return False
    except exception.LockBusy:
        return True


def test_a_lock_held_by_one_member_is_busy_for_the_other(members):
    a, b = members
    with a.lock('snapvol-volume-chain-v1'):
        assert _busy(b, 'snapvol-volume-chain-v1')
        assert not _busy(b, 'snapvol-volume-chain-v2')
    assert not _busy(b, 'snapvol-volume-chain-v1')


def test_a_blocking_acquire_waits_for_the_release(members):
    a, b = members
    released = threading.Event()
    order = []

    def take():
        with b.lock('snapvol-volume-chain-v1'):
            order.append('b acquired, a released: %s' % released.is_set())

    with a.lock('snapvol-volume-chain-v1'):
        thread = threading.Thread(target=take)
        thread.start()
        thread.join(0.3)
        assert thread.is_alive() and order == []
        released.set()
    thread.join(10)
    assert order == ['b acquired, a released: True']


def test_a_member_not_started_refuses_locks(tmp_path):
    member = coordination.Coordinator('file://%s' % tmp_path, 'host/run')
    with pytest.raises(exception.CoordinationUnavailable):
        with member.lock('x'):
            pass


def test_an_unreachable_backend_fails_the_start():
    # Port 1 refuses at once: a backend that is down, not a slow one.
    member = coordination.Coordinator('etcd3+http://127.0.0.1:1?timeout=5',
                                      'host/run')
    with pytest.raises(exception.CoordinationUnavailable):
        member.start()


@pytest.mark.parametrize('external', [True, False])
def test_local_locks(conf, external):
    local = coordination.LocalCoordinator()
    local.start()
    with local.lock('snapvol-volume-chain-v1', external=external):
        assert _busy(local, 'snapvol-volume-chain-v1', external=external)
    assert not _busy(local, 'snapvol-volume-chain-v1', external=external)
    local.stop()


def test_from_conf(conf, tmp_path):
    assert isinstance(coordination.from_conf('h/r'),
                      coordination.LocalCoordinator)
    conf.config(backend_url='file://%s' % tmp_path, group='coordination')
    assert isinstance(coordination.from_conf('h/r'),
                      coordination.Coordinator)


class FlakyLock:
    """A tooz lock whose backend is unreachable for its first ``outage``
    calls of each kind."""

    def __init__(self, outage):
        self.outage = outage
        self.calls = []

    def _call(self, what):
        self.calls.append(what)
        if self.calls.count(what) <= self.outage:
            raise tooz_coordination.ToozConnectionError('connection refused')
        return True

    def acquire(self, blocking=True):
        return self._call('acquire')

    def release(self):
        return self._call('release')


class FlakyMember:
    def __init__(self, lock):
        self.lock = lock

    def get_lock(self, name):
        return self.lock


def member_with(lock, monkeypatch):
    monkeypatch.setattr(coordination, 'OUTAGE_RETRY_INTERVAL', 0)
    member = coordination.Coordinator('etcd3+http://unused', 'host/run')
    member._member = FlakyMember(lock)
    return member


def test_a_waiter_rides_out_a_backend_outage(conf, monkeypatch):
    """Taking and releasing a waited-for lock are asked again while the
    backend is away; a release given up on would leave tooz renewing
    the lock for ever."""
    lock = FlakyLock(outage=3)
    with member_with(lock, monkeypatch).lock('chain-v'):
        assert lock.calls == ['acquire'] * 4
    assert lock.calls == ['acquire'] * 4 + ['release'] * 4


def test_an_outage_fails_a_lock_asked_for_without_waiting(conf,
                                                          monkeypatch):
    lock = FlakyLock(outage=1)
    with pytest.raises(exception.CoordinationUnavailable):
        with member_with(lock, monkeypatch).lock('chain-v', blocking=False):
            pass
    assert lock.calls == ['acquire']


def test_an_outage_longer_than_the_tolerance_fails_the_waiter(conf,
                                                              monkeypatch):
    conf.config(outage_tolerance=0, group='coordination')
    lock = FlakyLock(outage=5)
    with pytest.raises(exception.CoordinationUnavailable):
        with member_with(lock, monkeypatch).lock('chain-v'):
            pass
