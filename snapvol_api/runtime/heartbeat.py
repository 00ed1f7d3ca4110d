"""Heartbeats of a snapvol process into its service's services table,
when a heartbeat is recent enough for the service to be up, and a row of
that table as os-services shows it.

The beat itself (a row written by the service's ``db`` package, with
``runtime.services_table``) is the caller's; this module needs no
database: it keeps time, so that every process beats the same way, and
reads rows already loaded.
"""

import datetime
import threading
import uuid

from oslo_log import log as logging

from snapvol_api.conf import CONF

LOG = logging.getLogger(__name__)

# Seconds ``stop`` waits for a beat in progress (a database that hangs
# must not hold up the end of the process; the thread is a daemon).
STOP_WAIT = 10


def new_run_id():
    """The id of one run of a process (a fresh one at each start)."""
    return str(uuid.uuid4())


def utcnow():
    """Now, as the databases store times: UTC without a time zone."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def is_up(last_seen, now=None):
    """Whether a service last seen at ``last_seen`` (naive UTC) is up:
    seen within ``service_down_time`` seconds of ``now``, either way, as
    Cinder counts (a clock far ahead is not a live service either)."""
    if last_seen is None:
        return False
    now = now or utcnow()
    return (abs((now - last_seen).total_seconds())
            <= CONF.service_down_time)


def service_is_up(service, now=None):
    """Whether the services table's row ``service`` heartbeat within
    ``service_down_time`` of ``now`` (default: the clock)."""
    return is_up(service.updated_at or service.created_at, now)


def _iso(value):
    return value.isoformat() if value is not None else None


def service_view(service, up, columns=()):
    """The services table's row ``service`` as the plain dict the RPC
    APIs return (os-services' fields, and the other ``columns``), its
    ``state`` "up" when ``up`` else "down"."""
    view = {
        'id': service.id,
        'host': service.host,
        'binary': service.binary,
        'topic': service.topic,
        'availability_zone': service.availability_zone,
        'disabled': service.disabled,
        'disabled_reason': service.disabled_reason,
        'state': 'up' if up else 'down',
        'report_count': service.report_count,
        'created_at': _iso(service.created_at),
        'updated_at': _iso(service.updated_at),
    }
    view.update({name: getattr(service, name) for name in columns})
    return view


class Heartbeat:
    """Calls ``beat()`` once at ``start`` and then every ``interval``
    seconds (default: ``report_interval``) in a daemon thread, until
    ``stop``. A failed beat is logged and the next one tried: a database
    that is down for a while must not end the process, and the service
    shows down meanwhile, which is the truth."""

    def __init__(self, beat, interval=None, name='heartbeat'):
        self._beat = beat
        self._interval = interval
        self._name = name
        self._stopped = threading.Event()
        self._thread = None
        self._failing = False

    @property
    def interval(self):
        return (self._interval if self._interval is not None
                else CONF.report_interval)

    def start(self):
        """Beats once now, in the caller's thread (so that the service is
        in the table before it serves), then every interval."""
        self._stopped.clear()
        self._beat_once()
        self._thread = threading.Thread(target=self._run, name=self._name,
                                        daemon=True)
        self._thread.start()

    def stop(self):
        """No more beats; returns once a beat in progress has ended (or
        STOP_WAIT seconds have passed)."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(STOP_WAIT)
            self._thread = None

    def _run(self):
        while not self._stopped.wait(self.interval):
            self._beat_once()

    def _beat_once(self):
        try:
            self._beat()
        except Exception as exc:
            # The traceback once, not at every beat while it lasts.
            LOG.warning('%s: the heartbeat failed (%s); trying again in '
                        '%s s', self._name, exc, self.interval,
                        exc_info=not self._failing)
            self._failing = True
        else:
            if self._failing:
                LOG.info('%s: heartbeats again', self._name)
            self._failing = False
