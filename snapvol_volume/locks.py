"""The two locks of a volume, and the gate recovery holds at start.

The *state* lock is held briefly by an RPC handler while it checks a
request and records it. The *chain* lock is held by a worker for the
whole of a change to the volume's files, ``.info`` and file records.
Both come from the coordinator: with a [coordination] backend they hold
across every manager of the cluster; without one the state lock holds in
this process and the chain lock in this host (a file lock).

At start, recovery *holds* every volume it must look at before the
manager serves RPC; until it *releases* one, new work on that volume
waits for it before taking the chain lock, so recovery always acts first
on what an earlier run left.
"""

import contextlib
import threading

from snapvol_api import exception
from snapvol_api.runtime import coordination


class Busy(Exception):
    """A lock taken with ``blocking=False`` is held by someone else."""


class Locks:

    def __init__(self, coordinator=None):
        self._coordinator = coordinator or coordination.LocalCoordinator()
        self._mutex = threading.Lock()
        self._held = {}

    def state(self, volume_id):
        return self._coordinator.lock('snapvol-volume-state-%s' % volume_id,
                                      external=False)

    @contextlib.contextmanager
    def chain(self, volume_id, blocking=True, recovery=False):
        """The chain lock; raises Busy instead of waiting when not
        ``blocking``. Only ``recovery`` passes a held volume's gate."""
        if not recovery:
            with self._mutex:
                gate = self._held.get(volume_id)
            if gate is not None:
                if not blocking:
                    raise Busy(volume_id)
                gate.wait()
        with contextlib.ExitStack() as stack:
            try:
                stack.enter_context(self._coordinator.lock(
                    'snapvol-volume-chain-%s' % volume_id,
                    blocking=blocking))
            except exception.LockBusy:
                raise Busy(volume_id)
            yield

    def hold(self, volume_ids):
        with self._mutex:
            for volume_id in volume_ids:
                self._held.setdefault(volume_id, threading.Event())

    def release(self, volume_id):
        with self._mutex:
            gate = self._held.pop(volume_id, None)
        if gate is not None:
            gate.set()

    def held(self):
        with self._mutex:
            return set(self._held)
