"""The compute manager's RPC surface: runs instances with libvirt and
performs assisted volume snapshots on their disks (seed 000 step 3, seeds
001 to 004).

Each method hands its work to the module of its job: ``instances``
(create, placed by ``scheduler``; build, delete, attach, detach),
``power`` (server actions),
``images`` (createImage: a group snapshot of the server's volumes),
``snapshots`` (assisted create and the quiesce policy), ``merge``
(assisted delete, block jobs). Long work runs in worker threads.
Collaborators are passed in; ``bootstrap.compute_manager`` wires the
real ones.
"""

from oslo_log import log as logging
import oslo_messaging as messaging

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_compute import images
from snapvol_compute import instances
from snapvol_compute import merge
from snapvol_compute import power
from snapvol_compute import reports
from snapvol_compute import services
from snapvol_compute import snapshots
from snapvol_compute import views

LOG = logging.getLogger(__name__)


class ComputeManager:

    RPC_API_VERSION = '1.11'
    target = messaging.Target(version=RPC_API_VERSION)

    def __init__(self, host, driver, volume_api, db, workers, thaw_watch,
                 scheduler, compute_rpc):
        """``driver``: a virt.host.Host (connected by init_host);
        ``volume_api``: a volume_rpcapi.VolumeAPI; ``db``: the
        snapvol_compute.db.api module or a stand-in; ``workers``: has
        spawn(func, *args) and stop(wait); ``thaw_watch``: a
        thaw.ThawWatch; ``scheduler``: a scheduler.Scheduler;
        ``compute_rpc``: a compute_rpcapi.ComputeAPI (builds go to the
        host the scheduler chose)."""
        self.host = host
        self.driver = driver
        self.db = db
        self.workers = workers
        self.instances = instances.Instances(host, driver, volume_api, db,
                                             workers, scheduler, compute_rpc)
        self.power = power.Power(driver, db, workers)
        self.images = images.Images(db, volume_api)
        reporter = reports.Reporter(volume_api, db)
        self.creates = snapshots.SnapshotCreates(driver, db, reporter,
                                                 thaw_watch)
        self.deletes = merge.SnapshotDeletes(driver, reporter, self.creates)

    def init_host(self):
        self.driver.connect()
        for instance in self.db.instance_get_all({'host': self.host}):
            self.instances.sync_power_state(instance)
        for operation in self.db.operations_on_host(self.host):
            LOG.info('Resuming the %s of snapshot %s on instance %s',
                     operation.kind, operation.snapshot_id,
                     operation.instance_id)
            self.workers.spawn(self.deletes.resume, operation)

    def stop(self):
        self.workers.stop(wait=False)

    def capacity(self):
        """What this host offers new servers, as its heartbeat records
        it (db.service_heartbeat's ``capacity``); None when libvirt does
        not answer, so that the last values stay."""
        try:
            host = self.driver.capacity()
        except exception.HypervisorError as e:
            LOG.warning('The capacity of host %s is not known now: %s',
                        self.host, e)
            return None
        return {'vcpus': host.vcpus, 'memory_mb': host.memory_mb,
                'reserved_host_memory_mb':
                    CONF.compute.reserved_host_memory_mb,
                'cpu_allocation_ratio': CONF.compute.cpu_allocation_ratio,
                'ram_allocation_ratio': CONF.compute.ram_allocation_ratio}

    def _with_host_status(self, found):
        """Each view (of an instance or an attachment) with its host's
        state (Nova's host_status): the API answers 503 at once rather
        than call a host that is down."""
        statuses = services.host_statuses(self.db)
        for view in found:
            view['host_status'] = services.status_of(statuses, view['host'])
        return found

    # Instances (any host) ---------------------------------------------------

    def get_instance(self, ctxt, instance_id):
        (found,) = self._with_host_status(
            [views.instance(self.db.instance_get(instance_id))])
        return found

    def list_instances(self, ctxt, filters):
        allowed = {k: v for k, v in (filters or {}).items()
                   if k in ('name', 'status', 'host', 'project_id')}
        return self._with_host_status(
            [views.instance(i) for i in self.db.instance_get_all(allowed)])

    def get_project_usage(self, ctxt, project_id):
        return self.db.instance_usage(project_id)

    def list_services(self, ctxt, filters):
        return services.list_services(self.db, filters)

    def find_volume_attachment(self, ctxt, volume_id):
        attachment = self.db.attachment_get_by_volume(volume_id)
        instance = self.db.instance_get(attachment.instance_id)
        (found,) = self._with_host_status(
            [views.attachment(attachment, instance.host)])
        return found

    def create_instance(self, ctxt, name, flavor, block_devices, metadata,
                        image_id=None):
        if image_id:
            block_devices, metadata = self.images.boot_layout(
                ctxt, image_id, block_devices, metadata)
        return self.instances.create(ctxt, name, flavor, block_devices,
                                     metadata)

    # Builds (the instance's host, 1.10) --------------------------------------

    def build_instance(self, ctxt, instance_id, volumes_made):
        self.workers.spawn(self.instances.build, ctxt, instance_id,
                           volumes_made)

    # Images (any host, 1.5) ------------------------------------------------

    def create_image(self, ctxt, instance_id, name, metadata):
        return self.images.create(ctxt, instance_id, name, metadata)

    def get_image(self, ctxt, image_id):
        return self.images.get(ctxt, image_id)

    def list_images(self, ctxt):
        return self.images.list(ctxt)

    def delete_image(self, ctxt, image_id):
        self.images.delete(ctxt, image_id)

    # Instances (their host) -------------------------------------------------

    def delete_instance(self, ctxt, instance_id):
        self.instances.delete(ctxt, instance_id)

    def set_instance_metadata(self, ctxt, instance_id, metadata, replace):
        return views.instance(self.db.instance_metadata_set(
            instance_id, metadata, replace))['metadata']

    def delete_instance_metadata(self, ctxt, instance_id, key):
        self.db.instance_metadata_delete(instance_id, key)

    def attach_volume(self, ctxt, instance_id, volume_id, device):
        return self.instances.attach_volume(ctxt, instance_id, volume_id,
                                            device)

    def detach_volume(self, ctxt, instance_id, volume_id):
        self.instances.detach_volume(ctxt, instance_id, volume_id)

    # Server actions (1.3) ---------------------------------------------------

    def stop_instance(self, ctxt, instance_id):
        self.power.stop(instance_id)

    def start_instance(self, ctxt, instance_id):
        self.power.start(instance_id)

    def reboot_instance(self, ctxt, instance_id, reboot_type):
        self.power.reboot(instance_id, reboot_type)

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

    def extend_volume(self, ctxt, instance_id, volume_id, new_size):
        """The disk of an attached volume grows to ``new_size`` bytes while
        the guest runs (Nova's volume-extended event);
        InstanceInvalidState when the domain is not running (its files
        are then the volume manager's to grow)."""
        guest = self.driver.guest(instance_id)
        if not guest.is_active():
            raise exception.InstanceInvalidState(instance_id=instance_id,
                                                 state='shut off')
        disk = guest.disk_by_serial(volume_id)
        guest.resize_disk(disk.target, new_size)
        LOG.info('Instance %s: the disk %s of volume %s is %d bytes now',
                 instance_id, disk.target, volume_id, new_size)

    def forget_volume_chain(self, ctxt, instance_id, volume_id,
                            active_file=None, active_format=None):
        defined = self.driver.guest(instance_id).forget_backing_chain(
            volume_id, active_file, active_format)
        LOG.info('Instance %s will read the chain of volume %s from its '
                 'files when it starts, from %s', instance_id, volume_id,
                 defined)
        return defined

    def volume_snapshot_create(self, ctxt, instance_id, volume_id,
                               create_info):
        snapshot_id = create_info.get('snapshot_id')
        self.db.operation_begin(snapshot_id, 'create', instance_id,
                                volume_id, self.host, create_info,
                                ctxt.to_dict())
        self.workers.spawn(self.creates.run, ctxt, instance_id, volume_id,
                           create_info)

    def volume_snapshot_delete(self, ctxt, instance_id, volume_id,
                               snapshot_id, delete_info):
        self.db.operation_begin(snapshot_id, 'delete', instance_id,
                                volume_id, self.host, delete_info,
                                ctxt.to_dict())
        self.workers.spawn(self.deletes.run, ctxt, instance_id, volume_id,
                           snapshot_id, delete_info)

    def volume_snapshot_create_set(self, ctxt, instance_id,
                                   group_snapshot_id, members):
        self.db.operation_begin(group_snapshot_id, 'create-set', instance_id,
                                None, self.host, {'members': members},
                                ctxt.to_dict())
        self.workers.spawn(self.creates.run_set, ctxt, instance_id,
                           group_snapshot_id, members)
