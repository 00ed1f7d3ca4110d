"""The chain lock and the gate recovery holds."""

import threading

from oslo_config import fixture as config_fixture
import pytest

from snapvol_api.conf import CONF
from snapvol_api.runtime import coordination
from snapvol_volume import locks as locks_mod


@pytest.fixture
def locks(tmp_path):
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    fixture.config(lock_path=str(tmp_path), group='oslo_concurrency')
    yield locks_mod.Locks()
    fixture.cleanUp()


def test_a_held_chain_lock_is_busy_without_blocking(locks):
    with locks.chain('v1'):
        with pytest.raises(locks_mod.Busy):
            with locks.chain('v1', blocking=False):
                pass
    with locks.chain('v1', blocking=False):
        pass


def test_work_on_a_held_volume_waits_for_its_release(locks):
    locks.hold(['v1', 'v2'])
    assert locks.held() == {'v1', 'v2'}
    entered = threading.Event()

    def work():
        with locks.chain('v1'):
            entered.set()

    thread = threading.Thread(target=work)
    thread.start()
    assert not entered.wait(0.3)
    with pytest.raises(locks_mod.Busy):
        with locks.chain('v1', blocking=False):
            pass
    # Recovery itself passes the gate; other volumes are not held up.
    with locks.chain('v1', recovery=True):
        pass
    locks.release('v1')
    assert entered.wait(10)
    thread.join(10)
    assert locks.held() == {'v2'}


@pytest.fixture
def two_managers(tmp_path):
    """The Locks of two managers on one coordination backend (tooz's
    file:// driver standing in for etcd)."""
    url = 'file://%s' % (tmp_path / 'tooz')
    members = [coordination.Coordinator(url, host + '/run')
               for host in ('vol-a', 'vol-b')]
    for member in members:
        member.start()
    yield [locks_mod.Locks(member) for member in members]
    for member in members:
        member.stop()


def test_managers_on_one_backend_exclude_each_other(two_managers):
    a, b = two_managers
    with a.chain('v1'):
        with pytest.raises(locks_mod.Busy):
            with b.chain('v1', blocking=False):
                pass
        with b.chain('v2', blocking=False):
            pass
    with b.chain('v1', blocking=False):
        pass


def test_the_state_lock_is_the_clusters(two_managers):
    a, b = two_managers
    released = threading.Event()
    order = []

    def record():
        with b.state('v1'):
            order.append('b recorded, a released: %s' % released.is_set())

    with a.state('v1'):
        thread = threading.Thread(target=record)
        thread.start()
        thread.join(0.3)
        assert thread.is_alive() and order == []
        released.set()
    thread.join(10)
    assert order == ['b recorded, a released: True']
