"""The libvirt connection of the compute service.

``Host.connect()`` starts libvirt's event loop (once per process, before
any connection opens), opens the connection and subscribes to block job
events, which ``blockjob.wait`` is driven by. A connection that closes
(libvirtd restarted, keepalive lost) is opened again by the next call, and
waiters are woken to look again, since events may have been missed.

Every libvirt error leaves this package as a snapvol exception:
``HypervisorError`` with libvirt's code in ``kwargs['error_code']``,
``HypervisorUnavailable`` when the connection is down, ``InstanceNotFound``
for a domain that does not exist.
"""

import contextlib
import dataclasses
import threading
import time

import libvirt
from oslo_log import log as logging

from snapvol_api import exception
from snapvol_compute.virt import blockjob
from snapvol_compute.virt import config
from snapvol_compute.virt import guest as virt_guest

LOG = logging.getLogger(__name__)

KEEPALIVE_INTERVAL = 5
KEEPALIVE_COUNT = 3

_BLOCK_JOB_STATUS = {
    libvirt.VIR_DOMAIN_BLOCK_JOB_COMPLETED: blockjob.COMPLETED,
    libvirt.VIR_DOMAIN_BLOCK_JOB_FAILED: blockjob.FAILED,
    libvirt.VIR_DOMAIN_BLOCK_JOB_CANCELED: blockjob.CANCELLED,
    libvirt.VIR_DOMAIN_BLOCK_JOB_READY: blockjob.READY,
}

_event_loop_lock = threading.Lock()
_event_loop_thread = None


def _run_event_loop():
    while True:
        try:
            libvirt.virEventRunDefaultImpl()
        except Exception:  # never let the loop die: nothing would restart it
            LOG.exception('libvirt event loop iteration failed')
            time.sleep(0.1)


def _ignore_error(_ctx, _error):
    """libvirt prints every error to stderr unless a handler is set; ours
    surface as exceptions instead."""


def start_event_loop():
    """Registers libvirt's default event implementation and runs it in a
    daemon thread; only the first call in a process does anything. Must
    run before the process opens its first libvirt connection."""
    global _event_loop_thread
    with _event_loop_lock:
        if _event_loop_thread is not None:
            return
        libvirt.registerErrorHandler(_ignore_error, None)
        libvirt.virEventRegisterDefaultImpl()
        thread = threading.Thread(target=_run_event_loop,
                                  name='libvirt-event-loop', daemon=True)
        thread.start()
        _event_loop_thread = thread


@dataclasses.dataclass(frozen=True)
class Capacity:
    """What the hypervisor host has: logical CPUs and MiB of memory."""
    vcpus: int
    memory_mb: int


class Host:

    def __init__(self, uri):
        self.uri = uri
        self.block_job_events = blockjob.BlockJobEvents()
        self._lock = threading.RLock()
        self._conn = None
        self._callback_id = None
        self._lost = False

    # Connection ------------------------------------------------------------

    def connect(self):
        start_event_loop()
        self._connection()

    def close(self):
        with self._lock:
            conn, self._conn = self._conn, None
            self._release(conn)
        self.block_job_events.wake_all()

    def _open(self):
        LOG.debug('Opening libvirt connection %s', self.uri)
        try:
            conn = libvirt.open(self.uri)
        except libvirt.libvirtError as e:
            raise exception.HypervisorUnavailable(
                uri=self.uri, reason=e.get_error_message() or str(e),
                error_code=e.get_error_code()) from e
        # Close callbacks and keepalive exist for connections to a daemon
        # only (not, e.g., qemu:///embed); without them a lost connection
        # is found by the next call that fails.
        for optional in (
                lambda: conn.registerCloseCallback(self._on_close, None),
                lambda: conn.setKeepAlive(KEEPALIVE_INTERVAL,
                                          KEEPALIVE_COUNT)):
            try:
                optional()
            except libvirt.libvirtError as e:
                LOG.debug('%s: %s', self.uri, e)
        try:
            self._callback_id = conn.domainEventRegisterAny(
                None, libvirt.VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                self._on_block_job, None)
        except libvirt.libvirtError as e:
            self._release(conn)
            raise exception.HypervisorUnavailable(
                uri=self.uri, reason=e.get_error_message() or str(e),
                error_code=e.get_error_code()) from e
        return conn

    def _release(self, conn):
        if conn is None:
            return
        callback_id, self._callback_id = self._callback_id, None
        releases = [conn.unregisterCloseCallback, conn.close]
        if callback_id is not None:
            releases.insert(
                0, lambda: conn.domainEventDeregisterAny(callback_id))
        for release in releases:
            try:
                release()
            except libvirt.libvirtError:
                pass  # a dead connection cannot be released politely

    def _connection(self):
        """The open connection, opened again if it was lost."""
        with self._lock:
            conn = self._conn
            if conn is not None and (self._lost or not conn.isAlive()):
                LOG.warning('libvirt connection %s was lost; reconnecting',
                            self.uri)
                self._conn = None
                self._release(conn)
                conn = None
            if conn is None:
                self._lost = False
                self._conn = conn = self._open()
                # Events may have been missed in between: look again.
                self.block_job_events.wake_all()
            return conn

    def _on_close(self, conn, reason, _opaque):
        # The event loop thread: no libvirt calls, no waiting for locks.
        LOG.warning('libvirt connection %s closed (reason %s)', self.uri,
                    reason)
        self._lost = True
        self.block_job_events.wake_all()

    def _on_block_job(self, _conn, dom, target, job_type, status, _opaque):
        uuid = dom.UUIDString()
        name = _BLOCK_JOB_STATUS.get(status, f'status-{status}')
        LOG.debug('Block job event: domain %s disk %s type %s: %s', uuid,
                  target, job_type, name)
        self.block_job_events.record(uuid, target, name)

    # Errors ----------------------------------------------------------------

    @contextlib.contextmanager
    def errors(self, instance_id=None):
        """Turns libvirt errors into snapvol exceptions."""
        try:
            yield
        except libvirt.libvirtError as e:
            raise self._translate(e, instance_id) from e

    def _translate(self, error, instance_id):
        code = error.get_error_code()
        reason = error.get_error_message() or str(error)
        if code == libvirt.VIR_ERR_NO_DOMAIN and instance_id:
            return exception.InstanceNotFound(instance_id=instance_id,
                                              error_code=code)
        conn = self._conn
        if conn is None or self._lost or not _alive(conn):
            self._lost = True
            return exception.HypervisorUnavailable(uri=self.uri,
                                                   reason=reason,
                                                   error_code=code)
        if code == libvirt.VIR_ERR_OPERATION_TIMEOUT:
            return exception.HypervisorBusy(reason=reason, error_code=code)
        return exception.HypervisorError(reason=reason, error_code=code)

    # The host --------------------------------------------------------------

    def capacity(self):
        """The host's CPUs and memory (libvirt's getInfo, as Nova
        counts them). May be the process's first call: the compute
        service's heartbeat records it before init_host connects."""
        start_event_loop()
        with self.errors():
            # [model, memory MiB, CPUs, MHz, NUMA nodes, sockets, cores,
            # threads]
            info = self._connection().getInfo()
        return Capacity(vcpus=info[2], memory_mb=info[1])

    # Domains ---------------------------------------------------------------

    def lookup_domain(self, uuid):
        """The libvirt domain object (for this package's own modules)."""
        with self.errors(instance_id=uuid):
            return self._connection().lookupByUUIDString(uuid)

    def guest(self, uuid):
        dom = self.lookup_domain(uuid)
        return virt_guest.Guest(self, dom.UUIDString(), dom.name())

    def guests(self):
        with self.errors():
            domains = self._connection().listAllDomains(0)
            return [virt_guest.Guest(self, dom.UUIDString(), dom.name())
                    for dom in domains]

    def create_guest(self, spec, start=True):
        """Defines a persistent domain and (``start``) starts it; on a
        failed start the definition is removed again."""
        try:
            self.lookup_domain(spec.uuid)
        except exception.InstanceNotFound:
            pass
        else:
            raise exception.InstanceExists(instance_id=spec.uuid)
        with self.errors(instance_id=spec.uuid):
            dom = self._connection().defineXML(config.domain_xml(spec))
        guest = virt_guest.Guest(self, dom.UUIDString(), dom.name())
        if start:
            try:
                guest.start()
            except Exception:
                with contextlib.suppress(exception.HypervisorError):
                    guest.undefine()
                raise
        return guest

    def wait_block_job(self, uuid, target, until, timeout):
        return self.guest(uuid).block_device(target).wait(until, timeout)


def _alive(conn):
    try:
        return bool(conn.isAlive())
    except libvirt.libvirtError:
        return False
