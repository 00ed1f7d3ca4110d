"""Instances booted from volumes: create (placed by the scheduler, built
on the host it chose), delete, volume attach and detach, and the power
state found at start-up."""

import os
import shutil
import time

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_compute import names
from snapvol_compute import views
from snapvol_compute import volumes
from snapvol_compute.virt import config

LOG = logging.getLogger(__name__)


def direct_boot(metadata):
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
        path = os.path.join(CONF.compute.kernels_path, names.bare_name(
            metadata[key], key, exception.InvalidInput))
        if not os.path.isfile(path):
            raise exception.InvalidInput(
                reason='%s %s is not in the kernels path'
                       % (key, metadata[key]))
        paths.append(path)
    return paths[0], paths[1], metadata.get('os_command_line')


def _devices(block_devices):
    """The disk target of each block device: its own ``device`` when it
    names a free one, otherwise the next free one."""
    wanted = [b.get('device') for b in block_devices]
    for device in wanted:
        if device is not None and device not in names.DEVICES:
            raise exception.InvalidInput(reason='device %s is invalid'
                                         % device)
    named = [d for d in wanted if d]
    if len(set(named)) != len(named):
        raise exception.InvalidInput(reason='a device is mapped twice')
    free = (d for d in names.DEVICES if d not in wanted)
    return [device or next(free) for device in wanted]


def instance_dir(instance_id):
    return os.path.join(CONF.compute.instances_path, instance_id)


class Instances:

    def __init__(self, host, driver, volume_api, db, workers, scheduler,
                 compute_rpc, sleep=time.sleep):
        """``scheduler``: a scheduler.Scheduler; ``compute_rpc``: a
        compute_rpcapi.ComputeAPI, which hands a build to its host."""
        self._sleep = sleep
        self._host = host
        self._driver = driver
        self._volume_api = volume_api
        self._db = db
        self._workers = workers
        self._scheduler = scheduler
        self._compute_rpc = compute_rpc

    def sync_power_state(self, instance):
        """At start-up: the status says what the domain really does. A
        BUILD is left to its build; a change someone made meanwhile is
        kept."""
        try:
            active = self._driver.guest(instance.id).is_active()
        except exception.InstanceNotFound:
            if instance.status != states.INSTANCE_ERROR:
                self._transition(instance.id, states.INSTANCE_ERROR,
                                 instance.status,
                                 {'fault': 'its domain is gone'})
            return
        status = states.ACTIVE if active else states.SHUTOFF
        if instance.status not in (status, states.BUILD):
            self._transition(instance.id, status, instance.status)

    def _transition(self, instance_id, target, expected, values=None):
        """A guarded transition whose refusal is logged, not raised: the
        status someone else set stays."""
        if isinstance(expected, str):
            expected = (expected,)
        try:
            self._db.instance_transition(instance_id, target, expected,
                                         values)
            return True
        except (exception.InstanceStatusConflict,
                exception.InstanceNotFound) as e:
            LOG.warning('Instance %s does not become %s: %s', instance_id,
                        target, e)
            return False

    # Create ----------------------------------------------------------------

    def create(self, ctxt, name, flavor, block_devices, metadata):
        """``block_devices``: [{volume_id, boot_index}] for existing
        volumes, [{snapshot_id, volume_size, boot_index, device}] for
        volumes to make from snapshots (their creation starts here, the
        build waits for them). ``device`` is kept when given (an image's
        layout), otherwise the next free one; the boot volume first.

        The instance is recorded on the host the scheduler chooses, and
        its build cast to that host. When no host has room it is
        recorded in ERROR without a host, as Nova's: the create is
        accepted and the server shows the fault."""
        boot = [b for b in block_devices if b.get('boot_index') == 0]
        if len(boot) != 1:
            raise exception.InvalidInput(
                reason='boot from volume needs exactly one block device '
                       'with boot_index 0')
        direct_boot(metadata or {})
        ordered = boot + [b for b in block_devices if b is not boot[0]]
        devices = _devices(ordered)
        snapshots = self._snapshots(ctxt, ordered)
        values = {'name': name, 'project_id': ctxt.project_id,
                  'user_id': ctxt.user_id, 'status': states.BUILD,
                  'flavor_id': flavor['id'], 'vcpus': flavor['vcpus'],
                  'memory_mb': flavor['memory_mb']}
        try:
            self._scheduler.check(flavor)
        except exception.NoValidHost as e:
            return self._unplaced(values, metadata, e)
        made = []
        try:
            volume_ids = [
                b['volume_id'] if 'volume_id' in b else
                self._volume_from_snapshot(ctxt, name, b, device,
                                           snapshots[b['snapshot_id']], made)
                for b, device in zip(ordered, devices)]
            # Placed again while the hosts' rows are held: the check
            # above held nothing, and other creates may have come since.
            instance = self._db.instance_create_placed(
                values, metadata or {},
                [{'volume_id': volume_id, 'device': device,
                  'boot_index': b.get('boot_index')}
                 for volume_id, device, b in zip(volume_ids, devices,
                                                 ordered)],
                self._scheduler.placer(flavor))
        except exception.NoValidHost as e:
            self._forget_volumes(ctxt, made)
            return self._unplaced(values, metadata, e)
        except Exception:
            self._forget_volumes(ctxt, made)
            raise
        LOG.info('Instance %s (%s) is placed on %s', instance.id, name,
                 instance.host)
        return self._hand_build(ctxt, instance, made)

    def _unplaced(self, values, metadata, error):
        """A server no host can take: ERROR with Nova's fault, no host
        and no volume attached (none was touched)."""
        instance = self._db.instance_create(
            dict(values, host=None, status=states.INSTANCE_ERROR,
                 fault=error.message),
            metadata or {}, [])
        LOG.warning('Instance %s (%s) has no host: %s', instance.id,
                    instance.name, error.message)
        return views.instance(instance)

    def _hand_build(self, ctxt, instance, volumes_made):
        try:
            self._compute_rpc.build_instance(ctxt, instance.host,
                                             instance.id, volumes_made)
        except Exception as e:
            # Recorded, so accepted: the server shows why it never built.
            LOG.error('The build of instance %s could not be sent to %s: '
                      '%s', instance.id, instance.host, e)
            self._transition(instance.id, states.INSTANCE_ERROR,
                             states.BUILD, {'fault': 'its build could not '
                                            'be sent to its host: %s' % e})
            return views.instance(self._db.instance_get(instance.id))
        return views.instance(instance)

    def _snapshots(self, ctxt, block_devices):
        """{id: snapshot} of the snapshot sources, all checked before any
        volume is made (Nova: InvalidBDMSnapshot, a 400)."""
        snapshots = {}
        for b in block_devices:
            if 'snapshot_id' in b:
                try:
                    snapshots[b['snapshot_id']] = self._volume_api \
                        .get_snapshot(ctxt, b['snapshot_id'])
                except exception.SnapshotNotFound as e:
                    raise exception.InvalidInput(reason=e.message)
        return snapshots

    def _volume_from_snapshot(self, ctxt, name, block_device, device,
                              snapshot, made):
        volume = self._volume_api.create_volume(
            ctxt, block_device.get('volume_size') or snapshot['size'],
            description='%s of server %s, from snapshot %s'
            % (device, name, snapshot['id']), snapshot_id=snapshot['id'])
        made.append(volume['id'])
        LOG.info('Making volume %s (%s of server %s) from snapshot %s',
                 volume['id'], device, name, snapshot['id'])
        return volume['id']

    def _forget_volumes(self, ctxt, volume_ids):
        """Volumes made for a create that failed; one still being made
        cannot be deleted yet, and stays the user's to delete."""
        for volume_id in volume_ids:
            try:
                self._volume_api.delete_volume(ctxt, volume_id)
            except exception.SnapvolException as e:
                LOG.warning('Volume %s made for a failed server create is '
                            'left: %s', volume_id, e)

    def _await_available(self, ctxt, volume_ids):
        """Volumes made for the build are still being copied; Nova's
        block_device_allocate_retries bound the wait."""
        attempts = CONF.compute.block_device_allocate_retries + 1
        for attempt in range(1, attempts + 1):
            statuses = {v: self._volume_api.get_volume(ctxt, v)['status']
                        for v in volume_ids}
            volume_ids = [v for v, status in statuses.items()
                          if status != states.AVAILABLE]
            if not volume_ids:
                return
            failed = [v for v in volume_ids if statuses[v] == states.ERROR]
            if failed or attempt == attempts:
                volume_id = (failed or volume_ids)[0]
                raise exception.VolumeNotCreated(
                    volume_id=volume_id, attempts=attempt,
                    status=statuses[volume_id])
            self._sleep(CONF.compute.block_device_allocate_retries_interval)

    def build(self, ctxt, instance_id, volumes_made=()):
        """On the instance's host (build_instance routes it there)."""
        instance = self._db.instance_get(instance_id)
        if instance.host != self._host:
            # A routing mistake: the domain would start on a host the
            # database does not name, out of every later call's reach.
            LOG.error('Instance %s is placed on %s, not on this host %s: '
                      'not building it here', instance_id, instance.host,
                      self._host)
            return
        try:
            self._await_available(ctxt, volumes_made)
            disks = []
            for att in instance.attachments:
                connection_info = self.connect_volume(
                    ctxt, att.volume_id, instance_id, att.device)
                self._db.attachment_update(instance_id, att.volume_id,
                                           connection_info)
                disks.append(config.DiskSpec(
                    volumes.disk_source(connection_info), att.device,
                    att.volume_id))
            kernel, initrd, cmdline = direct_boot(
                {m.key: m.value for m in instance.metadata_items})
            os.makedirs(instance_dir(instance_id), exist_ok=True)
            # Every domain gets the agent's channel: quiescing is tried
            # for all (seed 004), and a guest may run an agent undeclared.
            self._driver.create_guest(config.DomainSpec(
                uuid=instance.id, name='instance-%s' % instance.id,
                memory_mib=instance.memory_mb, vcpus=instance.vcpus,
                virt_type=CONF.libvirt.virt_type, disks=disks,
                kernel=kernel, initrd=initrd, cmdline=cmdline,
                guest_agent=True, console_log=os.path.join(
                    instance_dir(instance_id), 'console.log')))
        except Exception as e:
            LOG.error('Building instance %s failed: %s', instance_id, e)
            self._transition(instance_id, states.INSTANCE_ERROR,
                             states.BUILD, {'fault': str(e)})
            raise
        if self._transition(instance_id, states.ACTIVE, states.BUILD):
            LOG.info('Instance %s is active', instance_id)

    def connect_volume(self, ctxt, volume_id, instance_id, device):
        # Reserved first: the active file cannot move between the answer
        # and the domain opening it.
        self._volume_api.attach_volume(ctxt, volume_id, instance_id,
                                       self._host, '/dev/%s' % device)
        try:
            return self._volume_api.initialize_connection(
                ctxt, volume_id, volumes.connector())
        except Exception:
            self._volume_api.detach_volume(ctxt, volume_id, instance_id)
            raise

    # Delete ----------------------------------------------------------------

    def delete(self, ctxt, instance_id):
        instance = self._db.instance_get(instance_id)
        try:
            guest = self._driver.guest(instance_id)
            if guest.is_active():
                guest.destroy()
            guest.undefine()
        except exception.InstanceNotFound:
            LOG.warning('Instance %s had no domain left', instance_id)
        for att in instance.attachments:
            self._volume_api.detach_volume(ctxt, att.volume_id, instance_id)
        # From whatever status it has now: a delete wins over any action.
        self._db.instance_destroy(instance_id)
        shutil.rmtree(instance_dir(instance_id), ignore_errors=True)
        LOG.info('Instance %s is deleted', instance_id)

    # Volumes ---------------------------------------------------------------

    def attach_volume(self, ctxt, instance_id, volume_id, device):
        instance = self._db.instance_get(instance_id)
        used = {a.device for a in instance.attachments}
        if device:
            device = device.rsplit('/', 1)[-1]
            if device not in names.DEVICES or device in used:
                raise exception.InvalidInput(
                    reason='device %s is invalid or in use' % device)
        else:
            device = next(d for d in names.DEVICES if d not in used)
        guest = self._driver.guest(instance_id)
        connection_info = self.connect_volume(ctxt, volume_id, instance_id,
                                              device)
        try:
            guest.attach_disk(config.DiskSpec(
                volumes.disk_source(connection_info), device, volume_id))
        except Exception:
            self._volume_api.detach_volume(ctxt, volume_id, instance_id)
            raise
        self._db.attachment_create(instance_id, volume_id, device,
                                   connection_info)
        LOG.info('Attached volume %s to %s as %s', volume_id, instance_id,
                 device)
        return views.attachment(self._db.attachment_get_by_volume(volume_id),
                                self._host)

    def detach_volume(self, ctxt, instance_id, volume_id):
        """Also from a shut-off instance: then only its definition has
        the disk."""
        attachment = self._db.attachment_get_by_volume(volume_id)
        if attachment.instance_id != instance_id:
            raise exception.VolumeNotAttached(volume_id=volume_id)
        guest = self._driver.guest(instance_id)
        guest.detach_disk(attachment.device)
        if guest.is_active() and any(d.serial == volume_id
                                     for d in guest.disks()):
            # QEMU still has the file open: calling the volume detached
            # would let offline merges run under a running guest.
            raise exception.InstanceInvalidState(
                instance_id=instance_id,
                state='running and has not released disk %s'
                      % attachment.device)
        self._db.attachment_delete(instance_id, volume_id)
        self._volume_api.detach_volume(ctxt, volume_id, instance_id)
        LOG.info('Detached volume %s from %s', volume_id, instance_id)
