"""runtime.coordination: how a distributed lock is waited for. The
threads of one member wait for each other in the process (one at a time
asks the backend); a lock another member holds is tried again soon, then
less often."""

import threading

from oslo_config import fixture as config_fixture
import pytest

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_api.runtime import coordination


@pytest.fixture
def conf():
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    yield fixture
    fixture.cleanUp()


class BackendLock:
    """A lock of the backend, held by another member for its first
    ``busy`` tries; records every try."""

    def __init__(self, busy=0):
        self.busy = busy
        self.tries = []
        self.held = False
        self._mutex = threading.Lock()

    def acquire(self, blocking=True):
        with self._mutex:
            self.tries.append(blocking)
            if len(self.tries) <= self.busy or self.held:
                return False
            self.held = True
            return True

    def release(self):
        with self._mutex:
            self.held = False
            return True


class Member:
    def __init__(self, lock):
        self.lock = lock

    def get_lock(self, name):
        return self.lock


def _coordinator(lock):
    coordinator = coordination.Coordinator('etcd3+http://unused', 'h/r')
    coordinator._member = Member(lock)
    return coordinator


def test_another_members_lock_is_tried_again_soon_then_less_often(
        conf, monkeypatch):
    pauses = []
    monkeypatch.setattr(coordination.time, 'sleep', pauses.append)
    lock = BackendLock(busy=9)
    with _coordinator(lock).lock('snapvol-volume-chain-v1'):
        assert lock.held
    # Never tooz's own wait (a second between tries): every try is ours.
    assert lock.tries == [False] * 10
    assert pauses == [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.5, 0.5, 0.5]
    assert not lock.held


def test_a_lock_not_waited_for_is_tried_once(conf, monkeypatch):
    monkeypatch.setattr(coordination.time, 'sleep', pytest.fail)
    lock = BackendLock(busy=1)
    with pytest.raises(exception.LockBusy):
        with _coordinator(lock).lock('snapvol-volume-chain-v1',
                                     blocking=False):
            pass
    assert lock.tries == [False]


def test_threads_of_one_member_ask_the_backend_one_at_a_time(conf):
    """The second thread waits in the process, not by asking the backend
    again and again, and has the lock once the first lets it go."""
    lock = BackendLock()
    coordinator = _coordinator(lock)
    order = []
    waiting = threading.Event()

    def second():
        waiting.set()
        with coordinator.lock('snapvol-volume-chain-v1'):
            order.append('second')

    with coordinator.lock('snapvol-volume-chain-v1'):
        thread = threading.Thread(target=second)
        thread.start()
        waiting.wait(10)
        thread.join(0.2)
        assert thread.is_alive()
        # Busy in this process: not asked of the backend at all.
        with pytest.raises(exception.LockBusy):
            with coordinator.lock('snapvol-volume-chain-v1',
                                  blocking=False):
                pass
        assert lock.tries == [False]
        order.append('first')
    thread.join(10)
    assert order == ['first', 'second']
    assert lock.tries == [False, False]
    assert not lock.held


def test_other_names_do_not_wait(conf):
    lock = BackendLock()
    coordinator = _coordinator(lock)
    other = BackendLock()
    with coordinator.lock('snapvol-volume-chain-v1'):
        coordinator._member = Member(other)
        with coordinator.lock('snapvol-volume-chain-v2', blocking=False):
            assert other.held
