"""An in-memory stand-in for the compute manager behind ``ComputeAPI``.

It keeps the manager's contract as the API sees it: plain dicts, equality
filters, oldest first, and host-targeted calls that only the instance's
host answers (another host's manager would never reply: a timeout, and
nor would a host that is down: an instance added with host_status DOWN).
"""

import copy
import datetime
import itertools
import uuid

import oslo_messaging as messaging

from snapvol_api import exception
from snapvol_api import states
from tests.unit.api import fake_services

HOST = 'node1'
LIST_FILTERS = ('name', 'status', 'host', 'project_id')
_EPOCH = datetime.datetime(2025, 1, 1)
_DEVICES = ['vd%s' % chr(c) for c in range(ord('a'), ord('z') + 1)]


class FakeComputeAPI(fake_services.FakeServices):

    def __init__(self):
        self.instances = {}
        self.images = {}
        self.calls = []
        self.last_context = None
        # Raised by the next call, to test how errors are shown.
        self.error = None
        self._clock = itertools.count()

    def _now(self):
        return (_EPOCH + datetime.timedelta(seconds=next(self._clock))
                ).isoformat()

    def _record(self, method, ctxt, **kwargs):
        self.calls.append((method, kwargs))
        self.last_context = ctxt
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def call_names(self):
        return [name for name, _kwargs in self.calls]

    def _instance(self, instance_id, host=None):
        instance = self.instances.get(instance_id)
        if instance is None:
            raise exception.InstanceNotFound(instance_id=instance_id)
        if host is not None and (host != instance['host'] or instance.get(
                'host_status') == states.HOST_DOWN):
            raise messaging.MessagingTimeout('no reply from %s' % host)
        return instance

    def add_instance(self, project_id='ops', **values):
        """An instance as if created earlier; ``values`` override."""
        instance = {
            'id': str(uuid.uuid4()), 'name': 'vm', 'project_id': project_id,
            'user_id': 'root', 'host': HOST, 'status': 'ACTIVE',
            'flavor': {'id': '1', 'vcpus': 1, 'memory_mb': 64},
            'metadata': {}, 'attachments': [], 'created_at': self._now(),
            'updated_at': None, 'fault': None,
            'host_status': states.HOST_UP,
        }
        instance.update(values)
        self.instances[instance['id']] = instance
        return copy.deepcopy(instance)

    def attach(self, instance_id, volume_id, boot_index=None):
        """Records an attachment as if made earlier."""
        attachments = self.instances[instance_id]['attachments']
        attachments.append({'volume_id': volume_id,
                            'device': _DEVICES[len(attachments)],
                            'boot_index': boot_index})

    # Images (any host) ------------------------------------------------------

    def create_image(self, ctxt, instance_id, name, metadata):
        self._record('create_image', ctxt, instance_id=instance_id,
                     name=name, metadata=metadata)
        instance = self._instance(instance_id)
        image = {
            'id': str(uuid.uuid4()), 'name': name,
            'project_id': instance['project_id'], 'user_id': 'root',
            'instance_id': instance_id,
            'group_snapshot_id': str(uuid.uuid4()), 'status': 'SAVING',
            'properties': dict(metadata),
            'block_device_mapping': [{
                'source_type': 'snapshot', 'destination_type': 'volume',
                'snapshot_id': str(uuid.uuid4()), 'volume_size': 1,
                'device_name': '/dev/' + a['device'],
                'boot_index': a['boot_index'],
                'delete_on_termination': False, 'disk_bus': 'virtio',
                'device_type': 'disk'} for a in instance['attachments']],
            'created_at': self._now()}
        self.images[image['id']] = image
        return copy.deepcopy(image)

    def _image(self, image_id):
        if image_id not in self.images:
            raise exception.ImageNotFound(image_id=image_id)
        return self.images[image_id]

    def get_image(self, ctxt, image_id):
        self._record('get_image', ctxt, image_id=image_id)
        return copy.deepcopy(self._image(image_id))

    def list_images(self, ctxt):
        self._record('list_images', ctxt)
        return copy.deepcopy(list(self.images.values()))

    def delete_image(self, ctxt, image_id):
        self._record('delete_image', ctxt, image_id=image_id)
        self._image(image_id)
        del self.images[image_id]

    # Any host ---------------------------------------------------------------

    def get_instance(self, ctxt, instance_id):
        self._record('get_instance', ctxt, instance_id=instance_id)
        return copy.deepcopy(self._instance(instance_id))

    def list_instances(self, ctxt, filters=None):
        self._record('list_instances', ctxt, filters=filters)
        filters = filters or {}
        unknown = set(filters) - set(LIST_FILTERS)
        assert not unknown, unknown
        return copy.deepcopy(sorted(
            (i for i in self.instances.values()
             if all(i[k] == v for k, v in filters.items())),
            key=lambda i: i['created_at']))

    def get_project_usage(self, ctxt, project_id):
        self._record('get_project_usage', ctxt, project_id=project_id)
        flavors = [i['flavor'] for i in self.instances.values()
                   if i['project_id'] == project_id]
        return {'instances': len(flavors),
                'cores': sum(f['vcpus'] for f in flavors),
                'ram': sum(f['memory_mb'] for f in flavors)}

    def find_volume_attachment(self, ctxt, volume_id):
        self._record('find_volume_attachment', ctxt, volume_id=volume_id)
        for instance in self.instances.values():
            for attachment in instance['attachments']:
                if attachment['volume_id'] == volume_id:
                    return {'volume_id': volume_id,
                            'instance_id': instance['id'],
                            'host': instance['host'],
                            'host_status': instance['host_status'],
                            'device': attachment['device'],
                            'boot_index': attachment['boot_index']}
        raise exception.VolumeNotAttached(volume_id=volume_id)

    def create_instance(self, ctxt, name, flavor, block_devices, metadata,
                        image_id=None):
        extra = {'image_id': image_id} if image_id else {}
        self._record('create_instance', ctxt, name=name, flavor=flavor,
                     block_devices=block_devices, metadata=metadata, **extra)
        if image_id:
            return self.add_instance(
                project_id=ctxt.project_id, user_id=ctxt.user_id, name=name,
                status='BUILD', flavor=dict(flavor), metadata=dict(metadata))
        boot = [b for b in block_devices if b['boot_index'] == 0]
        if len(boot) != 1:
            raise exception.InvalidInput(reason='one boot_index 0 please')
        ordered = boot + [b for b in block_devices if b is not boot[0]]
        instance = self.add_instance(
            project_id=ctxt.project_id, user_id=ctxt.user_id, name=name,
            status='BUILD', flavor=dict(flavor), metadata=dict(metadata))
        for block_device in ordered:
            self.attach(instance['id'], block_device.get(
                'volume_id', str(uuid.uuid4())), block_device['boot_index'])
        return copy.deepcopy(self.instances[instance['id']])

    # The instance's host ----------------------------------------------------

    def build_instance(self, ctxt, host, instance_id, volumes_made):
        # Only compute managers send it.
        raise AssertionError('the API sent build_instance')

    def delete_instance(self, ctxt, host, instance_id):
        self._record('delete_instance', ctxt, host=host,
                     instance_id=instance_id)
        self._instance(instance_id, host)
        del self.instances[instance_id]

    def set_instance_metadata(self, ctxt, host, instance_id, metadata,
                              replace=False):
        self._record('set_instance_metadata', ctxt, host=host,
                     instance_id=instance_id, metadata=metadata,
                     replace=replace)
        instance = self._instance(instance_id, host)
        if replace:
            instance['metadata'] = {}
        instance['metadata'].update(metadata)
        return dict(instance['metadata'])

    def delete_instance_metadata(self, ctxt, host, instance_id, key):
        self._record('delete_instance_metadata', ctxt, host=host,
                     instance_id=instance_id, key=key)
        instance = self._instance(instance_id, host)
        if key not in instance['metadata']:
            raise exception.MetadataKeyNotFound(key=key)
        del instance['metadata'][key]

    def attach_volume(self, ctxt, host, instance_id, volume_id, device=None):
        self._record('attach_volume', ctxt, host=host,
                     instance_id=instance_id, volume_id=volume_id,
                     device=device)
        instance = self._instance(instance_id, host)
        used = {a['device'] for a in instance['attachments']}
        if device:
            device = device.rsplit('/', 1)[-1]
            if device in used:
                raise exception.InvalidInput(reason='device in use')
        else:
            device = next(d for d in _DEVICES if d not in used)
        instance['attachments'].append(
            {'volume_id': volume_id, 'device': device, 'boot_index': None})
        return {'volume_id': volume_id, 'instance_id': instance_id,
                'host': host, 'device': device}

    def detach_volume(self, ctxt, host, instance_id, volume_id):
        self._record('detach_volume', ctxt, host=host,
                     instance_id=instance_id, volume_id=volume_id)
        instance = self._instance(instance_id, host)
        kept = [a for a in instance['attachments']
                if a['volume_id'] != volume_id]
        if len(kept) == len(instance['attachments']):
            raise exception.VolumeNotAttached(volume_id=volume_id)
        instance['attachments'] = kept

    # Server actions take effect at once here; the manager's statuses in
    # between (REBOOT, HARD_REBOOT) are set with add_instance(status=...).

    def _act(self, action, instance, allowed, outcome):
        if instance['status'] not in allowed:
            # Nova names the vm_state when it is wrong, else the task.
            vm_state, task_state, _power = states.INSTANCE_NOVA_STATES[
                instance['status']]
            busy = task_state and vm_state in {
                states.INSTANCE_NOVA_STATES[s][0] for s in allowed}
            raise exception.InstanceActionConflict(
                action=action, instance_id=instance['id'],
                attr='task_state' if busy else 'vm_state',
                state=task_state if busy else vm_state)
        instance['status'] = outcome

    def stop_instance(self, ctxt, host, instance_id):
        self._record('stop_instance', ctxt, host=host,
                     instance_id=instance_id)
        self._act('stop', self._instance(instance_id, host),
                  (states.ACTIVE, states.INSTANCE_ERROR), states.SHUTOFF)

    def start_instance(self, ctxt, host, instance_id):
        self._record('start_instance', ctxt, host=host,
                     instance_id=instance_id)
        self._act('start', self._instance(instance_id, host),
                  (states.SHUTOFF,), states.ACTIVE)

    def reboot_instance(self, ctxt, host, instance_id, reboot_type):
        self._record('reboot_instance', ctxt, host=host,
                     instance_id=instance_id, reboot_type=reboot_type)
        allowed = (states.ACTIVE,) if reboot_type == 'SOFT' else (
            states.ACTIVE, states.SHUTOFF, states.INSTANCE_ERROR)
        self._act('reboot', self._instance(instance_id, host), allowed,
                  states.ACTIVE)

    def get_volume_chain(self, ctxt, host, instance_id, volume_id):
        self._record('get_volume_chain', ctxt, host=host,
                     instance_id=instance_id, volume_id=volume_id)
        self._instance(instance_id, host)
        return [{'name': 'volume-%s' % volume_id, 'format': 'raw'}]

    def extend_volume(self, ctxt, host, instance_id, volume_id, new_size):
        self._record('extend_volume', ctxt, host=host,
                     instance_id=instance_id, volume_id=volume_id,
                     new_size=new_size)
        self._instance(instance_id, host)

    def forget_volume_chain(self, ctxt, host, instance_id, volume_id,
                            active_file=None, active_format=None):
        self._record('forget_volume_chain', ctxt, host=host,
                     instance_id=instance_id, volume_id=volume_id,
                     active_file=active_file, active_format=active_format)
        self._instance(instance_id, host)
        return active_file

    def volume_snapshot_create(self, ctxt, host, instance_id, volume_id,
                               create_info):
        self._record('volume_snapshot_create', ctxt, host=host,
                     instance_id=instance_id, volume_id=volume_id,
                     create_info=create_info)
        self._instance(instance_id, host)

    def volume_snapshot_create_set(self, ctxt, host, instance_id,
                                   group_snapshot_id, members):
        self._record('volume_snapshot_create_set', ctxt, host=host,
                     instance_id=instance_id,
                     group_snapshot_id=group_snapshot_id, members=members)
        self._instance(instance_id, host)

    def volume_snapshot_delete(self, ctxt, host, instance_id, volume_id,
                               snapshot_id, delete_info):
        self._record('volume_snapshot_delete', ctxt, host=host,
                     instance_id=instance_id, volume_id=volume_id,
                     snapshot_id=snapshot_id, delete_info=delete_info)
        self._instance(instance_id, host)
