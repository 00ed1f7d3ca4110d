"""Reports of the compute service, handed to the worker waiting for them.

A worker that asked the compute service for an assisted snapshot calls
``expect`` before asking and ``wait`` after; the RPC handler of
``update_snapshot_status`` calls ``deliver``. The extend of an attached
volume waits the same way (``Assisted.extend``).

With several volume managers, a report may reach another manager than the
one whose worker waits: the database is the truth. ``deliver`` stores the
report there (the first one only: a compare-and-swap) whichever manager
receives it, and wakes the waiter at once when it runs in this process;
a waiter re-reads the database every ``poll_interval`` seconds too, so a
report received elsewhere reaches it as well.
"""

import threading
import time


class Reports:

    def __init__(self, db, poll_interval, owner=None, clock=time.monotonic):
        """``db``: the volume database's api; ``owner``: the manager run
        whose workers wait (recorded with what they expect);
        ``clock``: seconds, for the timeouts."""
        self._db = db
        self._poll_interval = poll_interval
        self._owner = owner
        self._clock = clock
        self._lock = threading.Lock()
        # {key: Event} of the workers of this process that wait.
        self._events = {}

    def expect(self, key):
        """A report on ``key`` (a snapshot or group snapshot id, or
        assisted.extend_key) is awaited; any earlier one is forgotten."""
        with self._lock:
            self._events[key] = threading.Event()
        self._db.report_expect(key, self._owner)

    def deliver(self, key, report):
        """Stores ``report`` (a dict JSON can encode) for the worker that
        waits on ``key``, in whichever manager it runs. False when none
        waits or a report on ``key`` came first: a second one is
        refused."""
        if not self._db.report_deliver(key, report):
            return False
        with self._lock:
            event = self._events.get(key)
        if event is not None:
            event.set()
        return True

    def awaits(self, key):
        """Whether a worker (of any manager) expects a report on ``key``
        and has not taken it yet (it may have one already: a second one
        is refused)."""
        return self._db.report_get(key) is not None

    def forget(self, key):
        """No longer waiting (the request never reached the compute
        service); a report that comes later is refused."""
        with self._lock:
            self._events.pop(key, None)
        self._db.report_forget(key)

    def wait(self, key, timeout):
        """The report on ``key``, or None after ``timeout`` seconds (None:
        no limit) or when nothing expects it any longer. Either way it is
        no longer expected afterwards."""
        with self._lock:
            event = self._events[key]
        deadline = None if timeout is None else self._clock() + timeout
        try:
            while True:
                # Cleared before reading: a report stored after the read
                # sets it again, and the wait below ends at once.
                event.clear()
                row = self._db.report_get(key)
                if row is None:
                    return None
                if row['payload'] is not None:
                    return row['payload']
                pause = self._poll_interval
                if deadline is not None:
                    remaining = deadline - self._clock()
                    if remaining <= 0:
                        return None
                    pause = min(pause, remaining)
                event.wait(pause)
        finally:
            self.forget(key)
