"""Reports of the compute service, handed to the worker waiting for them.

A worker that asked the compute service for an assisted snapshot calls
``expect`` before asking and ``wait`` after; the RPC handler of
``update_snapshot_status`` calls ``deliver``. No polling: the worker
sleeps on an event until the report arrives or its timeout passes. The
extend of an attached volume waits the same way (``Assisted.extend``).
"""

import threading


class Reports:

    def __init__(self):
        self._lock = threading.Lock()
        self._waiting = {}

    def expect(self, snapshot_id):
        with self._lock:
            self._waiting[snapshot_id] = [threading.Event(), None]

    def deliver(self, snapshot_id, report):
        """False when no worker waits for this snapshot."""
        with self._lock:
            slot = self._waiting.get(snapshot_id)
            if slot is None or slot[0].is_set():
                return False
            slot[1] = report
            slot[0].set()
            return True

    def awaits(self, key):
        """Whether a worker expects a report on ``key`` and has not taken
        it yet (it may have one already: a second one is refused)."""
        with self._lock:
            return key in self._waiting

    def forget(self, snapshot_id):
        """No longer waiting (the request never reached the compute
        service)."""
        with self._lock:
            self._waiting.pop(snapshot_id, None)

    def wait(self, snapshot_id, timeout):
        """The report, or None after ``timeout`` seconds."""
        with self._lock:
            event = self._waiting[snapshot_id][0]
        event.wait(timeout)
        with self._lock:
            return self._waiting.pop(snapshot_id)[1]
