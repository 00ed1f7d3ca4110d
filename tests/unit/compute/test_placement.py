"""Several compute hosts on one compute database (SQLite here): a create
taken by any manager is placed by the scheduler and built by the manager
of the chosen host; a server no host can take is ERROR with Nova's fault;
instances carry their host's state; two creates placed at once count each
other; and a deployment that can have one compute host refuses a second."""

import datetime
import threading

import pytest
import sqlalchemy as sa

from snapvol_api import context
from snapvol_api import exception
from snapvol_api import states
from snapvol_compute import services
from snapvol_compute.db import models
from snapvol_compute.virt import host as virt_host
from tests.unit import dbtools
from tests.unit.compute.conftest import FakeComputeRPC
from tests.unit.compute.conftest import FakeDriver
from tests.unit.compute.conftest import add_instance
from tests.unit.compute.conftest import beat
from tests.unit.compute.conftest import make_manager

TINY = {'id': '1', 'vcpus': 1, 'memory_mb': 64}
CTXT = context.RequestContext(project_id='p1', user_id='u1')
NO_HOST = 'No valid host was found. There are not enough hosts available.'


class Hosts:
    """Compute managers of several hosts, each with its own libvirt
    stand-in, reaching each other through one FakeComputeRPC."""

    def __init__(self, db, volume_api, workers, names):
        self.db = db
        self.rpc = FakeComputeRPC()
        self.drivers = {name: FakeDriver() for name in names}
        self.managers = {name: make_manager(
            db, self.drivers[name], volume_api, workers, host=name,
            compute_rpc=self.rpc) for name in names}

    def create(self, via, flavor=TINY, block_devices=None):
        return self.managers[via].create_instance(
            CTXT, 'vm', flavor,
            block_devices or [{'volume_id': 'v1', 'boot_index': 0}], {})

    def built_on(self):
        return {name: [spec.uuid for spec in driver.created]
                for name, driver in self.drivers.items()}


def _last_seen(db, host, seconds_ago):
    moment = models.utcnow() - datetime.timedelta(seconds=seconds_ago)
    with db._session() as session:
        session.execute(sa.update(models.Service).where(
            models.Service.host == host).values(updated_at=moment))


@pytest.fixture
def hosts(db, volume_api, workers, conf):
    conf.config(service_down_time=60)
    return Hosts(db, volume_api, workers, ['node1', 'node2'])


def test_a_create_taken_by_any_manager_is_built_on_the_chosen_host(
        hosts, db):
    beat(db, 'node2', capacity={'memory_mb': 16384})
    created = hosts.create(via='node1')
    assert (created['host'], created['status']) == ('node2', states.BUILD)
    assert hosts.rpc.casts == [('build_instance', 'node2', created['id'])]
    assert hosts.built_on() == {'node1': [], 'node2': [created['id']]}
    assert db.instance_get(created['id']).status == states.ACTIVE


def test_servers_spread_by_free_memory(hosts, db):
    # node2 has 1024 MiB more: sixteen 64 MiB servers go there before
    # node1 has as much free, then the first by name.
    beat(db, 'node1', capacity={'vcpus': 8})
    beat(db, 'node2', capacity={'vcpus': 8, 'memory_mb': 8192 + 1024})
    placed = [hosts.create(via='node1')['host'] for _ in range(18)]
    assert placed == ['node2'] * 16 + ['node1', 'node2']
    assert db.host_usage() == {
        'node1': {'instances': 1, 'vcpus': 1, 'memory_mb': 64},
        'node2': {'instances': 17, 'vcpus': 17, 'memory_mb': 17 * 64}}


def test_a_build_sent_to_another_host_is_not_built(hosts, db):
    instance = add_instance(db, status=states.BUILD, host='node2')
    hosts.managers['node1'].build_instance(CTXT, instance.id, [])
    assert hosts.built_on() == {'node1': [], 'node2': []}
    assert db.instance_get(instance.id).status == states.BUILD


def test_no_host_with_room_is_error_with_novas_fault(hosts, db,
                                                     volume_api):
    _last_seen(db, 'node2', 61)
    huge = {'id': '9', 'vcpus': 1, 'memory_mb': 8192}
    created = hosts.create(via='node2', flavor=huge, block_devices=[
        {'snapshot_id': 's-root', 'volume_size': 1, 'boot_index': 0}])
    assert (created['status'], created['host'], created['fault']) == (
        states.INSTANCE_ERROR, None, NO_HOST)
    assert created['attachments'] == []
    # Nothing was made for it, nor sent anywhere.
    assert 'create_volume' not in [c[0] for c in volume_api.calls]
    assert hosts.rpc.casts == []
    # It counts for its project until it is deleted, which needs no host.
    assert db.instance_usage('p1')['instances'] == 1
    hosts.managers['node1'].delete_instance(CTXT, created['id'])
    assert db.instance_get_all() == []


def test_placed_again_while_holding_the_hosts(hosts, db, volume_api):
    """The check before the volumes are made holds nothing: a host that
    filled up meanwhile is seen when the instance is recorded, and the
    volumes made for it are given back."""
    real = hosts.managers['node1'].instances._scheduler

    class FillsUp:
        def check(self, flavor):
            real.check(flavor)
            beat(db, 'node1', capacity={'vcpus': 0})
            beat(db, 'node2', capacity={'vcpus': 0})

        def placer(self, flavor):
            return real.placer(flavor)
    hosts.managers['node1'].instances._scheduler = FillsUp()
    created = hosts.create(via='node1', block_devices=[
        {'snapshot_id': 's-root', 'volume_size': 1, 'boot_index': 0}])
    assert (created['status'], created['fault']) == (
        states.INSTANCE_ERROR, NO_HOST)
    assert [c[0] for c in volume_api.calls] == [
        'get_snapshot', 'create_volume', 'delete_volume']


def test_instances_and_attachments_carry_their_hosts_state(hosts, db):
    on_node2 = add_instance(db, host='node2')
    db.attachment_create(on_node2.id, 'v7', 'vdb', {})
    unplaced = add_instance(db, host=None, status=states.INSTANCE_ERROR)
    gone = add_instance(db, host='node9')
    manager = hosts.managers['node1']

    def statuses():
        return {i['id']: i['host_status']
                for i in manager.list_instances(CTXT, {})}
    assert statuses() == {on_node2.id: states.HOST_UP, unplaced.id: '',
                          gone.id: states.HOST_UNKNOWN}
    _last_seen(db, 'node2', 61)
    assert manager.get_instance(CTXT, on_node2.id)['host_status'] == \
        states.HOST_DOWN
    attachment = manager.find_volume_attachment(CTXT, 'v7')
    assert (attachment['host'], attachment['host_status']) == (
        'node2', states.HOST_DOWN)
    with db._session() as session:
        session.execute(sa.update(models.Service).where(
            models.Service.host == 'node2').values(
                disabled=True, updated_at=models.utcnow()))
    assert statuses()[on_node2.id] == states.HOST_MAINTENANCE


def test_the_heartbeat_records_the_hosts_capacity(hosts, db, conf):
    conf.config(cpu_allocation_ratio=2.0, ram_allocation_ratio=1.5,
                reserved_host_memory_mb=1024, group='compute')
    manager = hosts.managers['node1']
    hosts.drivers['node1'].host_capacity = virt_host.Capacity(
        vcpus=8, memory_mb=32768)
    beat_of = services.heartbeat(db, 'node1', services.MANAGER_BINARY, 'r2',
                                 capacity=manager.capacity)
    beat_of._beat()
    row = db.service_get('node1', services.MANAGER_BINARY)
    assert (row.vcpus, row.memory_mb, row.reserved_host_memory_mb,
            row.cpu_allocation_ratio, row.ram_allocation_ratio) == (
        8, 32768, 1024, 2.0, 1.5)
    # libvirt gone: the beat still counts, and the capacity stays.
    hosts.drivers['node1'].host_capacity = exception.HypervisorUnavailable(
        uri='qemu:///system', reason='down')
    beat_of._beat()
    row = db.service_get('node1', services.MANAGER_BINARY)
    assert (row.report_count, row.vcpus, row.memory_mb) == (3, 8, 32768)


def test_two_creates_placed_at_once_count_each_other(hosts, db, conf):
    """Room for one server on all hosts: of two creates whose placement
    overlaps, one gets it and the other finds no host, because the second
    waits for the first to be recorded."""
    beat(db, 'node1', capacity={'vcpus': 1, 'cpu_allocation_ratio': 1.0})
    beat(db, 'node2', capacity={'vcpus': 0})
    outcomes = {}
    second = threading.Thread(target=lambda: outcomes.update(
        second=hosts.create(via='node2')))
    real = hosts.managers['node1'].instances._scheduler

    class Overlapped:
        def check(self, flavor):
            return real.check(flavor)

        def placer(self, flavor):
            def place(rows, usage):
                with dbtools.started_elsewhere('UPDATE compute_services') \
                        as started:
                    second.start()
                    assert started.wait(10)
                # Had it not to wait, it would be recorded by now.
                second.join(0.3)
                return real.placer(flavor)(rows, usage)
            return place
    hosts.managers['node1'].instances._scheduler = Overlapped()
    outcomes['first'] = hosts.create(via='node1')
    second.join(30)
    assert outcomes['first']['status'] == states.BUILD
    assert (outcomes['second']['status'], outcomes['second']['fault']) == (
        states.INSTANCE_ERROR, NO_HOST)


@pytest.mark.parametrize('database, transport, refused', [
    ('sqlite:////srv/compute.sqlite', 'rabbit://h/', 'SQLite'),
    ('postgresql://h/compute', 'fake:', 'fake: driver'),
    ('postgresql://h/compute', 'rabbit://h/', None),
])
def test_a_second_host_is_refused_where_there_can_be_one(
        db, conf, database, transport, refused):
    conf.config(service_down_time=60)
    reason = services.single_host_reason(database, transport)
    beat(db, 'node1')
    beat(db, 'node3')
    _last_seen(db, 'node3', 61)
    # Its own row (a restart) and a host that is down are no obstacle.
    services.refuse_other_hosts(db, 'node1', reason)
    if refused is None:
        assert reason is None
        services.refuse_other_hosts(db, 'node2', reason)
        return
    with pytest.raises(exception.ConfigInvalid) as info:
        services.refuse_other_hosts(db, 'node2', reason)
    assert 'compute manager of node1 is up' in str(info.value)
    assert refused in str(info.value)
