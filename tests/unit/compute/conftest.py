"""Fixtures of the compute manager's unit tests: options through a config
fixture, a real compute database (SQLite, made by the migrations) and
stand-ins for libvirt, the volume manager, the worker pool and the other
compute managers (``FakeComputeRPC``)."""

from oslo_config import fixture as config_fixture
import pytest

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_compute import manager as manager_mod
from snapvol_compute import scheduler as scheduler_mod
from snapvol_compute.db import api as db_api
from snapvol_compute.db import migration
from snapvol_compute.virt import host as virt_host


@pytest.fixture
def conf(tmp_path):
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    fixture.config(state_path=str(tmp_path))
    fixture.config(lock_path=str(tmp_path), group='oslo_concurrency')
    yield fixture
    fixture.cleanUp()


@pytest.fixture
def db(conf, tmp_path):
    url = 'sqlite:///%s' % (tmp_path / 'compute.sqlite')
    conf.config(connection=url, group='compute')
    migration.upgrade(url)
    db_api.dispose()
    yield db_api
    db_api.dispose()


class FakeGuest:
    """A domain: running or not, and whether its OS answers a shutdown
    request (a guest without one ignores ACPI)."""

    def __init__(self, uuid, active=True, obeys_shutdown=True):
        self.uuid = uuid
        self.active = active
        self.obeys_shutdown = obeys_shutdown
        self.calls = []
        self.fail = {}

    def _call(self, name):
        self.calls.append(name)
        if name in self.fail:
            raise self.fail[name]

    def is_active(self):
        return self.active

    def shutdown(self):
        self._call('shutdown')
        if self.obeys_shutdown:
            self.active = False

    def destroy(self):
        self._call('destroy')
        self.active = False

    def start(self):
        self._call('start')
        self.active = True

    def undefine(self):
        self._call('undefine')


class FakeDriver:
    """virt.host.Host as the manager uses it."""

    def __init__(self):
        self.guests = {}
        self.created = []
        self.host_capacity = virt_host.Capacity(vcpus=4, memory_mb=8192)

    def connect(self):
        pass

    def capacity(self):
        if isinstance(self.host_capacity, Exception):
            raise self.host_capacity
        return self.host_capacity

    def guest(self, uuid):
        if uuid not in self.guests:
            raise exception.InstanceNotFound(instance_id=uuid)
        return self.guests[uuid]

    def create_guest(self, spec):
        self.created.append(spec)
        self.guests[spec.uuid] = FakeGuest(spec.uuid)
        return self.guests[spec.uuid]


class FakeVolumeAPI:
    """Records every call. Volumes made from snapshots get ids vol-1,
    vol-2...; ``statuses[volume_id]`` lists the statuses get_volume
    answers one after the other (the last one stays), 'available' when
    none is given. Snapshots named missing... are not found; volumes
    from those named refused... are refused."""

    def __init__(self):
        self.calls = []
        self.statuses = {}

    def __getattr__(self, name):
        def call(ctxt, *args, **kwargs):
            self.calls.append((name, args, kwargs))
            if name == 'initialize_connection':
                return {'driver_volume_type': 'local',
                        'data': {'export': '/srv', 'name': 'volume-%s'
                                 % args[0], 'format': 'raw'}}
            if name == 'create_volume':
                if kwargs['snapshot_id'].startswith('refused'):
                    raise exception.InvalidInput(reason='no space')
                return {'id': 'vol-%d' % len(
                    [c for c in self.calls if c[0] == name])}
            if name == 'get_snapshot':
                if args[0].startswith('missing'):
                    raise exception.SnapshotNotFound(snapshot_id=args[0])
                return {'id': args[0], 'size': 3}
            if name == 'get_volume':
                queue = self.statuses.get(args[0]) or ['available']
                status = queue.pop(0) if len(queue) > 1 else queue[0]
                return {'id': args[0], 'status': status}
        return call


class InlineWorkers:
    """Runs spawned work at once, in the caller's thread."""

    def __init__(self):
        self.spawned = []

    def spawn(self, func, *args):
        self.spawned.append(func.__name__)
        func(*args)

    def stop(self, wait):
        pass


@pytest.fixture
def driver():
    return FakeDriver()


@pytest.fixture
def volume_api():
    return FakeVolumeAPI()


@pytest.fixture
def workers():
    return InlineWorkers()


def add_instance(db, status='ACTIVE', host='node1', **values):
    values = dict({'name': 'vm', 'project_id': 'p1', 'user_id': 'u1',
                   'host': host, 'status': status, 'flavor_id': '1',
                   'vcpus': 1, 'memory_mb': 64}, **values)
    return db.instance_create(values, {}, [])


class FakeComputeRPC:
    """The compute managers' RPC as one manager sees the others: a cast
    to a host runs that host's manager (in ``managers``) at once; what it
    raises stays there (in ``errors``), as a cast's failure would."""

    def __init__(self):
        self.managers = {}
        self.casts = []
        self.errors = []

    def build_instance(self, ctxt, host, instance_id, volumes_made):
        self.casts.append(('build_instance', host, instance_id))
        try:
            self.managers[host].build_instance(ctxt, instance_id,
                                               volumes_made)
        except Exception as e:
            self.errors.append(e)


def beat(db, host='node1', capacity=None, **values):
    """A heartbeat of ``host``'s compute manager, with the capacity of a
    FakeDriver's host and the options' defaults unless given."""
    capacity = dict({'vcpus': 4, 'memory_mb': 8192,
                     'reserved_host_memory_mb': 512,
                     'cpu_allocation_ratio': 4.0,
                     'ram_allocation_ratio': 1.0}, **(capacity or {}))
    return db.service_heartbeat(host, 'snapvol-compute', 'snapvol-compute',
                                None, 'nova', values.get('run_id', 'r1'),
                                capacity=capacity)


def make_manager(db, driver, volume_api, workers, host='node1',
                 compute_rpc=None, thaw_watch=None):
    """A compute manager of ``host`` whose service is up, reachable by
    the others through ``compute_rpc``."""
    compute_rpc = compute_rpc or FakeComputeRPC()
    manager = manager_mod.ComputeManager(
        host=host, driver=driver, volume_api=volume_api, db=db,
        workers=workers, thaw_watch=thaw_watch,
        scheduler=scheduler_mod.Scheduler(db), compute_rpc=compute_rpc)
    compute_rpc.managers[host] = manager
    beat(db, host)
    return manager
