"""Server actions: stop, start, soft and hard reboot (Nova's os-stop,
os-start and reboot).

An action is checked and claimed while its RPC call waits (so the caller
gets a 409 in Nova's words for the wrong state), then runs in a worker.
While it runs, the instance is busy with Nova's task_state for it, and
other actions are refused. Statuses change by guarded transitions only:
an outcome arriving after someone else changed the status (a delete)
changes nothing.

Guests ignore ACPI without an OS that listens: a stop asks for a clean
shutdown, waits [compute] shutdown_timeout, then destroys; a soft reboot
waits [compute] reboot_timeout for the shutdown, then falls back to a
hard reboot as Nova does.
"""

import dataclasses
import threading
import time

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF

LOG = logging.getLogger(__name__)

# How often a shutting-down domain is looked at.
POLL_INTERVAL = 0.5

SOFT, HARD = 'SOFT', 'HARD'


@dataclasses.dataclass(frozen=True)
class Action:
    name: str           # as Nova names it in its conflict messages
    sources: tuple      # statuses it may start from
    task_state: str     # Nova's, while it runs
    status: str = None  # the status while it runs, if not the same


STOP = Action('stop', (states.ACTIVE, states.INSTANCE_ERROR),
              'powering-off')
START = Action('start', (states.SHUTOFF,), 'powering-on')
SOFT_REBOOT = Action('reboot', (states.ACTIVE,), 'rebooting',
                     states.REBOOT)
HARD_REBOOT = Action('reboot', (states.ACTIVE, states.SHUTOFF,
                                states.INSTANCE_ERROR),
                     'rebooting_hard', states.HARD_REBOOT)


def conflict(action, sources, instance_id, status):
    """Nova's refusal: its vm_state when that is wrong for ``action``,
    else its task_state (what it is busy with)."""
    vm, task, _power = states.INSTANCE_NOVA_STATES.get(
        status, (status.lower(), None, 0))
    allowed = {states.INSTANCE_NOVA_STATES[s][0] for s in sources}
    if vm in allowed and task is not None:
        return exception.InstanceActionConflict(
            action=action, instance_id=instance_id, attr='task_state',
            state=task)
    return exception.InstanceActionConflict(
        action=action, instance_id=instance_id, attr='vm_state', state=vm)


class Power:

    def __init__(self, driver, db, workers, sleep=time.sleep,
                 clock=time.monotonic):
        self._driver = driver
        self._db = db
        self._workers = workers
        self._sleep = sleep
        self._clock = clock
        self._busy = {}
        self._mutex = threading.Lock()

    # The RPC side ------------------------------------------------------------

    def stop(self, instance_id):
        self._begin(instance_id, STOP, self._stop)

    def start(self, instance_id):
        self._begin(instance_id, START, self._start)

    def reboot(self, instance_id, reboot_type):
        reboot_type = (reboot_type or '').upper()
        if reboot_type == SOFT:
            self._begin(instance_id, SOFT_REBOOT, self._soft_reboot)
        elif reboot_type == HARD:
            self._begin(instance_id, HARD_REBOOT, self._hard_reboot)
        else:
            raise exception.InvalidInput(
                reason='reboot type must be SOFT or HARD, not %r'
                       % reboot_type)

    def _begin(self, instance_id, action, work):
        self._claim(instance_id, action)
        try:
            self._workers.spawn(self._run, instance_id, action, work)
        except Exception:
            self._release(instance_id)
            raise

    def busy(self, instance_id):
        """Nova's task_state of the action running on the instance, or
        None."""
        with self._mutex:
            return self._busy.get(instance_id)

    def _claim(self, instance_id, action):
        with self._mutex:
            if instance_id in self._busy:
                raise exception.InstanceActionConflict(
                    action=action.name, instance_id=instance_id,
                    attr='task_state', state=self._busy[instance_id])
            instance = self._db.instance_get(instance_id)
            if instance.status not in action.sources:
                raise self._conflict(action, instance_id, instance.status)
            if action.status is not None:
                try:
                    self._db.instance_transition(
                        instance_id, action.status, action.sources)
                except exception.InstanceStatusConflict as e:
                    raise self._conflict(action, instance_id,
                                         e.kwargs['state'])
            self._busy[instance_id] = action.task_state

    @staticmethod
    def _conflict(action, instance_id, status):
        return conflict(action.name, action.sources, instance_id, status)

    # The worker side -------------------------------------------------------

    def _run(self, instance_id, action, work):
        expected = (action.status,) if action.status else action.sources
        # A soft reboot may have become a hard one before it failed.
        failed_from = expected + ((states.HARD_REBOOT,)
                                  if action is SOFT_REBOOT else ())
        try:
            work(instance_id, expected)
        except Exception as e:
            LOG.error('Could not %s instance %s: %s', action.name,
                      instance_id, e)
            self._transition(instance_id, states.INSTANCE_ERROR, failed_from,
                             {'fault': '%s failed: %s' % (action.name, e)})
        finally:
            self._release(instance_id)

    def _release(self, instance_id):
        with self._mutex:
            self._busy.pop(instance_id, None)

    def _transition(self, instance_id, target, expected, values=None):
        """A guarded transition; refused, it is logged, and the status
        someone else set stays."""
        try:
            self._db.instance_transition(instance_id, target, expected,
                                         values)
            LOG.info('Instance %s is %s', instance_id, target)
        except (exception.InstanceStatusConflict,
                exception.InstanceNotFound) as e:
            LOG.warning('Instance %s does not become %s: %s', instance_id,
                        target, e)

    def _stop(self, instance_id, expected):
        guest = self._driver.guest(instance_id)
        if not self.shutdown(guest, CONF.compute.shutdown_timeout):
            LOG.warning('Instance %s did not shut down in %d s; destroying '
                        'it', instance_id, CONF.compute.shutdown_timeout)
            guest.destroy()
        self._transition(instance_id, states.SHUTOFF, expected)

    def _start(self, instance_id, expected):
        guest = self._driver.guest(instance_id)
        if not guest.is_active():
            guest.start()
        self._transition(instance_id, states.ACTIVE, expected)

    def _soft_reboot(self, instance_id, expected):
        guest = self._driver.guest(instance_id)
        if not self.shutdown(guest, CONF.compute.reboot_timeout):
            LOG.warning('Instance %s did not shut down in %d s; rebooting '
                        'it hard', instance_id, CONF.compute.reboot_timeout)
            self._db.instance_transition(instance_id, states.HARD_REBOOT,
                                         expected)
            return self._hard_reboot(instance_id, (states.HARD_REBOOT,))
        guest.start()
        self._transition(instance_id, states.ACTIVE, expected)

    def _hard_reboot(self, instance_id, expected):
        guest = self._driver.guest(instance_id)
        guest.destroy()
        guest.start()
        self._transition(instance_id, states.ACTIVE, expected)

    def shutdown(self, guest, timeout):
        """Asks the guest to shut down and waits up to ``timeout`` s;
        whether it is off."""
        if not guest.is_active():
            return True
        guest.shutdown()
        deadline = self._clock() + timeout
        while guest.is_active():
            if self._clock() >= deadline:
                return False
            self._sleep(POLL_INTERVAL)
        return True
