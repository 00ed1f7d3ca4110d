"""createImage in the compute manager: the group snapshot the volume
service takes, the image's layout, its status read from the set."""

import uuid

import pytest

from snapvol_api import context
from snapvol_api import exception
from snapvol_compute import images


class SetVolumeAPI:
    """The volume service's group snapshots, as the compute side sees
    them."""

    def __init__(self):
        self.sets = {}
        self.calls = []

    def create_instance_snapshot(self, ctxt, instance_id, disks, name,
                                 description):
        self.calls.append(('create', instance_id, disks, name, description))
        made = {'id': str(uuid.uuid4()), 'status': 'creating',
                'members': [{'id': str(uuid.uuid4()), 'size': 1,
                             'volume_id': d['volume_id']} for d in disks]}
        self.sets[made['id']] = made
        return made

    def get_group_snapshot(self, ctxt, group_snapshot_id):
        if group_snapshot_id not in self.sets:
            raise exception.GroupSnapshotNotFound(
                group_snapshot_id=group_snapshot_id)
        return self.sets[group_snapshot_id]

    def delete_group_snapshot(self, ctxt, group_snapshot_id):
        self.calls.append(('delete', group_snapshot_id))
        del self.sets[group_snapshot_id]


def _instance(db, status='ACTIVE'):
    return db.instance_create(
        {'name': 'vm', 'project_id': 'p1', 'user_id': 'u1', 'host': 'node1',
         'status': status, 'flavor_id': '1', 'vcpus': 1, 'memory_mb': 64},
        {}, [{'volume_id': str(uuid.uuid4()), 'device': 'vda',
              'boot_index': 0},
             {'volume_id': str(uuid.uuid4()), 'device': 'vdb',
              'boot_index': None}])


@pytest.fixture
def volumes():
    return SetVolumeAPI()


def test_an_image_is_one_set_of_every_volume(db, volumes):
    ctxt = context.get_admin_context()
    instance = _instance(db)
    made = images.Images(db, volumes).create(ctxt, instance.id, 'nightly',
                                             {'k': 'v'})
    ((_kind, instance_id, disks, name, description),) = volumes.calls
    assert (instance_id, name, description) == (instance.id, 'nightly',
                                                'snapshot for nightly')
    assert [(d['device'], d['boot_index']) for d in disks] == [
        ('vda', 0), ('vdb', None)]
    members = volumes.sets[made['group_snapshot_id']]['members']
    assert made['status'] == 'SAVING'
    assert made['properties'] == {'k': 'v'}
    assert [(d['snapshot_id'], d['device_name'], d['boot_index'],
             d['source_type']) for d in made['block_device_mapping']] == [
        (members[0]['id'], '/dev/vda', 0, 'snapshot'),
        (members[1]['id'], '/dev/vdb', None, 'snapshot')]


def test_the_status_is_the_sets_and_delete_takes_the_set(db, volumes):
    ctxt = context.get_admin_context()
    made = images.Images(db, volumes).create(ctxt, _instance(db).id, 'x',
                                             {})
    volumes.sets[made['group_snapshot_id']]['status'] = 'available'
    service = images.Images(db, volumes)
    assert service.get(ctxt, made['id'])['status'] == 'ACTIVE'
    assert [i['id'] for i in service.list(ctxt)] == [made['id']]
    service.delete(ctxt, made['id'])
    assert volumes.calls[-1] == ('delete', made['group_snapshot_id'])
    with pytest.raises(exception.ImageNotFound):
        service.get(ctxt, made['id'])


def test_no_image_of_a_server_in_build(db, volumes):
    with pytest.raises(exception.InstanceInvalidState):
        images.Images(db, volumes).create(context.get_admin_context(),
                                          _instance(db, 'BUILD').id, 'x', {})
    assert volumes.calls == []


def test_booting_from_an_image_makes_its_layout(db, volumes):
    ctxt = context.get_admin_context()
    instance = db.instance_create(
        {'name': 'vm', 'project_id': 'p1', 'user_id': 'u1', 'host': 'node1',
         'status': 'ACTIVE', 'flavor_id': '1', 'vcpus': 1, 'memory_mb': 64},
        {'kernel_id': 'vmlinuz', 'role': 'db'},
        [{'volume_id': str(uuid.uuid4()), 'device': 'vda', 'boot_index': 0},
         {'volume_id': str(uuid.uuid4()), 'device': 'vdc',
          'boot_index': None}])
    service = images.Images(db, volumes)
    made = service.create(ctxt, instance.id, 'x', {'k': 'v'})
    # Nova's image properties: what the server booted with, and the
    # request's metadata; not the server's other metadata.
    assert made['properties'] == {'kernel_id': 'vmlinuz', 'k': 'v'}
    with pytest.raises(exception.InvalidInput, match='not active'):
        service.boot_layout(ctxt, made['id'], [], {})
    volumes.sets[made['group_snapshot_id']]['status'] = 'available'
    extra = {'volume_id': 'v-more', 'boot_index': None}
    devices, metadata = service.boot_layout(ctxt, made['id'], [extra],
                                            {'kernel_id': 'other'})
    members = volumes.sets[made['group_snapshot_id']]['members']
    assert devices == [
        {'snapshot_id': members[0]['id'], 'volume_size': 1,
         'boot_index': 0, 'device': 'vda'},
        {'snapshot_id': members[1]['id'], 'volume_size': 1,
         'boot_index': None, 'device': 'vdc'},
        extra]
    assert metadata == {'kernel_id': 'other'}
    with pytest.raises(exception.InvalidInput, match='Can not find'):
        service.boot_layout(ctxt, str(uuid.uuid4()), [], {})
