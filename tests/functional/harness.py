"""Real snapvol processes against real PostgreSQL, RabbitMQ and GlusterFS.

The fixtures in conftest.py build on this module; tests normally use those
(``services``, ``service_factory``, ``gluster_share``...) and the clients a
:class:`ServiceProcesses` hands out. Everything here expects the machine
prepared by ``tools/testbed``.
"""

import configparser
import dataclasses
import fcntl
import functools
import itertools
import json
import os
from pathlib import Path
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

from cinderclient import exceptions as cinder_exceptions
import libvirt
import pytest
import requests

PG_HOST = '127.0.0.1'
PG_ADMIN_USER = 'postgres'
RABBIT_HOST = '127.0.0.1'
RABBIT_PORT = 5672
RABBIT_USER = 'guest'
RABBIT_PASSWORD = 'guest'
DEFAULT_GLUSTER_VOLUME = 'snapvol-gv0'

# Mount points live outside pytest's tmp dirs: pytest deletes old tmp dirs
# with shutil.rmtree, which would walk into a mount a killed run left behind
# and delete the files on the GlusterFS volume.
MOUNT_ROOT = Path('/run/snapvol-func')

API_PROCESSES = ('snapvol-all', 'snapvol-volume-api')
MANAGER_PROCESSES = ('snapvol-all', 'snapvol-volume')
COMPUTE_API_PROCESSES = ('snapvol-compute-api',)
COMPUTE_PROCESSES = ('snapvol-compute',)
MODES = {
    'all': ('snapvol-all',),
    'split': ('snapvol-volume-api', 'snapvol-volume'),
    # The compute service alone (its volume service is the test's).
    'compute': ('snapvol-compute', 'snapvol-compute-api'),
    # The four processes apart.
    'split4': ('snapvol-volume', 'snapvol-compute', 'snapvol-volume-api',
               'snapvol-compute-api'),
    # Two volume managers, as on two hosts (see ServiceProcesses.spawn).
    'cluster': ('snapvol-volume-api', 'snapvol-volume', 'snapvol-volume@b'),
}


def script_of(name):
    """The console script a process runs: ``snapvol-volume@b`` is a
    second ``snapvol-volume``."""
    return name.split('@', 1)[0]


def in_ci():
    """True when the CI variable is set: missing components then fail the
    tests instead of skipping them."""
    return os.environ.get('CI', '').lower() not in ('', '0', 'false', 'no')


def unavailable(message):
    """Skip the test, or fail it under CI (CI must never be green because
    a real component was missing)."""
    message = f'{message} (run tools/testbed as root)'
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def run(cmd, *, timeout=60, check=True, **kwargs):
    """subprocess.run with text output captured and a readable error."""
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          timeout=timeout, check=False, **kwargs)
    if check and proc.returncode != 0:
        raise RuntimeError(f'{" ".join(map(str, cmd))} exited '
                           f'{proc.returncode}:\n{proc.stdout}{proc.stderr}')
    return proc


def wait_for(predicate, timeout, *, interval=0.2, what='condition'):
    """Poll ``predicate`` until it returns a true value, which is returned;
    raise TimeoutError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f'timed out after {timeout} s waiting for '
                               f'{what}')
        time.sleep(interval)


def wait_for_status(get, wanted, *, timeout=180, failed=('error',)):
    """Poll ``get()`` (e.g. ``lambda: client.volumes.get(vid)``) until its
    ``.status`` is ``wanted``; fail at once on a status in ``failed``.
    Returns the last object. The timeout only ends a hung test: a snapshot
    over libgfapi on a loaded 2-core host has taken over 60 s."""
    last = {}

    def check():
        obj = last['obj'] = get()
        if obj.status in failed and obj.status != wanted:
            raise AssertionError(f'{obj!r} went to status {obj.status!r} '
                                 f'while waiting for {wanted!r}')
        return obj.status == wanted

    try:
        wait_for(check, timeout, interval=0.25, what=f'status {wanted!r}')
    except TimeoutError:
        obj = last.get('obj')
        raise AssertionError(f'{obj!r} still {getattr(obj, "status", None)!r}'
                             f' after {timeout} s, expected {wanted!r}')
    return last['obj']


def wait_snapshot_deleted(cinder, snapshot_id, timeout=300, details=None):
    """Until python-cinderclient finds the snapshot no more; fails at once
    if it ends error_deleting (``details()``, if given, adds to the
    message, the services' logs for example)."""
    def gone():
        try:
            status = cinder.volume_snapshots.get(snapshot_id).status
        except cinder_exceptions.NotFound:
            return True
        assert status != 'error_deleting', (
            'snapshot %s went to error_deleting%s' % (
                snapshot_id, ':\n' + details() if details else ''))
        return False
    wait_for(gone, timeout, interval=0.25,
             what='snapshot %s to go' % snapshot_id)


# Ports for the services under test: below Linux's ephemeral range
# (32768-60999 by default), so that no client socket of anything on this
# machine is handed one of them, and reserved (PORT_DIR/<port> holding the
# owner's pid) so that parallel test processes (pytest-xdist workers, other
# runs) never pick the same one between free_port() and the service's bind.
PORT_RANGE = (11000, 20000)
PORT_DIR = Path('/run/snapvol-func-ports')
_random = random.Random()


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on, reserved for this
    process until it ends (a service restarted in a test keeps its port)."""
    try:
        PORT_DIR.mkdir(parents=True, exist_ok=True)
    except OSError:
        return _ephemeral_port()    # not root: no reservations to share
    for _attempt in range(2000):
        port = _random.randrange(*PORT_RANGE)
        try:
            fd = os.open(PORT_DIR / str(port),
                         os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, 'w') as f:
            f.write(str(os.getpid()))
        with socket.socket() as s:
            try:
                s.bind(('127.0.0.1', port))
            except OSError:
                continue        # someone else's: the reservation stays
        return port
    raise RuntimeError(f'no free port in {PORT_RANGE} (see {PORT_DIR})')


def _ephemeral_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def release_ports():
    """Drop this process's port reservations (at the end of the session)."""
    _sweep_owned(PORT_DIR, lambda pid: pid == os.getpid())


def sweep_stale_ports():
    """Drop the port reservations of processes that are gone."""
    _sweep_owned(PORT_DIR, lambda pid: not _alive(pid))


def _sweep_owned(directory, drop):
    try:
        entries = list(directory.iterdir())
    except OSError:
        return
    for entry in entries:
        try:
            pid = int(entry.read_text())
        except (OSError, ValueError):
            continue    # being written, or gone already
        if drop(pid):
            entry.unlink(missing_ok=True)


def tail(path, lines=80):
    """The last ``lines`` lines of a text file ('' if it does not exist)."""
    try:
        with open(path, 'rb') as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 256 * 1024))
            data = f.read().decode('utf-8', 'replace')
    except FileNotFoundError:
        return ''
    return '\n'.join(data.splitlines()[-lines:])


# --- users ------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class User:
    name: str
    password: str
    project: str
    roles: tuple = ()


USERS = {
    'admin': User('admin', 'admin-secret', 'admin-project', ('admin',)),
    'alice': User('alice', 'alice-secret', 'proj-a'),
    'bob': User('bob', 'bob-secret', 'proj-b'),
}


@functools.cache
def htpasswd_line(user):
    """``user:bcrypt-hash:project:roles``, the hash made by ``htpasswd -B``
    as an operator would (cost 5, its default: the API checks the hash on
    every request, and a high cost would make each one slow)."""
    proc = run(['htpasswd', '-n', '-b', '-B', '-C', '5', user.name,
                user.password])
    name_hash = proc.stdout.strip()
    return f'{name_hash}:{user.project}:{",".join(user.roles)}'


# --- PostgreSQL and RabbitMQ ------------------------------------------------

def _pg_connect():
    import psycopg2
    conn = psycopg2.connect(host=PG_HOST, user=PG_ADMIN_USER,
                            dbname='postgres', connect_timeout=10)
    conn.autocommit = True
    return conn


class PostgresDatabases:
    """Creates throw-away databases and drops them again."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.names = []
        # Never len(names): once one is dropped, that would name the next
        # one like a database or vhost still in use.
        self._serial = itertools.count()

    @staticmethod
    def url(name):
        return f'postgresql+psycopg2://{PG_ADMIN_USER}@{PG_HOST}/{name}'

    def create(self, template=None):
        """A new empty database (a copy of the database at the URL
        ``template``, which nobody may be connected to); returns its
        SQLAlchemy URL."""
        name = f'{self.prefix}_{next(self._serial)}'
        copy = ''
        if template is not None:
            copy = ' TEMPLATE "%s"' % template.rsplit('/', 1)[1]
        conn = _pg_connect()
        try:
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"{copy}')
                # A commit returns before its WAL reaches the disk: only a
                # crash of PostgreSQL itself, which no test makes, could
                # lose one, and the services commit often (heartbeats,
                # every transition).
                cur.execute(f'ALTER DATABASE "{name}" '
                            f'SET synchronous_commit = off')
        finally:
            conn.close()
        self.names.append(name)
        return self.url(name)

    def drop(self, url):
        name = url.rsplit('/', 1)[1]
        conn = _pg_connect()
        try:
            with conn.cursor() as cur:
                # A killed service may leave its connections behind.
                cur.execute('SELECT pg_terminate_backend(pid) FROM '
                            'pg_stat_activity WHERE datname = %s', (name,))
                cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        finally:
            conn.close()
        if name in self.names:
            self.names.remove(name)

    def drop_all(self):
        for name in list(self.names):
            self.drop(self.url(name))


class RabbitVhosts:
    """Creates RabbitMQ virtual hosts for guest and deletes them again.

    A vhost per service stack is what isolates stacks: oslo.messaging names
    queues after the topic only ("snapvol-volume"), so two stacks in one
    vhost would share the queue and answer each other's calls whatever their
    control_exchange, and a killed stack's unconsumed messages would reach
    the next one.

    Each rabbitmqctl run boots an Erlang VM (over half a second of CPU, and
    seconds on a loaded host): vhosts are made ``BATCH`` at a time, with
    their permissions, by one import_definitions; a used one is never
    handed out again, and all go at the end in one run.
    """

    BATCH = 4

    def __init__(self, prefix):
        self.prefix = prefix
        self.names = []         # every vhost made and not deleted yet
        self._ready = []        # made, not handed out yet
        # Never len(names): once one is dropped, that would name the next
        # one like a database or vhost still in use.
        self._serial = itertools.count()

    @staticmethod
    def url(name):
        return (f'rabbit://{RABBIT_USER}:{RABBIT_PASSWORD}@{RABBIT_HOST}:'
                f'{RABBIT_PORT}/{name}')

    def create(self):
        """A new vhost guest may use fully; returns its transport_url."""
        if not self._ready:
            self._make(self.BATCH)
        return self.url(self._ready.pop(0))

    def _make(self, count):
        names = [f'{self.prefix}-{next(self._serial)}' for _ in range(count)]
        definitions = {
            'vhosts': [{'name': name} for name in names],
            'permissions': [{'user': RABBIT_USER, 'vhost': name,
                             'configure': '.*', 'write': '.*', 'read': '.*'}
                            for name in names]}
        fd, path = tempfile.mkstemp(prefix='snapvol-vhosts-', suffix='.json')
        try:
            with os.fdopen(fd, 'w') as f:
                json.dump(definitions, f)
            # rabbitmq (the server) reads the file.
            os.chmod(path, 0o644)
            self.names += names
            run(['rabbitmqctl', '-q', 'import_definitions', path])
        finally:
            os.unlink(path)
        self._ready += names

    def delete(self, url):
        """Nothing at once: the vhost is never handed out again, and goes
        with the others in delete_all()."""

    def delete_all(self):
        if not self.names:
            return
        names = list(self.names)
        # One run for all: rabbit_vhost:delete/2 (RabbitMQ 3.7 and later).
        binaries = ', '.join('<<"%s">>' % name for name in names)
        proc = run(['rabbitmqctl', '-q', 'eval',
                    '[rabbit_vhost:delete(V, <<"snapvol-tests">>) '
                    '|| V <- [%s]].' % binaries], check=False, timeout=300)
        if proc.returncode != 0:
            for name in names:
                run(['rabbitmqctl', '-q', 'delete_vhost', name], check=False)
        self.names, self._ready = [], []


def rabbit_consumers(transport_url, queue):
    """Number of consumers of ``queue`` in the vhost of ``transport_url``
    (0 when the queue does not exist yet)."""
    import amqp
    vhost = transport_url.rsplit('/', 1)[1] or '/'
    conn = amqp.Connection(f'{RABBIT_HOST}:{RABBIT_PORT}', userid=RABBIT_USER,
                           password=RABBIT_PASSWORD, virtual_host=vhost,
                           connect_timeout=5)
    conn.connect()
    try:
        channel = conn.channel()
        try:
            _, _, consumers = channel.queue_declare(queue, passive=True)
        except amqp.exceptions.NotFound:
            return 0
        return consumers
    finally:
        try:
            conn.close()
        except Exception:
            pass


# --- GlusterFS --------------------------------------------------------------

def gluster_spec():
    """(host, volume) from SNAPVOL_TEST_GLUSTER=HOST:/VOLNAME, by default
    this machine's snapvol-gv0 as tools/testbed makes it."""
    spec = (os.environ.get('SNAPVOL_TEST_GLUSTER')
            or f'{socket.gethostname()}:/{DEFAULT_GLUSTER_VOLUME}')
    host, sep, volume = spec.partition(':/')
    if not (host and sep and volume):
        raise ValueError(f'SNAPVOL_TEST_GLUSTER={spec!r}: expected '
                         f'HOST:/VOLNAME')
    return host, volume


def mounts_under(root):
    """Mount points at or below ``root``, deepest first."""
    root = os.path.realpath(root)
    found = []
    with open('/proc/self/mounts') as f:
        for line in f:
            point = line.split()[1].replace('\\040', ' ')
            if point == root or point.startswith(root + '/'):
                found.append(point)
    return sorted(found, key=len, reverse=True)


def unmount_all(root):
    """Unmount everything below ``root``; lazily if it is busy."""
    for point in mounts_under(root):
        if run(['umount', point], check=False).returncode != 0:
            run(['umount', '-l', point], check=False)
    left = mounts_under(root)
    if left:
        raise RuntimeError(f'still mounted: {left}')


def new_mount_dir(label):
    """A fresh directory under MOUNT_ROOT owned by this test process.

    ``sweep_stale_mounts`` cleans those whose owner process is gone. The
    owner's pid is in the name (``LABEL-pidPID-RANDOM``), so that no other
    process sweeping at the same time takes the new directory for a
    stale one (``owner.pid`` inside says the same, for older sweepers)."""
    path = MOUNT_ROOT / f'{label}-pid{os.getpid()}-{uuid.uuid4().hex[:8]}'
    path.mkdir(parents=True)
    (path / 'owner.pid').write_text(str(os.getpid()))
    return path


def remove_mount_dir(path):
    unmount_all(path)
    shutil.rmtree(path, ignore_errors=True)


def sweep_stale_mounts():
    """Unmount and remove what killed test runs left under MOUNT_ROOT."""
    if not MOUNT_ROOT.is_dir():
        return
    for entry in MOUNT_ROOT.iterdir():
        pid = _mount_dir_owner(entry)
        if pid is None or pid == os.getpid() or _alive(pid):
            continue
        try:
            remove_mount_dir(entry)
        except RuntimeError:
            pass


def _mount_dir_owner(entry):
    """The pid that owns a directory under MOUNT_ROOT, from its name or
    its owner.pid; None when neither tells (then it is left alone, unless
    it is older than an hour: a run of the time before pids were named)."""
    parts = entry.name.split('-')
    if len(parts) >= 3 and parts[-2].startswith('pid') \
            and parts[-2][3:].isdigit():
        return int(parts[-2][3:])
    try:
        return int((entry / 'owner.pid').read_text())
    except (OSError, ValueError):
        pass
    try:
        if time.time() - entry.stat().st_mtime > 3600:
            return 0        # no process has pid 0: stale
    except OSError:
        pass
    return None


def _alive(pid):
    if pid <= 0:
        return False    # (os.kill(0, ...) would signal our own group)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- NFS --------------------------------------------------------------------

# The test bed's nfs-ganesha (tools/testbed) serves the default export.
GANESHA_PID_FILE = Path('/srv/snapvol/nfs/ganesha.pid')
# Held while ganesha restarts: tests in other processes (pytest-xdist
# workers, other runs) may restart it too, and two restarts at once would
# each start a server and remove the other's pid file.
GANESHA_LOCK = Path('/run/snapvol-func-ganesha.lock')


def ganesha_restartable(share_line):
    """Whether ``share_line`` (``nfs:HOST:/EXPORT``) is served by the test
    bed's ganesha on this machine, which restart_ganesha() can restart."""
    return (GANESHA_PID_FILE.exists()
            and share_line.startswith('nfs:127.0.0.1:'))


def running(pid):
    """Alive and not a zombie (a ganesha a test started and stopped stays
    one until that test process reaps it)."""
    try:
        os.kill(pid, 0)
        stat = Path(f'/proc/{pid}/stat').read_text()
    except (ProcessLookupError, FileNotFoundError):
        return False
    return stat.rsplit(')', 1)[1].split()[0] != 'Z'


def _ganesha_answers():
    return subprocess.run(['rpcinfo', '-t', '127.0.0.1', 'nfs', '3'],
                          capture_output=True, timeout=10).returncode == 0


def restart_ganesha(timeout=30):
    """Stops the test bed's nfs-ganesha (SIGTERM, as a service restart
    does) and starts it again with the same command line; returns when it
    answers NFSv3 again. Other tests use the same server: it is never left
    down (a start that fails is tried again), and restarts from several
    processes take turns."""
    GANESHA_LOCK.touch(exist_ok=True)
    with open(GANESHA_LOCK) as lock:     # closing it releases the lock
        fcntl.flock(lock, fcntl.LOCK_EX)
        pid = int(GANESHA_PID_FILE.read_text().split()[0])
        cmdline = Path(f'/proc/{pid}/cmdline').read_bytes().split(b'\0')[:-1]
        if not cmdline or b'ganesha' not in os.path.basename(cmdline[0]):
            raise RuntimeError(f'{GANESHA_PID_FILE} names pid {pid}, which '
                               f'is not ganesha: {cmdline!r}')
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not running(pid), timeout, interval=0.1,
                 what='ganesha to exit')
        for attempt in range(3):
            # ganesha writes its pid over the old file without truncating it.
            GANESHA_PID_FILE.unlink(missing_ok=True)
            proc = subprocess.Popen(
                cmdline, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)
            deadline = time.monotonic() + timeout
            while proc.poll() is None and time.monotonic() < deadline:
                if _ganesha_answers():
                    return proc.pid
                time.sleep(0.1)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            print(f'restart_ganesha: attempt {attempt + 1} exited '
                  f'{proc.returncode} without answering', file=sys.stderr)
        raise RuntimeError('nfs-ganesha did not start again (see '
                           '/var/log/snapvol-ganesha.log)')


# --- the services -----------------------------------------------------------

def console_script(name):
    """Path of a console script of the virtualenv running the tests."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise FileNotFoundError(
            f'{path} not found: is snapvol installed in this virtualenv '
            f'(pip install -e .[test], done by tools/testbed)?')
    return path


class ServiceError(RuntimeError):
    pass


class ServiceProcesses:
    """One snapvol deployment made of real processes.

    ``mode='all'`` runs ``snapvol-all``; ``mode='split'`` runs
    ``snapvol-volume-api`` and ``snapvol-volume``. Everything lives in
    ``workdir``: the config file, htpasswd, shares file, state_path, lock
    path and one log per process (``logs/<name>.log`` from oslo.log and
    ``logs/<name>.out`` with stdout/stderr). Network shares are mounted
    under ``mount_dir``.

    Usually made by the ``service_factory``/``services`` fixtures, which
    also clean up. ``start()`` returns when the API answers and the volume
    manager consumes its RPC queue.
    """

    def __init__(self, workdir, *, database_url, transport_url,
                 control_exchange, mount_dir, shares=None, mode='all',
                 host=None, extra_config=None, users=USERS,
                 database_synced=False):
        if mode not in MODES:
            raise ValueError(f'mode must be one of {sorted(MODES)}')
        self.workdir = Path(workdir)
        self.mode = mode
        self.names = MODES[mode]
        self.database_url = database_url
        # A copy of a database db sync made: start() syncs no more.
        self.database_synced = database_synced
        self.transport_url = transport_url
        self.control_exchange = control_exchange
        self.mount_dir = Path(mount_dir)
        self.host = host or socket.gethostname()
        self.users = dict(users)
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.compute_port = free_port()
        self.compute_url = f'http://127.0.0.1:{self.compute_port}'
        self.state_path = self.workdir / 'state'
        self.log_dir = self.workdir / 'logs'
        self.local_share = self.workdir / 'share'
        self.shares = list(shares) if shares else [f'local:{self.local_share}']
        self.extra_config = extra_config or {}
        self.config_file = self.workdir / 'snapvol.conf'
        self.procs = {}
        # Processes that ended other than by our stop()/kill(): a crash.
        self._expected_exit = set()
        self.write_files()

    # -- files --

    def write_files(self):
        """(Re)write config, htpasswd and shares file from the attributes."""
        for d in (self.state_path, self.log_dir, self.local_share,
                  self.workdir / 'locks', self.mount_dir):
            d.mkdir(parents=True, exist_ok=True)
        htpasswd = self.workdir / 'htpasswd'
        htpasswd.write_text(''.join(f'{htpasswd_line(u)}\n'
                                    for u in self.users.values()))
        shares_file = self.workdir / 'shares.conf'
        shares_file.write_text(''.join(f'{s}\n' for s in self.shares))

        config = {
            'DEFAULT': {
                'host': self.host,
                'state_path': self.state_path,
                'auth_strategy': 'http_basic',
                'http_basic_auth_user_file': htpasswd,
                'debug': 'True',
                'log_dir': self.log_dir,
            },
            'volume': {'shares_config': shares_file,
                       'mount_point_base': self.mount_dir},
            'volume_api': {'listen': '127.0.0.1', 'port': self.port},
            'compute_api': {'listen': '127.0.0.1',
                            'port': self.compute_port},
            # KVM cannot run guests on these machines (testbed.md).
            'libvirt': {'virt_type': 'qemu'},
            # Volumes made for a build are small copies: polled often.
            'compute': {'block_device_allocate_retries_interval': '0.5'},
            # How the volume manager reaches the compute admin API.
            'nova': {'auth_type': 'http_basic',
                     'endpoint': f'{self.compute_url}/v2.1',
                     'username': self.users['admin'].name,
                     'password': self.users['admin'].password},
            'oslo_concurrency': {'lock_path': self.workdir / 'locks'},
        }
        # Without them snapvol-all uses its embedded defaults: SQLite under
        # state_path and in-process messaging.
        if self.transport_url is not None:
            config['DEFAULT'].update(transport_url=self.transport_url,
                                     control_exchange=self.control_exchange)
        if self.database_url is not None:
            config['database'] = {'connection': self.database_url}
        for section, values in self.extra_config.items():
            config.setdefault(section, {}).update(values)
        parser = configparser.RawConfigParser()
        parser.optionxform = str
        for section, values in config.items():
            if section != 'DEFAULT':
                parser.add_section(section)
            for key, value in values.items():
                parser.set(section, key, str(value))
        with open(self.config_file, 'w') as f:
            parser.write(f)

    def log_path(self, name):
        """oslo.log file of process ``name``."""
        return self.log_dir / f'{name}.log'

    def out_path(self, name):
        """stdout/stderr of process ``name`` (tracebacks before logging)."""
        return self.log_dir / f'{name}.out'

    def logs(self, lines=80):
        """The tail of every process's log and output, for a report."""
        parts = []
        for name in dict.fromkeys([*self.names, *self.procs]):
            for path in (self.out_path(name), self.log_path(name)):
                text = tail(path, lines)
                if text.strip():
                    parts.append(f'----- {path} (last {lines} lines) -----\n'
                                 f'{text}')
        return '\n'.join(parts) or '(no logs)'

    # -- processes --

    def _env(self):
        env = dict(os.environ)
        bindir = str(Path(sys.executable).parent)
        env['PATH'] = os.pathsep.join(
            [bindir, env.get('PATH', ''), '/usr/sbin', '/sbin'])
        env['PYTHONUNBUFFERED'] = '1'
        return env

    def manage(self, *args, timeout=120):
        """Run ``snapvol-manage --config-file X ARGS``; returns the result."""
        cmd = [console_script('snapvol-manage'), '--config-file',
               self.config_file, *args]
        proc = run(cmd, timeout=timeout, check=False, env=self._env(),
                   cwd=self.workdir)
        if proc.returncode != 0:
            raise ServiceError(f'snapvol-manage {" ".join(args)} exited '
                               f'{proc.returncode}:\n{proc.stdout}'
                               f'{proc.stderr}')
        return proc

    def db_sync(self):
        self.manage('db', 'sync')

    def spawn(self, name):
        """Start process ``name`` without waiting for it to be ready.
        ``script@suffix`` runs ``script`` as if on another host: host
        ``<host>-<suffix>`` with a state path and lock files of its
        own."""
        if self.running(name):
            raise ServiceError(f'{name} is already running')
        cmd = [console_script(script_of(name)), '--config-file',
               self.config_file, '--log-file', self.log_path(name)]
        if '@' in name:
            cmd[3:3] = ['--config-file', self._other_host_config(name)]
        with open(self.out_path(name), 'ab') as out:
            out.write(f'----- harness: starting {name} at '
                      f'{time.strftime("%H:%M:%S")} -----\n'.encode())
            out.flush()
            # Own process group: kill() hits the service and any qemu-img
            # it runs, as a crash of the whole service would.
            self.procs[name] = subprocess.Popen(
                [str(c) for c in cmd], stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, cwd=self.workdir, env=self._env(),
                start_new_session=True)
        self._expected_exit.discard(name)

    def _other_host_config(self, name):
        suffix = name.split('@', 1)[1]
        state = self.workdir / f'state-{suffix}'
        locks = self.workdir / f'locks-{suffix}'
        for d in (state, locks):
            d.mkdir(exist_ok=True)
        path = self.workdir / f'host-{suffix}.conf'
        path.write_text(f'[DEFAULT]\nhost = {self.host}-{suffix}\n'
                        f'state_path = {state}\n'
                        f'[oslo_concurrency]\nlock_path = {locks}\n')
        return path

    def start(self, names=None, timeout=120):
        """Start the processes (default: all of this mode, after db sync
        unless ``database_synced``) and wait until they are ready."""
        if names is None:
            if self.database_url is not None and not self.database_synced:
                self.db_sync()
            names = self.names
        for name in names:
            self.spawn(name)
        self.wait_ready(names, timeout=timeout)
        return self

    def wait_ready(self, names=None, timeout=120):
        """Wait until the API answers GET / and the volume manager consumes
        its RPC queue; on failure raise with the logs' tails."""
        names = self.names if names is None else names
        deadline = time.monotonic() + timeout
        checks = []
        if any(n in API_PROCESSES for n in names):
            checks.append(('the API to answer GET /', self._api_answers))
        if any(script_of(n) in MANAGER_PROCESSES for n in names):
            checks.append(('the volume manager to consume its RPC queue',
                           self._manager_consumes))
        if any(script_of(n) in COMPUTE_API_PROCESSES for n in names):
            checks.append(('the compute API to answer GET /',
                           lambda: self._answers(self.compute_url)))
        if any(script_of(n) in COMPUTE_PROCESSES for n in names):
            checks.append(('the compute manager to consume its RPC queue',
                           lambda: self._consumes('snapvol-compute')))
        for what, check in checks:
            while not check():
                dead = [n for n in names if not self.running(n)]
                if dead:
                    raise ServiceError(
                        f'{", ".join(dead)} exited (code '
                        f'{self.procs[dead[0]].returncode}) while waiting '
                        f'for {what}\n{self.logs()}')
                if time.monotonic() > deadline:
                    raise ServiceError(f'timed out after {timeout} s waiting'
                                       f' for {what}\n{self.logs()}')
                time.sleep(0.2)

    def _api_answers(self):
        return self._answers(self.url)

    @staticmethod
    def _answers(url):
        try:
            return requests.get(url + '/', timeout=2).status_code < 500
        except requests.RequestException:
            return False

    def _manager_consumes(self):
        from snapvol_api.rpc import volume_rpcapi
        return self._consumes(volume_rpcapi.TOPIC)

    def _consumes(self, topic):
        if self.transport_url is None:
            # In-process: snapvol-all starts the managers before the APIs.
            return True
        try:
            return rabbit_consumers(self.transport_url, topic) > 0
        except OSError:
            return False

    def query(self, sql, **params):
        """Rows of ``sql`` (SQLAlchemy text with :name parameters) on this
        stack's database: PostgreSQL, or snapvol-all's embedded SQLite."""
        import sqlalchemy as sa
        url = (self.database_url
               or f'sqlite:///{self.state_path}/snapvol.sqlite')
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                return [tuple(row) for row in conn.execute(sa.text(sql),
                                                           params)]
        finally:
            engine.dispose()

    def running(self, name):
        proc = self.procs.get(name)
        return proc is not None and proc.poll() is None

    def pid(self, name):
        return self.procs[name].pid

    def kill(self, name, sig=signal.SIGKILL, wait=True, group=True):
        """Send ``sig`` to the process group of ``name`` (default SIGKILL:
        a crash), or with ``group=False`` to the process alone, leaving its
        children to fend for themselves. Waits for it to end for
        SIGKILL/SIGTERM/SIGINT when ``wait``. SIGSTOP/SIGCONT work too."""
        proc = self.procs[name]
        if sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
            self._expected_exit.add(name)
        try:
            (os.killpg if group else os.kill)(proc.pid, sig)
        except ProcessLookupError:
            pass
        if wait and name in self._expected_exit:
            proc.wait(timeout=30)
        return proc.returncode

    def stop(self, name, timeout=15):
        """SIGTERM, then SIGKILL after ``timeout`` s; returns the exit code."""
        proc = self.procs.get(name)
        if proc is None:
            return None
        self._expected_exit.add(name)
        if proc.poll() is None:
            self.kill(name, signal.SIGCONT, wait=False)  # in case stopped
            self.kill(name, signal.SIGTERM, wait=False)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill(name, signal.SIGKILL)
        # Helpers of a stopped service (qemu-img) must not linger.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return proc.returncode

    def restart(self, name, timeout=120):
        """Stop ``name`` if it runs, start it again, wait until ready."""
        self.stop(name)
        self.spawn(name)
        self.wait_ready([name], timeout=timeout)

    def crashed(self):
        """{name: exit code} of processes that ended by themselves."""
        return {name: proc.returncode for name, proc in self.procs.items()
                if name not in self._expected_exit
                and proc.poll() is not None}

    def close(self, graceful=True):
        """Stop every process and unmount the shares; returns crashed()
        as it was before stopping. ``graceful=False`` kills them (and their
        children) at once instead of SIGTERM: the fixtures' teardown does
        that, since a graceful stop takes seconds (over RabbitMQ ~5 s) and
        no test looks at it there; tests that check a clean stop call
        stop()."""
        crashed = self.crashed()
        if not graceful:
            for name in self.procs:
                self._expected_exit.add(name)
                if self.running(name):
                    self.kill(name, signal.SIGKILL, wait=False)
        # SIGTERM all first: each takes a second or so to shut down.
        for name in self.procs:
            if self.running(name):
                self._expected_exit.add(name)
                self.kill(name, signal.SIGCONT, wait=False)
                self.kill(name, signal.SIGTERM, wait=False)
        for name in reversed(list(self.procs)):
            self.stop(name)
        self.remove_domains()
        unmount_all(self.mount_dir)
        return crashed

    def _instance_ids(self):
        """Ids of the servers this stack's compute service made: each has a
        directory <instances_path>/<id> until it is deleted."""
        if not any(n in self.names for n in ('snapvol-all',
                                             'snapvol-compute')):
            return []
        path = Path(self.extra_config.get('compute', {}).get(
            'instances_path', self.state_path / 'instances'))
        try:
            return [entry.name for entry in path.iterdir()
                    if re.fullmatch(r'[0-9a-f-]{36}', entry.name)]
        except OSError:
            return []

    def remove_domains(self):
        """Destroys and undefines the domains of this stack's servers: a
        failed test may leave servers running, and TCG guests left behind
        slow every later test. Looks them up by id only: other stacks'
        domains (other tests, other pytest-xdist workers) are not touched,
        not even read (libvirtd keeps a domain locked while it opens a
        GlusterFS disk, for tens of seconds here)."""
        ids = self._instance_ids()
        if not ids:
            return
        conn = libvirt.open('qemu:///system')
        try:
            for uid in ids:
                try:
                    dom = conn.lookupByUUIDString(uid)
                except libvirt.libvirtError:
                    continue    # gone already
                try:
                    if dom.isActive():
                        dom.destroy()
                    dom.undefine()
                except libvirt.libvirtError as exc:
                    print('removing domain %s of %s: %s'
                          % (uid, self.workdir, exc), file=sys.stderr)
        finally:
            conn.close()

    # -- clients --

    def user(self, name):
        return self.users[name]

    def client(self, user='alice', version='3.0'):
        """A python-cinderclient v3 Client acting as ``user``, with the
        microversion ``version``."""
        from cinderclient import client as cinder_client
        from keystoneauth1 import http_basic
        from keystoneauth1 import session as ks_session
        u = self.users[user]
        auth = http_basic.HTTPBasicAuth(
            endpoint=f'{self.url}/v3/{u.project}', username=u.name,
            password=u.password)
        return cinder_client.Client(
            version, session=ks_session.Session(auth=auth, timeout=60))

    def nova(self, user='admin', version='2.1'):
        """A python-novaclient Client of the compute admin API."""
        from keystoneauth1 import http_basic
        from keystoneauth1 import session as ks_session
        from novaclient import client as nova_client
        u = self.users[user]
        auth = http_basic.HTTPBasicAuth(
            endpoint=f'{self.compute_url}/v2.1', username=u.name,
            password=u.password)
        return nova_client.Client(
            version, session=ks_session.Session(auth=auth, timeout=60))

    def http(self, user='alice'):
        """A requests session for raw HTTP as ``user`` (None: no
        credentials). Relative paths are under ``/v3/<project>/``, paths
        starting with '/' under the server root::

            r = services.http('alice').post('volumes', data=b'{bad json')
            r = services.http(None).get('/')
        """
        u = self.users[user] if user is not None else None
        return RawHTTP(self.url, u)


class RawHTTP(requests.Session):
    """requests.Session with the API's base URL and a default timeout."""

    def __init__(self, root, user=None, timeout=30):
        super().__init__()
        self.root = root.rstrip('/')
        self.user = user
        self.default_timeout = timeout
        project = user.project if user else 'no-project'
        self.base = f'{self.root}/v3/{project}/'
        if user is not None:
            self.auth = (user.name, user.password)
        self.headers['Accept'] = 'application/json'

    def request(self, method, url, *args, **kwargs):
        if not url.startswith(('http://', 'https://')):
            url = (self.root + url if url.startswith('/')
                   else self.base + url)
        kwargs.setdefault('timeout', self.default_timeout)
        return super().request(method, url, *args, **kwargs)
