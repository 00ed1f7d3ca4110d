"""The compute manager: runs instances with libvirt and performs assisted
volume snapshots on their disks (seed 000 step 3, seeds 001, 003, 004).

Snapshot creates and deletes arrive as casts and run in worker threads.
Each is recorded in the compute database before it touches the domain and
forgotten once its outcome is reported to the volume manager, so a
restarted manager finishes what it was doing (a block job keeps running in
QEMU while we are away) and reports it.
"""

import json
import os
import re
import shutil

from oslo_log import log as logging
import oslo_messaging as messaging

from snapvol_api import context as snapvol_context
from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_api.rpc import volume_rpcapi
from snapvol_api.runtime import workers
from snapvol_compute import thaw
from snapvol_compute import views
from snapvol_compute import volumes
from snapvol_compute.db import api as db
from snapvol_compute.virt import config
from snapvol_compute.virt import host as virt_host

LOG = logging.getLogger(__name__)

# Kept for compatibility with volume services that read it (seed 001).
PROGRESS = '90%'
_BARE_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]*$')
_DEVICES = ['vd%s' % chr(c) for c in range(ord('a'), ord('z') + 1)]


def _bare_name(value, what, error):
    if not isinstance(value, str) or not _BARE_NAME.match(value) \
            or '..' in value:
        raise error(reason='%s must be a plain file name, not %r'
                           % (what, value))
    return value


def requires_quiesce(instance):
    """Seed 004: an instance that declares a guest agent must not get a
    crash-consistent snapshot, nor may any when the operator says so."""
    metadata = {m.key: m.value for m in instance.metadata_items}
    return (CONF.compute.require_quiesce
            or metadata.get('hw_qemu_guest_agent', '').lower() == 'yes')


def _direct_boot(metadata):
    """(kernel, initrd, cmdline) for a server whose metadata names a kernel
    as Nova's image properties do (kernel_id, ramdisk_id,
    os_command_line), the ids being files of [compute] kernels_path;
    (None, None, None) to boot from the volume."""
    if not metadata.get('kernel_id'):
        if metadata.get('ramdisk_id'):
            raise exception.InvalidInput(
                reason='ramdisk_id needs kernel_id')
        return None, None, None
    if not CONF.compute.kernels_path:
        raise exception.InvalidInput(
            reason='this compute service boots no kernels: [compute] '
                   'kernels_path is not set')
    paths = []
    for key in ('kernel_id', 'ramdisk_id'):
        if not metadata.get(key):
            paths.append(None)
            continue
        path = os.path.join(CONF.compute.kernels_path, _bare_name(
            metadata[key], key, exception.InvalidInput))
        if not os.path.isfile(path):
            raise exception.InvalidInput(
                reason='%s %s is not in the kernels path'
                       % (key, metadata[key]))
        paths.append(path)
    return paths[0], paths[1], metadata.get('os_command_line')


def _instance_dir(instance_id):
    return os.path.join(CONF.compute.instances_path, instance_id)


class ComputeManager:

    RPC_API_VERSION = '1.2'
    target = messaging.Target(version=RPC_API_VERSION)

    def __init__(self, host=None):
        self.host = host or CONF.host
        self.driver = virt_host.Host(CONF.libvirt.connection_uri)
        self.volume_api = volume_rpcapi.VolumeAPI()
        self._workers = workers.Workers(CONF.compute.worker_threads,
                                        'compute-worker')
        self._thaw_watch = thaw.ThawWatch()

    def init_host(self):
        self.driver.connect()
        for instance in db.instance_get_all({'host': self.host}):
            self._sync_power_state(instance)
        for operation in db.operations_on_host(self.host):
            LOG.info('Resuming the %s of snapshot %s on instance %s',
                     operation.kind, operation.snapshot_id,
                     operation.instance_id)
            self._workers.spawn(self._resume_operation, operation)

    def stop(self):
        self._workers.stop(wait=False)

    def _sync_power_state(self, instance):
        try:
            active = self.driver.guest(instance.id).is_active()
        except exception.InstanceNotFound:
            if instance.status != 'ERROR':
                db.instance_update(instance.id, {
                    'status': 'ERROR', 'fault': 'its domain is gone'})
            return
        status = 'ACTIVE' if active else 'SHUTOFF'
        if instance.status not in (status, 'BUILD'):
            db.instance_update(instance.id, {'status': status})

    # Instances (any host) ---------------------------------------------------

    def get_instance(self, ctxt, instance_id):
        return views.instance(db.instance_get(instance_id))

    def list_instances(self, ctxt, filters):
        allowed = {k: v for k, v in (filters or {}).items()
                   if k in ('name', 'status', 'host', 'project_id')}
        return [views.instance(i) for i in db.instance_get_all(allowed)]

    def find_volume_attachment(self, ctxt, volume_id):
        attachment = db.attachment_get_by_volume(volume_id)
        instance = db.instance_get(attachment.instance_id)
        return views.attachment(attachment, instance.host)

    def create_instance(self, ctxt, name, flavor, block_devices, metadata):
        boot = [b for b in block_devices if b.get('boot_index') == 0]
        if len(boot) != 1:
            raise exception.InvalidInput(
                reason='boot from volume needs exactly one block device '
                       'with boot_index 0')
        ordered = boot + [b for b in block_devices if b is not boot[0]]
        _direct_boot(metadata or {})
        instance = db.instance_create(
            {'name': name, 'project_id': ctxt.project_id,
             'user_id': ctxt.user_id, 'host': self.host, 'status': 'BUILD',
             'flavor_id': flavor['id'], 'vcpus': flavor['vcpus'],
             'memory_mb': flavor['memory_mb']},
            metadata or {},
            [{'volume_id': b['volume_id'], 'device': _DEVICES[n],
              'boot_index': b.get('boot_index')}
             for n, b in enumerate(ordered)])
        LOG.info('Building instance %s (%s) on %s', instance.id, name,
                 self.host)
        self._workers.spawn(self._build_instance, ctxt, instance.id)
        return views.instance(instance)

    def _build_instance(self, ctxt, instance_id):
        instance = db.instance_get(instance_id)
        try:
            disks = []
            for att in instance.attachments:
                connection_info = self._connect_volume(
                    ctxt, att.volume_id, instance_id, att.device)
                db.attachment_update(instance_id, att.volume_id,
                                     connection_info)
                disks.append(config.DiskSpec(
                    volumes.disk_source(connection_info), att.device,
                    att.volume_id))
            kernel, initrd, cmdline = _direct_boot(
                {m.key: m.value for m in instance.metadata_items})
            os.makedirs(_instance_dir(instance_id), exist_ok=True)
            # Every domain gets the agent's channel: quiescing is tried
            # for all (seed 004), and a guest may run an agent undeclared.
            self.driver.create_guest(config.DomainSpec(
                uuid=instance.id, name='instance-%s' % instance.id,
                memory_mib=instance.memory_mb, vcpus=instance.vcpus,
                virt_type=CONF.libvirt.virt_type, disks=disks,
                kernel=kernel, initrd=initrd, cmdline=cmdline,
                guest_agent=True, console_log=os.path.join(
                    _instance_dir(instance_id), 'console.log')))
            db.instance_update(instance_id, {'status': 'ACTIVE'})
            LOG.info('Instance %s is active', instance_id)
        except Exception as e:
            LOG.error('Building instance %s failed: %s', instance_id, e)
            db.instance_update(instance_id, {'status': 'ERROR',
                                             'fault': str(e)})
            raise

    def _connect_volume(self, ctxt, volume_id, instance_id, device):
        # Reserved first: the active file cannot move between the answer
        # and the domain opening it.
        self.volume_api.attach_volume(ctxt, volume_id, instance_id,
                                      self.host, '/dev/%s' % device)
        try:
            return self.volume_api.initialize_connection(
                ctxt, volume_id, volumes.connector())
        except Exception:
            self.volume_api.detach_volume(ctxt, volume_id, instance_id)
            raise

    # Instances (their host) -------------------------------------------------

    def delete_instance(self, ctxt, instance_id):
        instance = db.instance_get(instance_id)
        try:
            guest = self.driver.guest(instance_id)
            if guest.is_active():
                guest.destroy()
            guest.undefine()
        except exception.InstanceNotFound:
            LOG.warning('Instance %s had no domain left', instance_id)
        for att in instance.attachments:
            self.volume_api.detach_volume(ctxt, att.volume_id, instance_id)
        db.instance_destroy(instance_id)
        shutil.rmtree(_instance_dir(instance_id), ignore_errors=True)
        LOG.info('Instance %s is deleted', instance_id)

    def set_instance_metadata(self, ctxt, instance_id, metadata, replace):
        return views.instance(db.instance_metadata_set(
            instance_id, metadata, replace))['metadata']

    def delete_instance_metadata(self, ctxt, instance_id, key):
        db.instance_metadata_delete(instance_id, key)

    def attach_volume(self, ctxt, instance_id, volume_id, device):
        instance = db.instance_get(instance_id)
        used = {a.device for a in instance.attachments}
        if device:
            device = device.rsplit('/', 1)[-1]
            if device not in _DEVICES or device in used:
                raise exception.InvalidInput(
                    reason='device %s is invalid or in use' % device)
        else:
            device = next(d for d in _DEVICES if d not in used)
        guest = self.driver.guest(instance_id)
        connection_info = self._connect_volume(ctxt, volume_id, instance_id,
                                               device)
        try:
            guest.attach_disk(config.DiskSpec(
                volumes.disk_source(connection_info), device, volume_id))
        except Exception:
            self.volume_api.detach_volume(ctxt, volume_id, instance_id)
            raise
        db.attachment_create(instance_id, volume_id, device,
                             connection_info)
        LOG.info('Attached volume %s to %s as %s', volume_id, instance_id,
                 device)
        return views.attachment(db.attachment_get_by_volume(volume_id),
                                self.host)

    def detach_volume(self, ctxt, instance_id, volume_id):
        attachment = db.attachment_get_by_volume(volume_id)
        if attachment.instance_id != instance_id:
            raise exception.VolumeNotAttached(volume_id=volume_id)
        guest = self.driver.guest(instance_id)
        guest.detach_disk(attachment.device)
        if guest.is_active() and any(d.serial == volume_id
                                     for d in guest.disks()):
            # QEMU still has the file open: calling the volume detached
            # would let offline merges run under a running guest.
            raise exception.InstanceInvalidState(
                instance_id=instance_id,
                state='running and has not released disk %s'
                      % attachment.device)
        db.attachment_delete(instance_id, volume_id)
        self.volume_api.detach_volume(ctxt, volume_id, instance_id)
        LOG.info('Detached volume %s from %s', volume_id, instance_id)

    # Assisted snapshots -----------------------------------------------------

    def get_volume_chain(self, ctxt, instance_id, volume_id):
        guest = self.driver.guest(instance_id)
        if not guest.is_active():
            # Only a running domain has a chain QEMU opened; the volume
            # manager merges offline then.
            raise exception.InstanceInvalidState(instance_id=instance_id,
                                                 state='shut off')
        disk = guest.disk_by_serial(volume_id)
        return [{'name': layer.source.basename,
                 'format': layer.source.format} for layer in disk.chain]

    def forget_volume_chain(self, ctxt, instance_id, volume_id):
        self.driver.guest(instance_id).forget_backing_chain(volume_id)
        LOG.info('Instance %s will read the chain of volume %s from its '
                 'files when it starts', instance_id, volume_id)

    def volume_snapshot_create(self, ctxt, instance_id, volume_id,
                               create_info):
        snapshot_id = create_info.get('snapshot_id')
        db.operation_begin(snapshot_id, 'create', instance_id, volume_id,
                           self.host, create_info, ctxt.to_dict())
        self._workers.spawn(self._snapshot_create, ctxt, instance_id,
                            volume_id, create_info)

    def volume_snapshot_delete(self, ctxt, instance_id, volume_id,
                               snapshot_id, delete_info):
        db.operation_begin(snapshot_id, 'delete', instance_id, volume_id,
                           self.host, delete_info, ctxt.to_dict())
        self._workers.spawn(self._snapshot_delete, ctxt, instance_id,
                            volume_id, snapshot_id, delete_info)

    def _report(self, ctxt, snapshot_id, status, file_format=None,
                reason=None, quiesced=None):
        LOG.info('Snapshot %s: %s %s%s', snapshot_id, status,
                 file_format or '', ' (%s)' % reason if reason else '')
        self.volume_api.update_snapshot_status(
            ctxt, snapshot_id, status, PROGRESS, file_format=file_format,
            reason=reason, quiesced=quiesced)
        db.operation_end(snapshot_id)

    def _report_failure(self, ctxt, snapshot_id, error):
        """Every failure reaches the volume manager, which would otherwise
        wait for its timeout."""
        if not isinstance(error, exception.SnapvolException):
            LOG.exception('Snapshot %s failed unexpectedly', snapshot_id)
        self._report(ctxt, snapshot_id, states.ERROR, reason=str(error))

    def _snapshot_create(self, ctxt, instance_id, volume_id, create_info):
        snapshot_id = create_info.get('snapshot_id')
        try:
            if create_info.get('type') != 'qcow2':
                raise exception.InvalidCreateInfo(
                    reason='type must be qcow2, not %r'
                           % create_info.get('type'))
            new_file = _bare_name(create_info.get('new_file'), 'new_file',
                                  exception.InvalidCreateInfo)
            instance = db.instance_get(instance_id)
            guest = self.driver.guest(instance_id)
            disk = guest.disk_by_serial(volume_id)
            quiesced = None
            if disk.active.source.basename != new_file:
                new_source = disk.active.source.with_basename(new_file)
                quiesced = self._snapshot_disk(instance, guest, disk.target,
                                               new_source)
            else:
                # Done before: a request sent again, or run again after a
                # restart. Reported, never taken twice.
                LOG.info('Instance %s already writes to %s', instance_id,
                         new_file)
            active = guest.disk_by_serial(volume_id).active.source
            if active.basename != new_file:
                raise exception.HypervisorError(
                    reason='the active file of %s is %s after the snapshot, '
                           'not %s' % (disk.target, active.basename,
                                       new_file))
            self._report(ctxt, snapshot_id,
                         states.CREATING_COMPUTE_COMPLETE,
                         {new_file: active.format}, quiesced=quiesced)
        except Exception as e:
            self._report_failure(ctxt, snapshot_id, e)

    def _snapshot_disk(self, instance, guest, target, new_source):
        """snapshotCreateXML with QUIESCE first, then without it unless the
        instance requires quiescing (seeds 000 and 004). After a failed
        quiesce the guest is made to thaw, now or when its agent answers."""
        with thaw.agent_lock(instance.id):
            try:
                guest.set_agent_timeout(CONF.compute.guest_agent_timeout)
                guest.snapshot_disks({target: new_source}, quiesce=True)
                return True
            except exception.QuiesceFailed as e:
                failure = e
        self._thaw_watch.start(guest)
        if requires_quiesce(instance):
            LOG.warning('Instance %s requires quiescing, which failed: %s',
                        instance.id, failure)
            raise failure
        LOG.info('Quiescing %s failed (%s); taking a crash-consistent '
                 'snapshot', instance.id, failure)
        guest.snapshot_disks({target: new_source}, quiesce=False)
        return False

    def _snapshot_delete(self, ctxt, instance_id, volume_id, snapshot_id,
                         delete_info):
        try:
            plan = self._delete_plan(instance_id, volume_id, delete_info)
            file_format = self._merge(instance_id, volume_id, plan)
            self._report(ctxt, snapshot_id,
                         states.DELETING_COMPUTE_COMPLETE, file_format)
        except Exception as e:
            self._report_failure(ctxt, snapshot_id, e)

    def _delete_plan(self, instance_id, volume_id, delete_info):
        """Checks delete_info against the disk's real chain."""
        if delete_info.get('type') != 'qcow2':
            raise exception.InvalidDeleteInfo(
                reason='type must be qcow2, not %r' % delete_info.get('type'))
        if delete_info.get('volume_id') != volume_id:
            raise exception.InvalidDeleteInfo(
                reason='it is for volume %r, not %s'
                       % (delete_info.get('volume_id'), volume_id))
        names = {}
        for key in ('file_to_merge', 'merge_target_file'):
            if delete_info.get(key) is not None:
                names[key] = _bare_name(delete_info[key], key,
                                        exception.InvalidDeleteInfo)
        disk = self.driver.guest(instance_id).disk_by_serial(volume_id)
        chain = [layer.source.basename for layer in disk.chain]
        for key, name in names.items():
            if name not in chain:
                raise exception.InvalidDeleteInfo(
                    reason='%s %s is not in the chain of %s (%s)'
                           % (key, name, disk.target, ', '.join(chain)))
        top, base = names.get('file_to_merge'), names.get('merge_target_file')
        if base is not None and (top is None or
                                 chain.index(base) <= chain.index(top)):
            raise exception.InvalidDeleteInfo(
                reason='merge_target_file must lie below file_to_merge')
        return {'top': top, 'base': base}

    def _merge(self, instance_id, volume_id, plan):
        """Runs the block job of a delete and returns {file: format} of
        the files it changed, read back from the domain."""
        guest = self.driver.guest(instance_id)
        disk = guest.disk_by_serial(volume_id)
        device = guest.block_device(disk.target)
        bandwidth = CONF.libvirt.block_job_bandwidth
        if plan['base'] is None:
            # Pull into the active file: down to file_to_merge, or all of
            # the chain when there is none.
            base = disk.layer(plan['top']) if plan['top'] else None
            device.pull(disk.ref(base) if base else None,
                        bandwidth_mib=bandwidth)
            self._finish_job(device, active=False)
            changed = [disk.active.source.basename] + (
                [plan['top']] if plan['top'] else [])
        else:
            top, base = disk.layer(plan['top']), disk.layer(plan['base'])
            active = top is disk.active
            device.commit(disk.ref(top), disk.ref(base), active=active,
                          bandwidth_mib=bandwidth)
            self._finish_job(device, active)
            changed = [plan['base']]
        after = guest.disk_by_serial(volume_id)
        return {name: after.layer(name).source.format for name in changed
                if after.layer(name) is not None}

    @staticmethod
    def _finish_job(device, active):
        """Waits for a block job; an active commit is pivoted once READY
        (testbed.md: cur == end is not enough)."""
        timeout = CONF.libvirt.block_job_timeout
        if active:
            device.wait('ready', timeout)
            device.pivot()
        else:
            device.wait('done', timeout)

    def _resume_operation(self, operation):
        """Finishes an operation a previous run of this manager left: waits
        for (and pivots) a block job QEMU still runs, reports what is done,
        and runs again what never happened."""
        ctxt = snapvol_context.RequestContext.from_dict(
            json.loads(operation.context))
        info = json.loads(operation.info)
        snapshot_id = operation.snapshot_id
        try:
            if operation.kind == 'create':
                return self._snapshot_create(
                    ctxt, operation.instance_id, operation.volume_id, info)
            guest = self.driver.guest(operation.instance_id)
            disk = guest.disk_by_serial(operation.volume_id)
            device = guest.block_device(disk.target)
            job = device.job()
            if job is not None:
                self._finish_job(device, job.type == 'active-commit')
            elif not _merged(disk, info):
                return self._snapshot_delete(
                    ctxt, operation.instance_id, operation.volume_id,
                    snapshot_id, info)
            after = guest.disk_by_serial(operation.volume_id)
            name = info.get('merge_target_file') or \
                after.active.source.basename
            self._report(ctxt, snapshot_id, states.DELETING_COMPUTE_COMPLETE,
                         {name: after.layer(name).source.format})
        except Exception as e:
            self._report_failure(ctxt, snapshot_id, e)


def _merged(disk, info):
    """Whether the merge delete_info asks for shows in the disk's chain."""
    chain = [layer.source.basename for layer in disk.chain]
    if info.get('merge_target_file') is not None:
        return info['file_to_merge'] not in chain
    below = chain[1] if len(chain) > 1 else None
    return below == info.get('file_to_merge')
