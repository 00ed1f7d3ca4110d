"""Images of volume-backed servers (Nova's createImage, seed 002): one
group snapshot of every volume of the server, taken by the volume service
in one transaction, and the layout to boot them in again.

An image holds no file: its status is its group snapshot's, read when the
image is read, so nothing has to follow the snapshot's progress.
"""

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api import states
from snapvol_compute import views

LOG = logging.getLogger(__name__)

# Server metadata an image carries to the servers booted from it: what
# Nova keeps as image properties (the kernel to boot, the agent's
# declaration).
BOOT_PROPERTIES = ('kernel_id', 'ramdisk_id', 'os_command_line',
                   'hw_qemu_guest_agent')


def _under_boot_properties(properties, metadata):
    """``metadata`` over the boot properties among ``properties``."""
    merged = {k: v for k, v in properties.items() if k in BOOT_PROPERTIES}
    merged.update(metadata or {})
    return merged


# Nova's image statuses, by the group snapshot's.
IMAGE_STATUSES = {
    states.CREATING: 'SAVING',
    states.AVAILABLE: 'ACTIVE',
    states.ERROR: 'ERROR',
    states.DELETING: 'DELETED',
    states.ERROR_DELETING: 'ERROR',
}


class Images:

    def __init__(self, db, volume_api):
        self._db = db
        self._volume_api = volume_api

    def create(self, ctxt, instance_id, name, metadata):
        instance = self._db.instance_get(instance_id)
        if instance.status not in (states.ACTIVE, states.SHUTOFF):
            raise exception.InstanceInvalidState(instance_id=instance_id,
                                                 state=instance.status)
        disks = [{'volume_id': a.volume_id, 'device': a.device,
                  'boot_index': a.boot_index} for a in instance.attachments]
        group_snapshot = self._volume_api.create_instance_snapshot(
            ctxt, instance_id, disks, name, 'snapshot for %s' % name)
        members = {m['volume_id']: m for m in group_snapshot['members']}
        mapping = [{
            'source_type': 'snapshot', 'destination_type': 'volume',
            'snapshot_id': members[d['volume_id']]['id'],
            'volume_size': members[d['volume_id']]['size'],
            'device_name': '/dev/%s' % d['device'],
            'boot_index': d['boot_index'], 'delete_on_termination': False,
            'disk_bus': 'virtio', 'device_type': 'disk'} for d in disks]
        properties = _under_boot_properties(
            {m.key: m.value for m in instance.metadata_items}, metadata)
        image = self._db.image_create(
            {'name': name, 'project_id': instance.project_id,
             'user_id': ctxt.user_id, 'instance_id': instance_id,
             'group_snapshot_id': group_snapshot['id']},
            properties, mapping)
        LOG.info('Image %s of instance %s: group snapshot %s of %d '
                 'volume(s)', image.id, instance_id, group_snapshot['id'],
                 len(disks))
        return views.image(image, IMAGE_STATUSES[group_snapshot['status']])

    def _status(self, ctxt, image):
        try:
            group_snapshot = self._volume_api.get_group_snapshot(
                ctxt, image.group_snapshot_id)
        except exception.GroupSnapshotNotFound:
            return 'DELETED'
        return IMAGE_STATUSES.get(group_snapshot['status'], 'UNKNOWN')

    def get(self, ctxt, image_id):
        image = self._db.image_get(image_id)
        return views.image(image, self._status(ctxt, image))

    def list(self, ctxt):
        return [views.image(i, self._status(ctxt, i))
                for i in self._db.image_get_all()]

    def boot_layout(self, ctxt, image_id, block_devices, metadata):
        """(block_devices, metadata) of a server booted from the image:
        one volume per member, made from its snapshot, on the member's
        device and boot index, then the request's own volumes; the
        image's boot properties under the request's metadata."""
        try:
            image = self._db.image_get(image_id)
        except exception.ImageNotFound:
            raise exception.InvalidInput(
                reason='Can not find requested image %s' % image_id)
        status = self._status(ctxt, image)
        if status != 'ACTIVE':
            raise exception.InvalidInput(
                reason='Image %s is not active (%s).' % (image_id, status))
        view = views.image(image, status)
        members = [{'snapshot_id': m['snapshot_id'],
                    'volume_size': m['volume_size'],
                    'boot_index': m['boot_index'],
                    'device': m['device_name'].rsplit('/', 1)[-1]}
                   for m in view['block_device_mapping']]
        properties = _under_boot_properties(view['properties'], metadata)
        LOG.info('Booting from image %s: %d volume(s) from the snapshots '
                 'of group snapshot %s', image_id, len(members),
                 image.group_snapshot_id)
        return members + list(block_devices or []), properties

    def delete(self, ctxt, image_id):
        """Deletes the image's snapshots (refused while a volume is being
        made from one of them), then the image."""
        image = self._db.image_get(image_id)
        snapshot_ids = [m['snapshot_id'] for m in views.image(
            image, None)['block_device_mapping']]
        try:
            self._volume_api.delete_group_snapshot(ctxt,
                                                   image.group_snapshot_id)
        except exception.GroupSnapshotNotFound:
            LOG.info('Image %s: its group snapshot %s is gone already',
                     image.id, image.group_snapshot_id)
        self._db.image_destroy(image.id)
        LOG.info('Deleted image %s and its snapshots %s', image.id,
                 ', '.join(snapshot_ids))
