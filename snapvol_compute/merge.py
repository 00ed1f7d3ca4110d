"""Assisted snapshot delete (seed 000, seed 003): the block job that
merges a snapshot's file, checked against the disk's real chain, and the
resumption of one a previous run of the manager left (QEMU keeps running
a block job while the manager is away)."""

import json

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


def finish_job(device, active):
    """Waits for a block job; an active commit is pivoted once READY
    (testbed.md: cur == end is not enough)."""
    timeout = CONF.libvirt.block_job_timeout
    if active:
        device.wait('ready', timeout)
        device.pivot()
    else:
        device.wait('done', timeout)


class SnapshotDeletes:

    def __init__(self, driver, reporter, creates):
        self._driver = driver
        self._reporter = reporter
        # A create a previous run left is run again by its own job.
        self._creates = creates

    def run(self, ctxt, instance_id, volume_id, snapshot_id, delete_info):
        try:
            disk = self._driver.guest(instance_id).disk_by_serial(volume_id)
            plan = delete_plan(delete_info, volume_id, disk)
            file_format = self.merge(instance_id, volume_id, plan)
            self._reporter.report(ctxt, snapshot_id,
                                  states.DELETING_COMPUTE_COMPLETE,
                                  file_format)
        except Exception as e:
            self._reporter.failure(ctxt, snapshot_id, e)

    def merge(self, instance_id, volume_id, plan):
        """Runs the block job of a delete and returns {file: format} of
        the files it changed, read back from the domain."""
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
            finish_job(device, active=False)
            changed = [disk.active.source.basename] + (
                [plan['top']] if plan['top'] else [])
        else:
            top, base = disk.layer(plan['top']), disk.layer(plan['base'])
            active = top is disk.active
            device.commit(disk.ref(top), disk.ref(base), active=active,
                          bandwidth_mib=bandwidth)
            finish_job(device, active)
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
        try:
            if operation.kind == 'create':
                return self._creates.run(
                    ctxt, operation.instance_id, operation.volume_id, info)
            guest = self._driver.guest(operation.instance_id)
            disk = guest.disk_by_serial(operation.volume_id)
            device = guest.block_device(disk.target)
            job = device.job()
            if job is not None:
                finish_job(device, job.type == 'active-commit')
            elif not merged(disk, info):
                return self.run(ctxt, operation.instance_id,
                                operation.volume_id, snapshot_id, info)
            after = guest.disk_by_serial(operation.volume_id)
            name = info.get('merge_target_file') or \
                after.active.source.basename
            self._reporter.report(ctxt, snapshot_id,
                                  states.DELETING_COMPUTE_COMPLETE,
                                  {name: after.layer(name).source.format})
        except Exception as e:
            self._reporter.failure(ctxt, snapshot_id, e)
