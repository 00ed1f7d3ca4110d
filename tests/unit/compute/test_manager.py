"""The compute manager built from stand-ins (no patching): instance
lifecycle statuses through guarded transitions, and what its RPC methods
hand to their jobs."""

import pytest

from snapvol_api import context
from snapvol_api import exception
from snapvol_api import states
from tests.unit.compute.conftest import FakeComputeRPC
from tests.unit.compute.conftest import FakeGuest
from tests.unit.compute.conftest import add_instance
from tests.unit.compute.conftest import make_manager

FLAVOR = {'id': '1', 'vcpus': 1, 'memory_mb': 64}


class Watch:
    def start(self, guest):
        pass


@pytest.fixture
def compute_rpc():
    return FakeComputeRPC()


@pytest.fixture
def manager(db, driver, volume_api, workers, compute_rpc):
    return make_manager(db, driver, volume_api, workers,
                        compute_rpc=compute_rpc, thaw_watch=Watch())


@pytest.fixture
def ctxt():
    return context.RequestContext(project_id='p1', user_id='u1')


def _create(manager, ctxt):
    return manager.create_instance(
        ctxt, 'vm', FLAVOR, [{'volume_id': 'v1', 'boot_index': 0}], {})


def test_create_builds_then_active(manager, ctxt, driver, volume_api):
    created = _create(manager, ctxt)
    assert created['status'] == states.BUILD
    assert manager.get_instance(ctxt, created['id'])['status'] == \
        states.ACTIVE
    (spec,) = driver.created
    assert [d.serial for d in spec.disks] == ['v1']
    assert [c[0] for c in volume_api.calls] == ['attach_volume',
                                                'initialize_connection']


def test_a_failed_build_is_error(manager, ctxt, driver, compute_rpc):
    def refuse(spec):
        raise exception.HypervisorError(reason='no memory')
    driver.create_guest = refuse
    assert _create(manager, ctxt)['status'] == states.BUILD
    assert [type(e) for e in compute_rpc.errors] == [
        exception.HypervisorError]
    (instance,) = manager.list_instances(ctxt, {})
    assert instance['status'] == states.INSTANCE_ERROR
    assert 'no memory' in instance['fault']


def _from_snapshots(manager, ctxt, conf, volume_api, statuses):
    conf.config(block_device_allocate_retries=3,
                block_device_allocate_retries_interval=0, group='compute')
    volume_api.statuses.update(statuses)
    return manager.create_instance(ctxt, 'vm', FLAVOR, [
        {'snapshot_id': 's-data', 'volume_size': None, 'boot_index': None,
         'device': 'vdc'},
        {'snapshot_id': 's-root', 'volume_size': 5, 'boot_index': 0,
         'device': 'vda'},
        {'volume_id': 'v-old', 'boot_index': None}], {})


def test_a_build_from_snapshots_waits_for_its_volumes(manager, ctxt, conf,
                                                      driver, volume_api):
    created = _from_snapshots(manager, ctxt, conf, volume_api, {
        'vol-1': ['creating', 'creating', 'available'],
        'vol-2': ['creating', 'available']})
    made = [c for c in volume_api.calls if c[0] == 'create_volume']
    # The boot volume first, with its own size; the data one takes its
    # snapshot's.
    assert [(c[1][0], c[2]['snapshot_id']) for c in made] == [
        (5, 's-root'), (3, 's-data')]
    instance = manager.get_instance(ctxt, created['id'])
    assert instance['status'] == states.ACTIVE
    assert sorted((a['device'], a['volume_id'], a['boot_index'])
                  for a in instance['attachments']) == [
        ('vda', 'vol-1', 0), ('vdb', 'v-old', None), ('vdc', 'vol-2', None)]
    polled = [c[1][0] for c in volume_api.calls if c[0] == 'get_volume']
    assert polled == ['vol-1', 'vol-2', 'vol-1', 'vol-2', 'vol-1']
    (spec,) = driver.created
    assert sorted((d.target, d.serial) for d in spec.disks) == [
        ('vda', 'vol-1'), ('vdb', 'v-old'), ('vdc', 'vol-2')]


@pytest.mark.parametrize('statuses, fault', [
    ({'vol-2': ['creating', 'error']}, 'vol-2 did not finish being '
     'created after 2 checks; its status is error'),
    ({'vol-1': ['creating']}, 'vol-1 did not finish being created after '
     '4 checks; its status is creating'),
])
def test_a_volume_that_never_comes_fails_the_build(
        manager, ctxt, conf, driver, volume_api, compute_rpc, statuses,
        fault):
    _from_snapshots(manager, ctxt, conf, volume_api, statuses)
    assert [type(e) for e in compute_rpc.errors] == [
        exception.VolumeNotCreated]
    (instance,) = manager.list_instances(ctxt, {})
    assert instance['status'] == states.INSTANCE_ERROR
    assert fault in instance['fault']
    assert driver.created == []
    # As Nova: the volumes stay the user's (delete_on_termination false).
    assert 'delete_volume' not in [c[0] for c in volume_api.calls]


def test_a_refused_create_deletes_the_volumes_it_made(manager, ctxt,
                                                      volume_api):
    with pytest.raises(exception.InvalidInput):
        manager.create_instance(ctxt, 'vm', FLAVOR, [
            {'snapshot_id': 's-root', 'volume_size': 1, 'boot_index': 0},
            {'snapshot_id': 's-data', 'volume_size': 1, 'boot_index': None,
             'device': 'sda'}], {})
    with pytest.raises(exception.InvalidInput):
        manager.create_instance(ctxt, 'vm', FLAVOR, [
            {'snapshot_id': 's-root', 'volume_size': 1, 'boot_index': 0},
            {'volume_id': 'v-old', 'boot_index': 0}], {})
    assert volume_api.calls == []
    # Every snapshot is looked up before any volume is made.
    with pytest.raises(exception.InvalidInput, match='missing'):
        manager.create_instance(ctxt, 'vm', FLAVOR, [
            {'snapshot_id': 's-root', 'volume_size': 1, 'boot_index': 0},
            {'snapshot_id': 'missing', 'volume_size': None,
             'boot_index': None}], {})
    assert 'create_volume' not in [c[0] for c in volume_api.calls]
    del volume_api.calls[:]
    with pytest.raises(exception.InvalidInput, match='no space'):
        manager.create_instance(ctxt, 'vm', FLAVOR, [
            {'snapshot_id': 's-root', 'volume_size': 1, 'boot_index': 0},
            {'snapshot_id': 'refused', 'volume_size': None,
             'boot_index': None}], {})
    assert [(c[0], c[1][0]) for c in volume_api.calls] == [
        ('get_snapshot', 's-root'), ('get_snapshot', 'refused'),
        ('create_volume', 1), ('create_volume', 3),
        ('delete_volume', 'vol-1')]
    assert manager.list_instances(ctxt, {}) == []


def test_a_build_deleted_meanwhile_stays_deleted(manager, ctxt, driver, db):
    created = []

    def create_guest(spec):
        created.append(spec)
        db.instance_destroy(spec.uuid)
    driver.create_guest = create_guest
    _create(manager, ctxt)
    assert created and manager.list_instances(ctxt, {}) == []


def test_power_actions_through_the_rpc_methods(manager, ctxt, db, driver):
    instance = add_instance(db)
    driver.guests[instance.id] = FakeGuest(instance.id)
    manager.stop_instance(ctxt, instance.id)
    assert db.instance_get(instance.id).status == states.SHUTOFF
    with pytest.raises(exception.InstanceActionConflict):
        manager.stop_instance(ctxt, instance.id)
    manager.start_instance(ctxt, instance.id)
    manager.reboot_instance(ctxt, instance.id, 'HARD')
    assert db.instance_get(instance.id).status == states.ACTIVE
    assert driver.guests[instance.id].calls == [
        'shutdown', 'start', 'destroy', 'start']


@pytest.mark.parametrize('recorded, active, found', [
    (states.ACTIVE, False, states.SHUTOFF),
    (states.SHUTOFF, True, states.ACTIVE),
    (states.REBOOT, True, states.ACTIVE),
    (states.HARD_REBOOT, False, states.SHUTOFF),
    (states.INSTANCE_ERROR, True, states.ACTIVE),
    (states.BUILD, True, states.BUILD),
    (states.ACTIVE, None, states.INSTANCE_ERROR),
])
def test_init_host_syncs_power_states(manager, db, driver, recorded,
                                      active, found):
    instance = add_instance(db, status=recorded)
    add_instance(db, status=states.ACTIVE, host='node2')
    if active is not None:
        driver.guests[instance.id] = FakeGuest(instance.id, active=active)
    manager.init_host()
    assert db.instance_get(instance.id).status == found


def test_delete_from_any_status(manager, ctxt, db, driver, volume_api):
    for status in (states.REBOOT, states.SHUTOFF, states.INSTANCE_ERROR):
        instance = db.instance_create(
            {'name': 'vm', 'host': 'node1', 'status': status,
             'flavor_id': '1', 'vcpus': 1, 'memory_mb': 64}, {},
            [{'volume_id': 'v-' + status, 'device': 'vda',
              'boot_index': 0}])
        driver.guests[instance.id] = FakeGuest(instance.id)
        manager.delete_instance(ctxt, instance.id)
        with pytest.raises(exception.InstanceNotFound):
            db.instance_get(instance.id)
        assert driver.guests[instance.id].calls == ['destroy', 'undefine']
    assert [c[0] for c in volume_api.calls] == ['detach_volume'] * 3


class OffGuest(FakeGuest):
    """A shut-off domain: only its definition has disks."""

    def __init__(self, uuid):
        super().__init__(uuid, active=False)
        self.detached = []

    def detach_disk(self, target):
        self.detached.append(target)

    def disks(self):
        raise AssertionError('a shut-off domain has no live disks')


def test_detach_from_a_stopped_instance(manager, ctxt, db, driver,
                                        volume_api):
    instance = add_instance(db, status=states.SHUTOFF)
    db.attachment_create(instance.id, 'v2', 'vdb', {})
    driver.guests[instance.id] = guest = OffGuest(instance.id)
    manager.detach_volume(ctxt, instance.id, 'v2')
    assert guest.detached == ['vdb']
    with pytest.raises(exception.VolumeNotAttached):
        db.attachment_get_by_volume('v2')
    assert volume_api.calls == [('detach_volume', ('v2', instance.id), {})]


def test_a_stopped_instance_has_no_live_chain(manager, ctxt, db, driver):
    instance = add_instance(db, status=states.SHUTOFF)
    driver.guests[instance.id] = FakeGuest(instance.id, active=False)
    with pytest.raises(exception.InstanceInvalidState):
        manager.get_volume_chain(ctxt, instance.id, 'v1')


class DiskGuest(FakeGuest):
    """A running domain with one disk per volume, that records resizes."""

    def __init__(self, uuid, active=True):
        super().__init__(uuid, active)
        self.resized = []

    def disk_by_serial(self, serial):
        if serial != 'v1':
            raise exception.DiskNotFound(instance_id=self.uuid,
                                         volume_id=serial)
        return type('Disk', (), {'target': 'vdb', 'serial': serial})()

    def resize_disk(self, target, size_bytes):
        self.resized.append((target, size_bytes))


def test_extend_resizes_the_disk_of_a_running_guest(manager, ctxt, db,
                                                    driver):
    instance = add_instance(db)
    driver.guests[instance.id] = guest = DiskGuest(instance.id)
    manager.extend_volume(ctxt, instance.id, 'v1', 2 * 1024 ** 3)
    assert guest.resized == [('vdb', 2 * 1024 ** 3)]
    with pytest.raises(exception.DiskNotFound):
        manager.extend_volume(ctxt, instance.id, 'v9', 1)
    guest.active = False
    with pytest.raises(exception.InstanceInvalidState):
        manager.extend_volume(ctxt, instance.id, 'v1', 3 * 1024 ** 3)
    assert guest.resized == [('vdb', 2 * 1024 ** 3)]
