"""The chain lock and the gate recovery holds."""

import threading

from oslo_config import fixture as config_fixture
import pytest

from snapvol_api.conf import CONF
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
