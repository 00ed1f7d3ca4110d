"""The real clients against snapvol-all: the ``openstack`` CLI
(python-openstackclient, mostly openstacksdk underneath) and the
``cinder`` CLI (python-cinderclient) run as subprocesses under both auth
strategies, and tempest's volume clients check the real service's bodies
against tempest's response schemas (tests/tempest_clients.py).

Each CLI start costs seconds: one snapvol-all per auth strategy serves
the whole module, and each test runs its commands in sequence. The CLIs
are the virtualenv's (harness.console_script), never whatever PATH finds,
and no OS_* variable of the caller's reaches them.

How each CLI authenticates without Keystone (README, "The openstack and
cinder CLIs"):

- openstack, http_basic: OS_AUTH_TYPE=http_basic, OS_ENDPOINT (the
  project's URL), OS_USERNAME, OS_PASSWORD.
- openstack, noauth: OS_AUTH_TYPE=admin_token, OS_TOKEN=user:project,
  OS_ENDPOINT. (cinderclient's ``noauth`` plugin breaks openstacksdk: it
  never calls its base class's __init__.)
- cinder, http_basic: ``--os-auth-type http_basic`` on the command line
  (OS_AUTH_TYPE=http_basic makes the CLI exit at once: "argument
  --os-endpoint: conflicting option string"), ``--os-endpoint`` (the
  project's URL), ``--os-username``, ``--os-password``, and
  ``--os-project-id``, which the CLI insists on.
- cinder, noauth: ``--os-auth-type noauth --os-user-id U --os-project-id
  P --os-endpoint http://host:port/v3``: URLs without a project (3.67).
"""

import json
import os
from pathlib import Path
import subprocess
import uuid

from cinderclient import exceptions as cinder_exceptions
import pytest

from snapvol_api.rest.volume import versions
from tests import imagedata
from tests.tempest_clients import Clients
from tests.tempest_clients import basic_auth_headers
from tests.tempest_clients import microversion
from tests.tempest_clients import noauth_headers

from . import harness

MAX = str(versions.MAX_VERSION)
CLI_TIMEOUT = 120
KiB = 1024
STACKS = []


@pytest.fixture(autouse=True)
def _logs_on_failure(request):
    # conftest adds these stacks' logs to a failed test's report.
    request.node._snapvol_services = STACKS


def _stack(tmp_path_factory, auth_strategy):
    mount_dir = harness.new_mount_dir(f'clients-{auth_strategy}')
    svc = harness.ServiceProcesses(
        tmp_path_factory.mktemp(f'clients-{auth_strategy}'),
        database_url=None, transport_url=None,
        control_exchange=f'snapvol-clients-{uuid.uuid4().hex[:8]}',
        mount_dir=mount_dir / 'mnt',
        extra_config={'DEFAULT': {'auth_strategy': auth_strategy}})
    STACKS.append(svc)
    try:
        svc.start()
        yield svc
    finally:
        STACKS.remove(svc)
        crashed = svc.close(graceful=False)
        harness.remove_mount_dir(mount_dir)
        assert not crashed, f'{crashed} died:\n{svc.logs()}'


@pytest.fixture(scope='module')
def basic_stack(tmp_path_factory):
    """snapvol-all, embedded, auth_strategy http_basic."""
    yield from _stack(tmp_path_factory, 'http_basic')


@pytest.fixture(scope='module')
def noauth_stack(tmp_path_factory):
    """snapvol-all, embedded, auth_strategy noauth."""
    yield from _stack(tmp_path_factory, 'noauth')


# --- running the CLIs -------------------------------------------------------

def _clean_environ():
    """The caller's environment without its OpenStack credentials and
    clouds (OS_CLOUD would pick a clouds.yaml entry)."""
    return {key: value for key, value in os.environ.items()
            if not key.startswith(('OS_', 'CINDER_'))}


class CLI:
    """One CLI of the virtualenv with fixed arguments and environment
    (one user's credentials)."""

    def __init__(self, name, cwd, args=(), env=None, label=''):
        self.path = harness.console_script(name)
        self.label = label
        self.cwd = cwd
        self.args = list(args)
        self.env = dict(_clean_environ(), **(env or {}))

    def run(self, *args, check=True):
        proc = subprocess.run(
            [str(self.path), *self.args, *map(str, args)], cwd=self.cwd,
            env=self.env, capture_output=True, text=True,
            timeout=CLI_TIMEOUT, stdin=subprocess.DEVNULL, check=False)
        # The commands and their outcomes, for a report (pytest -rP).
        print(f'[{self.label}] {self.path.name} '
              f'{" ".join(map(str, args))} -> exit {proc.returncode}')
        if check and proc.returncode != 0:
            raise AssertionError(
                f'{self.path.name} {" ".join(map(str, args))} exited '
                f'{proc.returncode}:\n{proc.stdout}{proc.stderr}')
        return proc

    def json(self, *args):
        """``openstack ARGS -f json``, parsed."""
        return json.loads(self.run(*args, '-f', 'json').stdout)

    def table(self, *args):
        """The rows of the table a cinder command prints, as dicts."""
        return parse_table(self.run(*args).stdout)

    def properties(self, *args):
        """A cinder ``show`` table (Property | Value) as one dict."""
        return {row['Property']: row['Value'] for row in self.table(*args)}


def parse_table(text):
    """prettytable's output: the header row names the columns."""
    rows = [[cell.strip() for cell in line.strip().strip('|').split('|')]
            for line in text.splitlines() if line.startswith('|')]
    if not rows:
        return []
    header, *body = rows
    return [dict(zip(header, row)) for row in body]


def openstack_basic(svc, user, cwd, **extra_env):
    u = svc.user(user)
    return CLI('openstack', cwd, label=f'http_basic {user}', env={
        'OS_AUTH_TYPE': 'http_basic',
        'OS_ENDPOINT': f'{svc.url}/v3/{u.project}',
        'OS_USERNAME': u.name, 'OS_PASSWORD': u.password, **extra_env})


def openstack_noauth(svc, user, cwd, endpoint=None):
    u = svc.user(user)
    endpoint = endpoint or f'{svc.url}/v3/{u.project}'
    return CLI('openstack', cwd, label=f'noauth {user} {endpoint}', env={
        'OS_AUTH_TYPE': 'admin_token',
        'OS_TOKEN': f'{u.name}:{u.project}',
        'OS_ENDPOINT': endpoint})


def cinder_basic(svc, user, cwd):
    u = svc.user(user)
    return CLI('cinder', cwd, label=f'http_basic {user}', args=[
        '--os-auth-type', 'http_basic',
        '--os-endpoint', f'{svc.url}/v3/{u.project}',
        '--os-username', u.name, '--os-password', u.password,
        '--os-project-id', u.project])


def cinder_noauth(svc, user, cwd):
    u = svc.user(user)
    return CLI('cinder', cwd, label=f'noauth {user}', args=[
        '--os-auth-type', 'noauth', '--os-user-id', u.name,
        '--os-project-id', u.project, '--os-endpoint', f'{svc.url}/v3'])


# --- the service's side -----------------------------------------------------

class State:
    """What the service holds, read with python-cinderclient (no CLI
    start per poll) and from the share's files."""

    def __init__(self, svc, cinder):
        self.svc = svc
        self.cinder = cinder

    def volume(self, volume_id, status='available'):
        return harness.wait_for_status(
            lambda: self.cinder.volumes.get(volume_id), status)

    def snapshot(self, snapshot_id, status='available'):
        return harness.wait_for_status(
            lambda: self.cinder.volume_snapshots.get(snapshot_id), status)

    def volume_gone(self, volume_id):
        harness.wait_for(
            lambda: not self.svc.query(
                'SELECT id FROM volumes WHERE id = :id AND NOT deleted',
                id=volume_id), 120, what=f'volume {volume_id} to go')

    def snapshot_gone(self, snapshot_id):
        harness.wait_snapshot_deleted(self.cinder, snapshot_id,
                                      details=self.svc.logs)

    def active_file(self, volume_id):
        """(path, format) of the volume's active file on the share."""
        share = Path(self.svc.local_share)
        info = json.loads((share / f'volume-{volume_id}.info').read_text())
        name = info['active']
        return (str(share / name),
                'raw' if name == f'volume-{volume_id}' else 'qcow2')

    def write(self, volume_id, pattern):
        imagedata.write_pattern(*self.active_file(volume_id), pattern, 0,
                                64 * KiB)

    def holds(self, volume_id, pattern):
        return imagedata.has_pattern(*self.active_file(volume_id), pattern,
                                     0, 64 * KiB)


# --- the openstack CLI ------------------------------------------------------

def test_openstack_cli_http_basic(basic_stack, tmp_path):
    svc = basic_stack
    alice = openstack_basic(svc, 'alice', tmp_path)
    admin = openstack_basic(svc, 'admin', tmp_path)
    bob = openstack_basic(svc, 'bob', tmp_path)
    state = State(svc, svc.client('alice', version=MAX))

    created = alice.json('volume', 'create', '--size', 1, 'osc-vol')
    volume_id = created['id']
    assert (created['name'], created['size']) == ('osc-vol', 1)
    state.volume(volume_id)
    listed = {v['ID']: v for v in alice.json('volume', 'list')}
    assert listed[volume_id]['Name'] == 'osc-vol'
    shown = alice.json('volume', 'show', volume_id)
    assert (shown['status'], shown['size']) == ('available', 1)
    state.write(volume_id, 0x11)

    # os-extend: the active file grows.
    alice.run('volume', 'set', '--size', 2, volume_id)
    assert state.volume(volume_id).size == 2
    path, _format = state.active_file(volume_id)
    assert os.path.getsize(path) == 2 * imagedata.GiB
    assert alice.json('volume', 'show', volume_id)['size'] == 2

    snapshot = alice.json('volume', 'snapshot', 'create', '--volume',
                          volume_id, 'osc-snap')
    snapshot_id = snapshot['id']
    state.snapshot(snapshot_id)
    assert snapshot_id in {s['ID'] for s in alice.json('volume', 'snapshot',
                                                       'list')}
    shown = alice.json('volume', 'snapshot', 'show', snapshot_id)
    assert (shown['volume_id'], shown['size']) == (volume_id, 2)

    # revert (3.40): the data written after the snapshot is gone.
    state.write(volume_id, 0x22)
    alice.run('volume', 'revert', snapshot_id)
    state.volume(volume_id)
    assert state.holds(volume_id, 0x11)

    # openstacksdk's snapshot reset_status (at 3.65), for administrators.
    admin.run('volume', 'snapshot', 'set', '--state', 'error', snapshot_id)
    assert state.snapshot(snapshot_id, 'error').status == 'error'
    admin.run('volume', 'snapshot', 'set', '--state', 'available',
              snapshot_id)
    state.snapshot(snapshot_id)
    refused = alice.run('volume', 'snapshot', 'set', '--state', 'error',
                        snapshot_id, check=False)
    assert refused.returncode != 0
    assert state.snapshot(snapshot_id).status == 'available'

    types = alice.json('volume', 'type', 'list')
    assert created['type'] in {t['Name'] for t in types}
    zones = alice.json('availability', 'zone', 'list', '--volume')
    assert zones == [{'Zone Name': 'nova', 'Zone Status': 'available'}]

    alice.run('volume', 'snapshot', 'delete', snapshot_id)
    state.snapshot_gone(snapshot_id)

    offer = alice.json('volume', 'transfer', 'request', 'create', volume_id)
    assert offer['volume_id'] == volume_id and offer['auth_key']
    listed = alice.json('volume', 'transfer', 'request', 'list')
    assert offer['id'] in {t['ID'] for t in listed}
    bob.json('volume', 'transfer', 'request', 'accept', '--auth-key',
             offer['auth_key'], offer['id'])
    assert svc.query('SELECT project_id FROM volumes WHERE id = :id',
                     id=volume_id) == [('proj-b',)]
    assert volume_id in {v['ID'] for v in bob.json('volume', 'list')}
    assert volume_id not in {v['ID'] for v in alice.json('volume', 'list')}

    # With an in-use volume, volume list asks the compute API for server
    # names: without its endpoint, openstacksdk has no compute proxy and
    # the command fails; with it, a member's 403 is shrugged off.
    admin_cinder = svc.client('admin', version=MAX)
    admin_cinder.volumes.reset_state(volume_id, 'in-use')
    bob_with_compute = openstack_basic(
        svc, 'bob', tmp_path,
        OS_COMPUTE_ENDPOINT_OVERRIDE=f'{svc.compute_url}/v2.1')
    listed = {v['ID']: v for v in bob_with_compute.json('volume', 'list')}
    assert listed[volume_id]['Status'] == 'in-use'
    admin_cinder.volumes.reset_state(volume_id, 'available')

    bob.run('volume', 'delete', volume_id)
    state.volume_gone(volume_id)
    assert volume_id not in {v['ID'] for v in bob.json('volume', 'list')}


def test_openstack_limits_show(basic_stack, tmp_path):
    # openstack limits show asks both APIs: the volume API's limits and
    # the compute API's (GET /v2.1/limits, which members may read).
    svc = basic_stack
    compute = {'OS_COMPUTE_ENDPOINT_OVERRIDE': f'{svc.compute_url}/v2.1'}
    alice = openstack_basic(svc, 'alice', tmp_path, **compute)
    admin = openstack_basic(svc, 'admin', tmp_path, **compute)

    def absolute(cli):
        # Named as openstacksdk's attributes (maxTotalInstances is
        # "instances").
        limits = {row['Name']: row['Value']
                  for row in cli.json('limits', 'show', '--absolute')}
        return (limits['max_total_volumes'], limits['instances'],
                limits['instances_used'], limits['total_cores_used'],
                limits['total_ram_used'])

    # A server of the admin's project (m1.medium: 2 vCPUs, 1024 MiB),
    # counted by the compute manager for that project only, whether it
    # boots or not (QEMU may not open this stack's share): as Nova, every
    # server not deleted counts.
    cinder = svc.client('admin', version=MAX)
    nova = svc.nova('admin')
    boot = cinder.volumes.create(1, name='limits-boot')
    harness.wait_for_status(lambda: cinder.volumes.get(boot.id),
                            'available')
    server = nova.servers.create(
        'limits', image=None, flavor='3', block_device_mapping_v2=[{
            'uuid': boot.id, 'source_type': 'volume',
            'destination_type': 'volume', 'boot_index': 0}])
    try:
        harness.wait_for(
            lambda: nova.servers.get(server.id).status != 'BUILD', 120,
            what='server built or failed')
        assert absolute(admin) == (10, 10, 1, 2, 1024)
        assert absolute(alice) == (10, 10, 0, 0, 0)
    finally:
        nova.servers.delete(server.id)
        harness.wait_for(
            lambda: server.id not in {s.id for s in nova.servers.list()},
            60, what='server deleted')
    assert absolute(admin)[2:] == (0, 0, 0)
    harness.wait_for_status(lambda: cinder.volumes.get(boot.id),
                            'available')
    cinder.volumes.delete(boot.id)


def test_openstack_service_lists(basic_stack, tmp_path):
    # Every process of snapvol-all heartbeats: both service lists show it
    # up, to administrators only.
    svc = basic_stack
    compute = {'OS_COMPUTE_ENDPOINT_OVERRIDE': f'{svc.compute_url}/v2.1'}
    admin = openstack_basic(svc, 'admin', tmp_path, **compute)
    volume = {(r['Binary'], r['State'], r['Zone'])
              for r in admin.json('volume', 'service', 'list')}
    assert volume == {('snapvol-volume', 'up', 'nova'),
                      ('snapvol-volume-api', 'up', 'nova')}
    compute_services = {(r['Binary'], r['State'], r['Zone'])
                        for r in admin.json('compute', 'service', 'list')}
    assert compute_services == {('snapvol-compute', 'up', 'nova'),
                                ('snapvol-compute-api', 'up', 'internal')}
    alice = openstack_basic(svc, 'alice', tmp_path)
    assert alice.run('volume', 'service', 'list',
                     check=False).returncode != 0


def test_openstack_cli_noauth(noauth_stack, tmp_path):
    svc = noauth_stack
    # With the project in the URL, and without (3.67).
    alice = openstack_noauth(svc, 'alice', tmp_path)
    bare = openstack_noauth(svc, 'alice', tmp_path,
                            endpoint=f'{svc.url}/v3')
    state = State(svc, _noauth_cinder(svc, 'alice'))

    volume_id = alice.json('volume', 'create', '--size', 1, 'na-vol')['id']
    state.volume(volume_id)
    assert volume_id in {v['ID'] for v in bare.json('volume', 'list')}
    assert bare.json('volume', 'show', volume_id)['name'] == 'na-vol'
    bare.run('volume', 'set', '--size', 2, volume_id)
    assert state.volume(volume_id).size == 2
    snapshot_id = bare.json('volume', 'snapshot', 'create', '--volume',
                            volume_id, 'na-snap')['id']
    state.snapshot(snapshot_id)
    assert snapshot_id in {s['ID'] for s in alice.json('volume', 'snapshot',
                                                       'list')}
    # The cinder CLI shows a snapshot's progress (openstack volume
    # snapshot show leaves it out).
    cinder = cinder_noauth(svc, 'alice', tmp_path)
    assert cinder.properties('snapshot-show', snapshot_id)[
        'os-extended-snapshot-attributes:progress'] == '100%'
    # 1 GiB written since: its delete commits it for seconds, and the
    # snapshot's progress follows the merge (read through the API as
    # often as cinderclient can).
    imagedata.write_pattern(*state.active_file(volume_id), 0x5e, 0,
                            imagedata.GiB)
    alice.run('volume', 'snapshot', 'delete', snapshot_id)
    seen = []

    def gone():
        try:
            seen.append(state.cinder.volume_snapshots.get(snapshot_id)
                        .to_dict()['os-extended-snapshot-attributes:progress'])
        except cinder_exceptions.NotFound:
            return True
        return False
    harness.wait_for(gone, 300, interval=0, what='the merge to end')
    state.snapshot_gone(snapshot_id)
    percents = [int(p.rstrip('%')) for p in seen]
    assert any(0 < p < 100 for p in percents), sorted(set(seen))
    # From the merge's first record on, it only grows.
    merging = percents[next(i for i, p in enumerate(percents) if p < 100):]
    assert merging == sorted(merging), seen
    assert state.holds(volume_id, 0x5e)
    alice.run('volume', 'delete', volume_id)
    state.volume_gone(volume_id)


# --- the cinder CLI ---------------------------------------------------------

def test_cinder_cli_noauth(noauth_stack, tmp_path):
    svc = noauth_stack
    alice = cinder_noauth(svc, 'alice', tmp_path)
    admin = cinder_noauth(svc, 'admin', tmp_path)
    bob = cinder_noauth(svc, 'bob', tmp_path)
    state = State(svc, _noauth_cinder(svc, 'alice'))

    volume_id = alice.properties('create', '--name', 'cli-vol', 1)['id']
    state.volume(volume_id)
    (row,) = [r for r in alice.table('list') if r['ID'] == volume_id]
    assert (row['Name'], row['Size']) == ('cli-vol', '1')
    assert alice.properties('show', volume_id)['size'] == '1'
    state.write(volume_id, 0x11)
    alice.run('extend', volume_id, 2)
    assert state.volume(volume_id).size == 2

    snapshot_id = alice.properties('snapshot-create', '--name', 'cli-snap',
                                   volume_id)['id']
    state.snapshot(snapshot_id)
    assert snapshot_id in {r['ID'] for r in alice.table('snapshot-list')}
    assert alice.properties('snapshot-show', snapshot_id)['volume_id'] == \
        volume_id
    state.write(volume_id, 0x22)
    alice.run('revert-to-snapshot', snapshot_id)
    state.volume(volume_id)
    assert state.holds(volume_id, 0x11)

    limits = {r['Name']: r['Value'] for r in alice.table('absolute-limits')}
    assert limits['maxTotalVolumes'] == '10'
    assert int(limits['totalGigabytesUsed']) >= 4   # 2 GiB and its snapshot
    quota = alice.table('quota-show', svc.user('alice').project)
    assert {r['Property']: r['Value'] for r in quota}['volumes'] == '10'
    assert '__DEFAULT__' in {r['Name'] for r in alice.table('type-list')}
    assert alice.table('availability-zone-list') == [
        {'Name': 'nova', 'Status': 'available'}]

    # Members may not force; administrators may, on any project's.
    assert alice.run('snapshot-delete', '--force', snapshot_id,
                     check=False).returncode != 0
    admin.run('snapshot-delete', '--force', snapshot_id)
    state.snapshot_gone(snapshot_id)
    admin.run('reset-state', '--state', 'error', volume_id)
    assert state.volume(volume_id, 'error').status == 'error'
    assert alice.run('force-delete', volume_id, check=False).returncode != 0
    admin.run('force-delete', volume_id)
    state.volume_gone(volume_id)

    # A transfer to bob, and bob's delete.
    volume_id = alice.properties('create', 1)['id']
    state.volume(volume_id)
    offer = alice.properties('transfer-create', volume_id)
    assert offer['id'] in {r['ID'] for r in alice.table('transfer-list')}
    bob.run('transfer-accept', offer['id'], offer['auth_key'])
    assert volume_id in {r['ID'] for r in bob.table('list')}
    bob.run('delete', volume_id)
    state.volume_gone(volume_id)


def test_cinder_cli_http_basic(basic_stack, tmp_path):
    svc = basic_stack
    alice = cinder_basic(svc, 'alice', tmp_path)
    admin = cinder_basic(svc, 'admin', tmp_path)
    state = State(svc, svc.client('alice', version=MAX))

    volume_id = alice.properties('create', '--name', 'basic-vol', 1)['id']
    state.volume(volume_id)
    assert volume_id in {r['ID'] for r in alice.table('list')}
    snapshot_id = alice.properties('snapshot-create', volume_id)['id']
    state.snapshot(snapshot_id)
    admin.run('snapshot-delete', '--force', snapshot_id)
    state.snapshot_gone(snapshot_id)
    admin.run('force-delete', volume_id)
    state.volume_gone(volume_id)
    assert volume_id not in {r['ID'] for r in alice.table('list')}


def _noauth_cinder(svc, user):
    from tests.functional.test_embedded import NoAuthClients
    return NoAuthClients(svc).client(user, version=MAX)


# --- tempest's response schemas ---------------------------------------------

def _tempest_calls(tempest, admin, cinder, project, version):
    """The calls whose bodies tempest checks; python-cinderclient
    (``cinder``) waits for the statuses."""
    state = State(None, cinder)
    # The version reaches the volumes, transfers and versions clients;
    # tempest's snapshots, limits, quotas and types clients speak 3.0.
    with microversion(version):
        volume_id = tempest.volumes.create_volume(
            size=1, name='t-vol', metadata={'k': 'v'})['volume']['id']
        state.volume(volume_id)
        volume = cinder.volumes.get(volume_id)
        # tempest's update schema stops at 3.62 (unit/api/
        # test_tempest_schemas.py).
        if version is None:
            tempest.volumes.update_volume(volume.id, description='d')
        tempest.volumes.set_bootable_volume(volume.id, bootable=False)
        snapshot_id = tempest.snapshots.create_snapshot(
            volume_id=volume.id, name='t-snap')['snapshot']['id']
        snapshot = state.snapshot(snapshot_id)
        tempest.snapshots.update_snapshot(snapshot.id, description='d')
        assert tempest.volumes.show_volume(volume.id)['volume']['size'] == 1
        tempest.volumes.list_volumes()
        tempest.volumes.list_volumes(detail=True)
        admin.volumes.list_volumes(detail=True, params={'all_tenants': 1})
        tempest.volumes.show_volume_metadata(volume.id)
        if version is not None:
            tempest.volumes.show_volume_summary()
        tempest.snapshots.show_snapshot(snapshot.id)
        tempest.snapshots.list_snapshots()
        tempest.snapshots.list_snapshots(detail=True)
        absolute = tempest.limits.show_limits()['limits']['absolute']
        assert absolute['totalVolumesUsed'] >= 1
        tempest.quotas.show_quota_set(project)
        tempest.quotas.show_quota_set(project, params={'usage': True})
        tempest.quotas.show_default_quota_set(project)
        (volume_type,) = tempest.types.list_volume_types()['volume_types']
        tempest.types.show_volume_type(volume_type['id'])
        tempest.extensions.list_extensions()
        tempest.versions.list_versions()
        tempest.versions.show_version('v3')
        tempest.snapshots.delete_snapshot(snapshot.id)
        harness.wait_snapshot_deleted(cinder, snapshot.id)
        # The URLs of 3.55 (/volume-transfers) where the version has them.
        transfers = (tempest.transfers_v355 if version is not None
                     else tempest.transfers)
        transfer = transfers.create_volume_transfer(
            volume_id=volume.id)['transfer']
        transfers.show_volume_transfer(transfer['id'])
        transfers.list_volume_transfers(detail=True)
        transfers.delete_volume_transfer(transfer['id'])
        State(None, cinder).volume(volume.id)
        tempest.volumes.delete_volume(volume.id)


@pytest.mark.parametrize('version', [None, '3.55', MAX])
def test_tempest_schemas_http_basic(basic_stack, version):
    svc = basic_stack
    alice, admin = svc.user('alice'), svc.user('admin')
    _tempest_calls(
        Clients(f'{svc.url}/v3/{alice.project}',
                basic_auth_headers(alice.name, alice.password)),
        Clients(f'{svc.url}/v3/{admin.project}',
                basic_auth_headers(admin.name, admin.password)),
        svc.client('alice', version=MAX), alice.project, version)


def test_tempest_schemas_noauth(noauth_stack):
    svc = noauth_stack
    alice, admin = svc.user('alice'), svc.user('admin')
    _tempest_calls(
        Clients(f'{svc.url}/v3/{alice.project}',
                noauth_headers(alice.name, alice.project)),
        Clients(f'{svc.url}/v3/{admin.project}',
                noauth_headers(admin.name, admin.project)),
        _noauth_cinder(svc, 'alice'), alice.project, MAX)


def test_tempest_schemas_messages(basic_stack):
    svc = basic_stack
    alice = svc.user('alice')
    cinder = svc.client('alice', version=MAX)
    state = State(svc, cinder)
    volume = cinder.volumes.create(1, name='to-fail')
    state.volume(volume.id)
    # The extend's worker finds no file to grow: a failure, and a message.
    os.unlink(state.active_file(volume.id)[0])
    extend_request = cinder.volumes.extend(volume, 2).request_ids[0]
    state.volume(volume.id, 'error_extending')
    tempest = Clients(f'{svc.url}/v3/{alice.project}',
                      basic_auth_headers(alice.name, alice.password))
    with microversion(MAX):
        # The worker records the message just after the status, as
        # Cinder's do: a client that saw the status may wait a moment.
        raw = harness.wait_for(
            lambda: svc.http('alice').get('messages', headers={
                'OpenStack-API-Version': f'volume {MAX}'}).json()['messages'],
            60, what='the failed extend\'s user message')
        assert [m['resource_uuid'] for m in raw] == [volume.id]
        (message,) = tempest.messages.list_messages()['messages']
        tempest.messages.show_message(message['id'])
    # The message names the request whose work failed, as Cinder's do.
    assert message['request_id'] == extend_request


# --- backups of snapshots ---------------------------------------------------

def test_backups_of_a_snapshot_with_both_clis(basic_stack, tmp_path):
    """openstack and cinder back up a snapshot's point in time (the second
    incrementally), restore each into a new volume, and the restored
    volumes hold the snapshot's data byte for byte, not the volume's
    data written since."""
    svc = basic_stack
    alice = openstack_basic(svc, 'alice', tmp_path)
    cinder_cli = cinder_basic(svc, 'alice', tmp_path)
    cinder = svc.client('alice', version=MAX)
    state = State(svc, cinder)
    MiB = imagedata.MiB

    volume_id = alice.json('volume', 'create', '--size', 1, 'bk-vol')['id']
    state.volume(volume_id)
    model = imagedata.ImageModel(tmp_path / 'model.raw', imagedata.GiB)
    model.write_image(*state.active_file(volume_id), 0x41, 0, 64 * KiB)
    model.write_image(*state.active_file(volume_id), 0x42, 512 * MiB + 3072,
                      MiB)
    snapshot_id = alice.json('volume', 'snapshot', 'create', '--volume',
                             volume_id, 'bk-snap')['id']
    state.snapshot(snapshot_id)
    state.write(volume_id, 0x43)         # after the snapshot

    def backup(backup_id, status='available'):
        return harness.wait_for_status(lambda: cinder.backups.get(backup_id),
                                       status)

    full_id = alice.json('volume', 'backup', 'create', '--snapshot',
                         snapshot_id, '--name', 'osc-backup',
                         volume_id)['id']
    full = backup(full_id)
    shown = alice.json('volume', 'backup', 'show', full_id)
    assert (shown['volume_id'], shown['snapshot_id'], shown['size'],
            shown['is_incremental']) == (volume_id, snapshot_id, 1, False)
    state.snapshot(snapshot_id)          # available again

    created = cinder_cli.properties('backup-create', '--snapshot-id',
                                    snapshot_id, '--incremental', '--name',
                                    'cli-backup', volume_id)
    incremental = backup(created['id'])
    assert incremental.is_incremental and incremental.object_count == 0
    assert backup(full_id).has_dependent_backups

    restored = alice.json('volume', 'backup', 'restore', full_id,
                          'restored-osc')
    by_cli = cinder_cli.properties('backup-restore', '--name',
                                   'restored-cli', created['id'])
    for restored_id in (restored['volume_id'], by_cli['volume_id']):
        state.volume(restored_id)
        model.assert_matches(*state.active_file(restored_id))
    backup(full_id)
    backup(created['id'])
    assert {b['ID'] for b in alice.json('volume', 'backup', 'list')} == {
        full_id, created['id']}

    cinder_cli.run('backup-delete', created['id'])
    harness.wait_for(lambda: created['id'] not in {
        b.id for b in cinder.backups.list()}, 120, what='backup deleted')
    alice.run('volume', 'backup', 'delete', full.id)
    harness.wait_for(lambda: not cinder.backups.list(), 120,
                     what='backups deleted')
    for restored_id in (restored['volume_id'], by_cli['volume_id']):
        alice.run('volume', 'delete', restored_id)
        state.volume_gone(restored_id)
    alice.run('volume', 'snapshot', 'delete', snapshot_id)
    state.snapshot_gone(snapshot_id)
    alice.run('volume', 'delete', volume_id)
    state.volume_gone(volume_id)
