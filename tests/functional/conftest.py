"""Fixtures of the functional tests: real snapvol processes against real
PostgreSQL, RabbitMQ and GlusterFS, as prepared by ``tools/testbed``.

A test asks for what it needs::

    def test_create_volume(services):        # snapvol-all, local share
        cinder = services.client('alice')
        vol = cinder.volumes.create(1)
        wait_for_status(lambda: cinder.volumes.get(vol.id), 'available')

    def test_on_gluster(service_factory, gluster_share):
        svc = service_factory(mode='split', shares=[gluster_share])
        ...
        svc.kill('snapvol-volume')      # SIGKILL: a crash
        svc.restart('snapvol-volume')   # and recovery

Each service stack gets its own PostgreSQL database (a copy of one db sync
made), RabbitMQ vhost, work directory (config, logs) and mount directory;
all are removed afterwards (the vhosts at the end of the session).
When a test fails, the tails of the stack's logs are added to its report;
a process that died by itself during a test makes the test error.

Without CI set, a missing component skips the tests that need it; with CI
set, it fails them.

tools/run-tests runs these tests in parallel processes (pytest-xdist), and
other runs may share the machine: nothing here is shared between test
processes. Each has its own SESSION_ID (database, vhost and exchange
names), reserves its ports (harness.free_port), names its mount
directories and domains with its pid, and its sweeps of stale mounts,
ports and domains touch only those whose process is gone; GlusterFS
files are removed by their volume ids. A new test file needs nothing
special; one whose tests must run in one process, in order, is listed in
ONE_WORKER_FILES (tests/conftest.py).
"""

import os
from pathlib import Path
import shutil
import socket
import tempfile
import uuid

import pytest
import requests

from . import harness

SESSION_ID = uuid.uuid4().hex[:8]
HERE = Path(__file__).parent


def pytest_configure(config):
    # What killed runs left behind, and only theirs: every test process
    # (each pytest-xdist worker, each run on this machine) names what it
    # owns with its pid, and leaves alone what a living process owns.
    try:
        harness.sweep_stale_mounts()
    except OSError:
        pass  # not root: the tests that mount will say so
    harness.sweep_stale_ports()


def pytest_unconfigure(config):
    harness.release_ports()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.functional)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and report.when in ('setup', 'call'):
        for svc in getattr(item, '_snapvol_services', ()):
            report.sections.append(
                (f'snapvol logs of {svc.workdir}', svc.logs()))


@pytest.fixture
def share_dir():
    """A directory for volume files that QEMU (running as libvirt-qemu)
    can reach: not under pytest's 0700 temporary directories."""
    path = tempfile.mkdtemp(prefix='snapvol-test-', dir='/var/tmp')
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


# --- GlusterFS --------------------------------------------------------------

@pytest.fixture(scope='session')
def gluster_share():
    """The share line of the test volume, ``glusterfs:HOST:/VOLNAME``, from
    SNAPVOL_TEST_GLUSTER=HOST:/VOLNAME (default: this machine's
    snapvol-gv0). Checked to answer and, when local, to be Started."""
    host, volume = harness.gluster_spec()
    try:
        socket.create_connection((host, 24007), timeout=5).close()
    except OSError as exc:
        harness.unavailable(f'glusterd on {host}:24007 does not answer: '
                            f'{exc}')
    if shutil.which('gluster') and host in (socket.gethostname(),
                                             'localhost', '127.0.0.1'):
        proc = harness.run(['gluster', '--mode=script', 'volume', 'info',
                            volume], check=False, timeout=60)
        if 'Status: Started' not in proc.stdout:
            harness.unavailable(f'GlusterFS volume {volume} is not Started: '
                                f'{proc.stdout}{proc.stderr}')
    return f'glusterfs:{host}:/{volume}'


@pytest.fixture(scope='session')
def gluster_mount(gluster_share):
    """A FUSE mount of the test volume for the session (a Path): to look at
    the files the services write there, and to clean up."""
    spec = gluster_share.split(':', 1)[1]
    mount_dir = harness.new_mount_dir(f'gluster-{SESSION_ID}')
    point = mount_dir / 'mnt'
    point.mkdir()
    # No caches: QEMU writes these files over libgfapi, another client.
    proc = harness.run(['mount', '-t', 'glusterfs', '-o',
                        'direct-io-mode=enable,attribute-timeout=0,'
                        'entry-timeout=0,negative-timeout=0', spec, point],
                       check=False, timeout=60)
    if proc.returncode != 0:
        harness.remove_mount_dir(mount_dir)
        harness.unavailable(f'mount -t glusterfs {spec} failed: '
                            f'{proc.stdout}{proc.stderr}')
    yield point
    harness.remove_mount_dir(mount_dir)


# --- NFS --------------------------------------------------------------------

DEFAULT_NFS_SPEC = '127.0.0.1:/snapvol/nfs1'


def nfs_spec():
    """HOST:/EXPORT from SNAPVOL_TEST_NFS (default: the test bed's ganesha)."""
    return os.environ.get('SNAPVOL_TEST_NFS') or DEFAULT_NFS_SPEC


@pytest.fixture(scope='session')
def nfs_share():
    """The share line of the test export, ``nfs:HOST:/EXPORT``, checked to
    answer NFSv3 (tools/testbed serves it with nfs-ganesha)."""
    spec = nfs_spec()
    host, export = spec.rsplit(':', 1)
    host = host.strip('[]')
    try:
        socket.create_connection((host, 2049), timeout=5).close()
    except OSError as exc:
        harness.unavailable(f'no NFS server on {host}:2049: {exc}')
    try:
        import nfs_rs
        client = nfs_rs.Client.connect(f'nfs://{host}{export}',
                                       versions=['3'], connect_timeout=10,
                                       operation_timeout=10)
        client.fs_stat()
        client.close()
    except Exception as exc:
        harness.unavailable(f'NFSv3 export {spec} does not answer: {exc}')
    return f'nfs:{spec}'


# --- PostgreSQL and RabbitMQ ------------------------------------------------

@pytest.fixture(scope='session')
def pg_databases():
    """Factory of throw-away PostgreSQL databases (``.create()`` returns a
    SQLAlchemy URL); whatever is left is dropped at the end."""
    try:
        harness._pg_connect().close()
    except Exception as exc:
        harness.unavailable(f'PostgreSQL on {harness.PG_HOST}:5432 refuses '
                            f'user {harness.PG_ADMIN_USER}: {exc}')
    dbs = harness.PostgresDatabases(f'snapvol_func_{SESSION_ID}')
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope='session')
def pg_url(pg_databases):
    """SQLAlchemy URL of a fresh database for the whole session,
    ``postgresql+psycopg2://postgres@127.0.0.1/snapvol_func_<id>_0``."""
    return pg_databases.create()


@pytest.fixture(scope='session')
def volume_schema(pg_databases, tmp_path_factory):
    """URL of a database that ``snapvol-manage db sync`` made, for this
    test process: the stacks of service_factory get copies of it
    (CREATE DATABASE ... TEMPLATE, a fraction of a second) instead of a
    db sync each (a process and a dozen migrations: seconds)."""
    url = pg_databases.create()
    config = tmp_path_factory.mktemp('volume-schema') / 'snapvol.conf'
    config.write_text(f'[database]\nconnection = {url}\n')
    harness.run([harness.console_script('snapvol-manage'), '--config-file',
                 config, 'db', 'sync'], timeout=300)
    return url


@pytest.fixture(scope='session')
def rabbit_vhosts():
    """Factory of throw-away RabbitMQ vhosts (``.create()`` returns a
    transport_url); whatever is left is deleted at the end."""
    if not shutil.which('rabbitmqctl'):
        harness.unavailable('rabbitmqctl not found')
    try:
        socket.create_connection((harness.RABBIT_HOST, harness.RABBIT_PORT),
                                 timeout=5).close()
    except OSError as exc:
        harness.unavailable(f'RabbitMQ on {harness.RABBIT_HOST}:'
                            f'{harness.RABBIT_PORT} does not answer: {exc}')
    vhosts = harness.RabbitVhosts(f'snapvol-func-{SESSION_ID}')
    yield vhosts
    vhosts.delete_all()


@pytest.fixture(scope='session')
def rabbit_url(rabbit_vhosts):
    """transport_url of a vhost of this session,
    ``rabbit://guest:guest@127.0.0.1:5672/snapvol-func-<id>-0``. Use it
    with ``control_exchange``."""
    return rabbit_vhosts.create()


@pytest.fixture(scope='session')
def control_exchange():
    """A control_exchange unique to this test session."""
    return f'snapvol-func-{SESSION_ID}'


# --- etcd -------------------------------------------------------------------

ETCD_ENDPOINT = '127.0.0.1:2379'


@pytest.fixture(scope='session')
def etcd_url():
    """The tooz URL of the test bed's etcd, ``etcd3+http://127.0.0.1:2379``,
    checked to answer healthy. Tests share it: name keys uniquely."""
    try:
        health = requests.get(f'http://{ETCD_ENDPOINT}/health',
                              timeout=5).json()
    except (requests.RequestException, ValueError) as exc:
        harness.unavailable(f'etcd on {ETCD_ENDPOINT} does not answer: '
                            f'{exc}')
    if health.get('health') != 'true':
        harness.unavailable(f'etcd on {ETCD_ENDPOINT} is not healthy: '
                            f'{health}')
    return f'etcd3+http://{ETCD_ENDPOINT}'


# --- services ---------------------------------------------------------------

@pytest.fixture
def service_factory(request, tmp_path, pg_databases, rabbit_vhosts,
                    control_exchange):
    """``make(mode='all'|'split', shares=None, start=True, embedded=False,
    **kwargs)`` returns a started :class:`harness.ServiceProcesses`;
    ``embedded`` runs snapvol-all with its own defaults (SQLite, in-process
    messaging) instead of PostgreSQL and RabbitMQ (kwargs: host,
    extra_config={'section': {'opt': value}}, users). ``shares`` are share
    lines (default: one local share in the work directory)."""
    made = []
    request.node._snapvol_services = made

    def make(mode='all', shares=None, start=True, embedded=False,
             **kwargs):
        if embedded and mode != 'all':
            raise ValueError('only snapvol-all has embedded defaults')
        mount_dir = harness.new_mount_dir(f'svc-{SESSION_ID}')
        database_url = None
        if not embedded:
            database_url = pg_databases.create(
                template=request.getfixturevalue('volume_schema'))
        svc = harness.ServiceProcesses(
            tmp_path / f'svc{len(made)}',
            database_url=database_url, database_synced=not embedded,
            transport_url=None if embedded else rabbit_vhosts.create(),
            control_exchange=control_exchange,
            mount_dir=mount_dir / 'mnt', shares=shares, mode=mode, **kwargs)
        svc.owned_mount_dir = mount_dir
        # Fetched now: fixtures cannot be set up during teardown.
        svc.gluster_root = (request.getfixturevalue('gluster_mount')
                            if any(s.startswith('glusterfs:')
                                   for s in svc.shares) else None)
        made.append(svc)
        if start:
            svc.start()
        return svc

    yield make

    problems = []
    for svc in made:
        try:
            crashed = svc.close(graceful=False)
            if crashed:
                problems.append(
                    f'service process(es) died during the test: {crashed}\n'
                    f'{svc.logs()}')
            if svc.gluster_root is not None:
                _remove_gluster_files(svc)
        except Exception as exc:
            problems.append(f'cleaning up {svc.workdir}: {exc!r}')
        finally:
            for cleanup, arg in (
                    (pg_databases.drop, svc.database_url),
                    (rabbit_vhosts.delete, svc.transport_url),
                    (harness.remove_mount_dir, svc.owned_mount_dir)):
                try:
                    if arg:
                        cleanup(arg)
                except Exception as exc:
                    problems.append(f'cleaning up {svc.workdir}: {exc!r}')
    if problems:
        pytest.fail('\n'.join(problems), pytrace=False)


def _remove_gluster_files(svc):
    """Delete the files of this stack's volumes from the shared GlusterFS
    volume (other runs may use it at the same time: only ours go)."""
    try:
        ids = [row[0] for row in svc.query('SELECT id FROM volumes')]
    except Exception:
        return  # no schema: nothing was created
    if not ids:
        return
    for volume_id in ids:
        for path in svc.gluster_root.glob(f'volume-{volume_id}*'):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


@pytest.fixture
def services(service_factory):
    """A started ``snapvol-all`` with its embedded defaults and one local
    share (see service_factory)."""
    return service_factory(embedded=True)
