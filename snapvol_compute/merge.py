"""Assisted snapshot delete (seed 000, seed 003): the block job that
merges a snapshot's file, checked against the disk's real chain, and the
resumption of one a previous run of the manager left (QEMU keeps running
a block job while the manager is away)."""

import contextlib
import json
import threading

from oslo_concurrency import lockutils
from oslo_log import log as logging

from snapvol_api import context as snapvol_context
from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_compute import names

LOG = logging.getLogger(__name__)


def delete_plan(delete_info, volume_id, disk):
    """{top, base} of the merge ``delete_info`` asks for, checked against
    ``disk``'s chain."""
    if delete_info.get('type') != 'qcow2':
        raise exception.InvalidDeleteInfo(
            reason='type must be qcow2, not %r' % delete_info.get('type'))
    if delete_info.get('volume_id') != volume_id:
        raise exception.InvalidDeleteInfo(
            reason='it is for volume %r, not %s'
                   % (delete_info.get('volume_id'), volume_id))
    found = {}
    for key in ('file_to_merge', 'merge_target_file'):
        if delete_info.get(key) is not None:
            found[key] = names.bare_name(delete_info[key], key,
                                         exception.InvalidDeleteInfo)
    chain = [layer.source.basename for layer in disk.chain]
    for key, name in found.items():
        if name not in chain:
            raise exception.InvalidDeleteInfo(
                reason='%s %s is not in the chain of %s (%s)'
                       % (key, name, disk.target, ', '.join(chain)))
    top, base = found.get('file_to_merge'), found.get('merge_target_file')
    if base is not None and (top is None or
                             chain.index(base) <= chain.index(top)):
        raise exception.InvalidDeleteInfo(
            reason='merge_target_file must lie below file_to_merge')
    return {'top': top, 'base': base}


def merged(disk, info):
    """Whether the merge delete_info asks for shows in the disk's chain."""
    chain = [layer.source.basename for layer in disk.chain]
    if info.get('merge_target_file') is not None:
        return info['file_to_merge'] not in chain
    below = chain[1] if len(chain) > 1 else None
    return below == info.get('file_to_merge')


def finish_job(device, active, on_progress=None):
    """Waits for a block job, telling ``on_progress(job)`` how far it is;
    an active commit is pivoted once READY (testbed.md: cur == end is not
    enough)."""
    timeout = CONF.libvirt.block_job_timeout
    if active:
        device.wait('ready', timeout, on_progress)
        device.pivot()
    else:
        device.wait('done', timeout, on_progress)


class Progress:
    """Reports a delete's block job progress to the volume service as
    the snapshot's progress, whenever the whole percent changes."""

    def __init__(self, reporter, ctxt, snapshot_id):
        self._reporter = reporter
        self._ctxt = ctxt
        self._snapshot_id = snapshot_id
        self._told = None

    def __call__(self, job):
        percent = min(100, job.cur * 100 // job.end) if job.end else 0
        if percent != self._told:
            self._reporter.progress(self._ctxt, self._snapshot_id,
                                    states.DELETING, percent)
            self._told = percent


class SnapshotDeletes:

    def __init__(self, driver, reporter, creates):
        self._driver = driver
        self._reporter = reporter
        # A create a previous run left is run again by its own job.
        self._creates = creates
        self._running = set()        # snapshot ids with a worker here
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _claim(self, snapshot_id):
        """Yields whether this worker is the only one here on the delete
        of ``snapshot_id``: a volume manager restarted mid-merge asks
        again for the delete whose job runs, and the worker already on it
        reports."""
        with self._lock:
            mine = snapshot_id not in self._running
            self._running.add(snapshot_id)
        if not mine:
            LOG.info('The delete of snapshot %s already runs here; it '
                     'will report', snapshot_id)
        try:
            yield mine
        finally:
            if mine:
                with self._lock:
                    self._running.discard(snapshot_id)

    def run(self, ctxt, instance_id, volume_id, snapshot_id, delete_info):
        with self._claim(snapshot_id) as mine:
            if mine:
                self._run(ctxt, instance_id, volume_id, snapshot_id,
                          delete_info)

    def _run(self, ctxt, instance_id, volume_id, snapshot_id, delete_info):
        try:
            guest = self._driver.guest(instance_id)
            disk = guest.disk_by_serial(volume_id)
            plan = delete_plan(delete_info, volume_id, disk)
            job = guest.block_device(disk.target).job()
            if job is not None:
                # Left by a previous run of this manager: the volume
                # manager holds the volume's lock, so it is this delete's.
                LOG.info('Waiting for the %s job already on %s for the '
                         'delete of snapshot %s', job.type, disk.target,
                         snapshot_id)
                file_format = self._finish_running(
                    guest, disk, job, delete_info,
                    Progress(self._reporter, ctxt, snapshot_id))
            else:
                file_format = self.merge(
                    instance_id, volume_id, plan,
                    Progress(self._reporter, ctxt, snapshot_id))
            self._reporter.report(ctxt, snapshot_id,
                                  states.DELETING_COMPUTE_COMPLETE,
                                  file_format)
        except Exception as e:
            self._reporter.failure(ctxt, snapshot_id, e)

    def merge(self, instance_id, volume_id, plan, on_progress=None):
        """Runs the block job of a delete and returns {file: format} of
        the files it changed, read back from the domain; ``on_progress``:
        see finish_job. One block job at
        a time per domain: QEMU 7.2 crashes when block-stream jobs with a
        base run on several disks of one domain at once
        (tests/functional/test_compute_service.py
        ::test_concurrent_deletes_on_disks_of_one_server)."""
        with lockutils.lock('block-jobs-%s' % instance_id):
            return self._merge(instance_id, volume_id, plan, on_progress)

    def _merge(self, instance_id, volume_id, plan, on_progress):
        guest = self._driver.guest(instance_id)
        disk = guest.disk_by_serial(volume_id)
        device = guest.block_device(disk.target)
        bandwidth = CONF.libvirt.block_job_bandwidth
        if plan['base'] is None:
            # Pull into the active file: down to file_to_merge, or all of
            # the chain when there is none.
            base = disk.layer(plan['top']) if plan['top'] else None
            device.pull(disk.ref(base) if base else None,
                        bandwidth_mib=bandwidth)
            finish_job(device, False, on_progress)
            changed = [disk.active.source.basename] + (
                [plan['top']] if plan['top'] else [])
        else:
            top, base = disk.layer(plan['top']), disk.layer(plan['base'])
            active = top is disk.active
            device.commit(disk.ref(top), disk.ref(base), active=active,
                          bandwidth_mib=bandwidth)
            finish_job(device, active, on_progress)
            changed = [plan['base']]
        after = guest.disk_by_serial(volume_id)
        return {name: after.layer(name).source.format for name in changed
                if after.layer(name) is not None}

    def resume(self, operation):
        """Finishes an operation a previous run of this manager left: waits
        for (and pivots) a block job QEMU still runs, reports what is done,
        and runs again what never happened."""
        ctxt = snapvol_context.RequestContext.from_dict(
            json.loads(operation.context))
        info = json.loads(operation.info)
        snapshot_id = operation.snapshot_id
        if operation.kind == 'create':
            return self._creates.run(
                ctxt, operation.instance_id, operation.volume_id, info)
        if operation.kind == 'create-set':
            return self._creates.run_set(
                ctxt, operation.instance_id, snapshot_id, info['members'])
        with self._claim(snapshot_id) as mine:
            if mine:
                self._resume_delete(ctxt, operation, info)

    def _resume_delete(self, ctxt, operation, info):
        snapshot_id = operation.snapshot_id
        try:
            guest = self._driver.guest(operation.instance_id)
            disk = guest.disk_by_serial(operation.volume_id)
            job = guest.block_device(disk.target).job()
            if job is None and not merged(disk, info):
                return self._run(ctxt, operation.instance_id,
                                 operation.volume_id, snapshot_id, info)
            file_format = self._finish_running(
                guest, disk, job, info,
                Progress(self._reporter, ctxt, snapshot_id))
            self._reporter.report(ctxt, snapshot_id,
                                  states.DELETING_COMPUTE_COMPLETE,
                                  file_format)
        except Exception as e:
            self._reporter.failure(ctxt, snapshot_id, e)

    def _finish_running(self, guest, disk, job, info, on_progress=None):
        """Waits for (and pivots) ``job`` on ``disk`` if there is one, and
        returns {file: format} of the file the merge of ``info`` leaves."""
        if job is not None:
            finish_job(guest.block_device(disk.target),
                       job.type == 'active-commit', on_progress)
        after = guest.disk_by_serial(disk.serial)
        name = info.get('merge_target_file') or after.active.source.basename
        return {name: after.layer(name).source.format}
