"""A domain (``Guest``) and one of its disks' block jobs (``BlockDevice``).

Both hold their ``Host`` and look their domain up on each call, so they
keep working across a reconnection. Methods take plain arguments and build
libvirt's flags themselves.
"""

import contextlib
import os

import libvirt
from oslo_log import log as logging
import tenacity

from snapvol_api import exception
from snapvol_compute.virt import blockjob
from snapvol_compute.virt import config

LOG = logging.getLogger(__name__)

# After READY, pivoting or aborting takes well under a second.
FINISH_TIMEOUT = 60

_STATES = {
    libvirt.VIR_DOMAIN_NOSTATE: 'nostate',
    libvirt.VIR_DOMAIN_RUNNING: 'running',
    libvirt.VIR_DOMAIN_BLOCKED: 'blocked',
    libvirt.VIR_DOMAIN_PAUSED: 'paused',
    libvirt.VIR_DOMAIN_SHUTDOWN: 'shutdown',
    libvirt.VIR_DOMAIN_SHUTOFF: 'shutoff',
    libvirt.VIR_DOMAIN_CRASHED: 'crashed',
    libvirt.VIR_DOMAIN_PMSUSPENDED: 'suspended',
}

_JOB_TYPES = {
    libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_PULL: 'pull',
    libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_COPY: 'copy',
    libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_COMMIT: 'commit',
    libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT: 'active-commit',
    libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_BACKUP: 'backup',
}

# Errors of a QUIESCE snapshot or a freeze that come from the guest agent:
# not connected (86), out of sync (97), timed out; "not configured" (no
# channel) is ARGUMENT_UNSUPPORTED (74) and is told by its message, as is
# an agent that refuses because it is still frozen from an earlier call.
_AGENT_ERROR_CODES = (libvirt.VIR_ERR_AGENT_UNRESPONSIVE,
                      libvirt.VIR_ERR_AGENT_UNSYNCED,
                      libvirt.VIR_ERR_OPERATION_TIMEOUT)
_AGENT_ERROR_WORDS = ('agent', 'frozen', 'freeze')

# ATOMIC: the disks switch in one QEMU transaction, all of them or none
# (libvirt refuses the flag where QEMU cannot do that).
_SNAPSHOT_FLAGS = (libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY |
                   libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_REUSE_EXT |
                   libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA |
                   libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC)


def _is_agent_error(error):
    reason = error.kwargs.get('reason', error.message).lower()
    return (error.kwargs.get('error_code') in _AGENT_ERROR_CODES or
            any(word in reason for word in _AGENT_ERROR_WORDS))


# libvirt waits 30 s for a domain's job lock. On GlusterFS over libgfapi
# its block-job event handler can hold that lock longer (it reads the new
# chain, 10 s a layer to close here), and a job start or pivot refused for
# it never happened: asking again is safe.
retry_when_busy = tenacity.retry(
    retry=tenacity.retry_if_exception_type(exception.HypervisorBusy),
    stop=tenacity.stop_after_attempt(4), wait=tenacity.wait_fixed(1),
    reraise=True)

class Guest:

    def __init__(self, host, uuid, name):
        self._host = host
        self.uuid = uuid
        self.name = name

    def __repr__(self):
        return f'<Guest {self.name} {self.uuid}>'

    @contextlib.contextmanager
    def _domain(self):
        with self._host.errors(instance_id=self.uuid):
            yield self._host.lookup_domain(self.uuid)

    # State -----------------------------------------------------------------

    def is_active(self):
        with self._domain() as dom:
            return bool(dom.isActive())

    @property
    def state(self):
        """'running', 'paused', 'shutoff', 'crashed', 'blocked',
        'shutdown', 'suspended' or 'nostate'."""
        with self._domain() as dom:
            state, _reason = dom.state()
        return _STATES.get(state, 'nostate')

    def xml(self, inactive=False):
        with self._domain() as dom:
            return dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE
                               if inactive else 0)

    def start(self):
        with self._domain() as dom:
            dom.create()

    def suspend(self):
        """Pauses the vCPUs; QEMU also flushes every disk then, so the
        image files are consistent on disk while it stays paused."""
        with self._domain() as dom:
            dom.suspend()

    def resume(self):
        with self._domain() as dom:
            dom.resume()

    def shutdown(self):
        """Asks the guest OS to shut down (its agent, else ACPI) and
        returns at once; nothing happens if it is not running, nor in a
        guest that does not listen (no OS, no ACPI handling)."""
        with self._domain() as dom:
            if dom.isActive():
                dom.shutdownFlags(0)

    def destroy(self):
        """Stops the domain at once; nothing happens if it is not running."""
        with self._domain() as dom:
            if dom.isActive():
                dom.destroy()

    def undefine(self):
        with self._domain() as dom:
            dom.undefineFlags(
                libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)

    # Disks -----------------------------------------------------------------

    def disks(self, inactive=False):
        """The disks with their backing chains, from the live XML (the
        persistent definition with ``inactive``: no chains there)."""
        return config.parse_disks(self.xml(inactive))

    def disk_by_serial(self, serial):
        for disk in self.disks():
            if disk.serial == serial:
                return disk
        raise exception.DiskNotFound(instance_id=self.uuid, volume_id=serial)

    def resize_disk(self, target, size_bytes):
        """The disk the guest sees at ``target`` becomes ``size_bytes``
        (its active file grows; the guest is told, as for Nova's
        volume-extended event)."""
        with self._domain() as dom:
            dom.blockResize(target, int(size_bytes),
                            libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES)

    def disk(self, target):
        for disk in self.disks():
            if disk.target == target:
                return disk
        raise exception.DiskTargetNotFound(instance_id=self.uuid,
                                           target=target)

    def forget_backing_chain(self, serial, active_file=None,
                             active_format=None):
        """Makes the persistent definition of a shut-off domain read the
        chain of disk ``serial`` from the image headers at its next start,
        so that files merged while it was off are not looked for; with
        ``active_file``, that file (of ``active_format``, in the same
        directory) is the disk's active file from then on. Returns the
        name of the active file the definition names."""
        with self._domain() as dom:
            if dom.isActive():
                raise exception.InstanceInvalidState(instance_id=self.uuid,
                                                     state='running')
            xml = config.without_backing_chain(
                dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE), serial,
                active_file, active_format)
            dom.connect().defineXML(xml)
        return config.active_file_of(xml, serial)

    def attach_disk(self, spec):
        """Attaches to the running domain (if it runs) and to its
        persistent definition."""
        flags = libvirt.VIR_DOMAIN_AFFECT_CONFIG
        with self._domain() as dom:
            if dom.isActive():
                flags |= libvirt.VIR_DOMAIN_AFFECT_LIVE
            dom.attachDeviceFlags(config.disk_xml(spec), flags)

    def detach_disk(self, target):
        """Detaches from the persistent definition and asks the running
        domain to release the disk. The live detach completes when the
        guest OS lets the device go (libvirt returns after ~5 s without
        that, and the disk stays in the live XML until it happens)."""
        flags = 0
        with self._domain() as dom:
            live = config.parse_disks(dom.XMLDesc(0)) if dom.isActive() \
                else []
            persistent = config.parse_disks(
                dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)) \
                if dom.isPersistent() else []
            found = None
            for disks, flag in ((live, libvirt.VIR_DOMAIN_AFFECT_LIVE),
                                (persistent,
                                 libvirt.VIR_DOMAIN_AFFECT_CONFIG)):
                for disk in disks:
                    if disk.target == target:
                        flags |= flag
                        found = found or disk
            if found is None:
                raise exception.DiskTargetNotFound(instance_id=self.uuid,
                                                   target=target)
            spec = config.DiskSpec(found.active.source, target, found.serial,
                                   found.bus or 'virtio')
            dom.detachDeviceFlags(config.disk_xml(spec), flags)

    def set_agent_timeout(self, seconds):
        """How long libvirt waits for the guest agent; its default is to
        wait for ever, which a stopped agent turns into a hang."""
        with self._domain() as dom:
            dom.agentSetResponseTimeout(seconds, 0)

    def snapshot_disks(self, new_sources, quiesce):
        """Switches each disk of ``new_sources`` ({target: DiskSource}) to
        its new, pre-created qcow2 overlay (whose backing file is the disk's
        active file) in one atomic step: when it fails, no disk changed.
        Every other disk is left alone. With ``quiesce`` the guest agent
        freezes the filesystems around it; a failure of that raises
        QuiesceFailed and changes nothing."""
        disks = self.disks()
        targets = {disk.target for disk in disks}
        for target, source in new_sources.items():
            if target not in targets:
                raise exception.DiskTargetNotFound(instance_id=self.uuid,
                                                   target=target)
            # A request that waited too long may name an overlay its volume
            # service has removed since; libvirt must not make a new one.
            if source.type == 'file' and not os.path.isfile(source.path):
                raise exception.HypervisorError(
                    reason='the new overlay %s of %s does not exist'
                           % (source.path, target))
        xml = config.snapshot_xml(
            new_sources,
            untouched=[d.target for d in disks if d.target not in new_sources])
        if quiesce:
            with self._agent() as dom:
                dom.snapshotCreateXML(
                    xml, _SNAPSHOT_FLAGS |
                    libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE)
        else:
            with self._domain() as dom:
                dom.snapshotCreateXML(xml, _SNAPSHOT_FLAGS)

    @contextlib.contextmanager
    def _agent(self):
        """The domain, for a call that needs the guest agent: its failures
        raise QuiesceFailed."""
        try:
            with self._domain() as dom:
                yield dom
        except exception.HypervisorUnavailable:
            raise
        except exception.HypervisorError as e:
            if _is_agent_error(e):
                raise exception.QuiesceFailed(
                    instance_id=self.uuid, reason=e.kwargs.get('reason'),
                    error_code=e.kwargs.get('error_code')) from e
            raise

    def fs_freeze(self):
        """Freezes the guest's filesystems through its agent; returns how
        many."""
        with self._agent() as dom:
            return dom.fsFreeze()

    def fs_thaw(self):
        """Thaws the guest's filesystems; returns how many were thawed (0
        when none were frozen)."""
        with self._agent() as dom:
            return dom.fsThaw()

    def block_device(self, target):
        return BlockDevice(self, target)


class BlockDevice:
    """The block jobs of one disk. Layers are referenced as 'vdb[N]'
    (``Disk.ref``), for file and network disks alike."""

    def __init__(self, guest, target):
        self._guest = guest
        self._host = guest._host
        self.target = target

    def __repr__(self):
        return f'<BlockDevice {self.target} of {self._guest.uuid}>'

    def _forget_events(self):
        self._host.block_job_events.forget(self._guest.uuid, self.target)

    @retry_when_busy
    def commit(self, top_ref, base_ref, active, bandwidth_mib=0):
        """Merges ``top_ref`` (and any layer between) into ``base_ref``.
        ``active``: the top is the active layer (an active commit, which
        must be pivoted once READY). The file above the top keeps a
        relative backing name."""
        flags = libvirt.VIR_DOMAIN_BLOCK_COMMIT_RELATIVE
        if active:
            flags |= libvirt.VIR_DOMAIN_BLOCK_COMMIT_ACTIVE
        self._forget_events()
        with self._guest._domain() as dom:
            dom.blockCommit(self.target, base_ref, top_ref,
                            int(bandwidth_mib), flags)

    @retry_when_busy
    def pull(self, base_ref=None, bandwidth_mib=0):
        """Copies the layers above ``base_ref`` into the active file, which
        then backs onto ``base_ref`` (a relative name). Without a base, the
        whole chain is copied and the active file has no backing file."""
        flags = libvirt.VIR_DOMAIN_BLOCK_REBASE_RELATIVE if base_ref else 0
        self._forget_events()
        with self._guest._domain() as dom:
            dom.blockRebase(self.target, base_ref, int(bandwidth_mib), flags)

    def set_bandwidth(self, bandwidth_mib):
        """Changes the running job's limit (MiB/s, 0: none)."""
        with self._guest._domain() as dom:
            dom.blockJobSetSpeed(self.target, int(bandwidth_mib), 0)

    def job(self):
        """The disk's block job (BlockJobInfo) or None, also when another
        connection or process started it."""
        with self._guest._domain() as dom:
            info = dom.blockJobInfo(self.target, 0)
            if not info:
                return None
            xml = dom.XMLDesc(0)
        mirror = None
        for disk in config.parse_disks(xml):
            if disk.target == self.target:
                mirror = disk.mirror
        return blockjob.BlockJobInfo(
            type=_JOB_TYPES.get(info.get('type'), 'unknown'),
            cur=info.get('cur', 0), end=info.get('end', 0),
            ready=bool(mirror and mirror.ready),
            bandwidth_mib=info.get('bandwidth', 0))

    def wait(self, until, timeout, on_progress=None):
        """Waits for the job: until='done' (ended) or 'ready' (can be
        pivoted), telling ``on_progress(job)`` how far it is meanwhile.
        See blockjob.wait for what it returns and raises."""
        return blockjob.wait(self._host.block_job_events, self.job,
                             uuid=self._guest.uuid, target=self.target,
                             until=until, timeout=timeout,
                             on_progress=on_progress)

    def pivot(self, timeout=FINISH_TIMEOUT):
        """Ends an active commit by switching the disk to its base: waits
        for READY (cur == end is not enough), pivots, waits for the end."""
        if self.wait('ready', timeout) == blockjob.COMPLETED:
            return
        self._abort_pivot()
        self.wait('done', timeout)

    @retry_when_busy
    def _abort_pivot(self):
        with self._guest._domain() as dom:
            dom.blockJobAbort(self.target,
                              libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT)

    def abort(self):
        """Cancels the job (nothing if there is none). An aborted commit
        leaves the chain as it was (the base may hold some of the top's
        data, which the top still has); an aborted pull leaves the active
        file with part of the data it was pulling, same chain."""
        if self.job() is None:
            return
        try:
            with self._guest._domain() as dom:
                # Without ABORT_ASYNC libvirt returns once the job is gone.
                dom.blockJobAbort(self.target, 0)
        except exception.HypervisorError:
            if self.job() is not None:
                raise
            # It ended by itself in between.
