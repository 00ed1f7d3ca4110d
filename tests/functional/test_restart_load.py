"""Start-up that cannot race: a volume manager restarted under load.

Many detached volumes get snapshots with data written between them; a
burst of creates and deletes is cut short by SIGKILL of the volume manager,
so the next start has real recovery work. The manager starts again and, the
moment the API answers (with the split deployment: before the manager is
even back, so the calls wait in RabbitMQ and arrive during its start-up),
a second burst of creates and deletes hits every volume.

Afterwards every snapshot must be final (available or deleted), no request
may have failed with a 5xx, every refusal must have changed nothing, and
on every volume the chain on disk, ``.info`` and the database must say the
same thing, every snapshot's point in time holding exactly the data written
before it. Each volume must still take a snapshot afterwards.

The failure this guards against: start-up reconciles that run while the RPC
server already takes requests re-run the create of snapshots those requests
just made, resetting the active file below newer overlays and marking good
snapshots ``error``.
"""

import concurrent.futures
import dataclasses
import json
import os
import random
import subprocess
import threading
import time

import pytest
import requests

from tests import imagedata as data

from . import harness

MiB = data.MiB
GiB = data.GiB

VOLUMES = 32
CLIENT_THREADS = 16
SETTLE_TIMEOUT = 300

DEPLOYMENTS = {
    # snapvol-all as a newcomer runs it: SQLite, in-process messaging.
    'all': {'mode': 'all', 'embedded': True},
    # API and manager apart, over RabbitMQ, with PostgreSQL.
    'split': {'mode': 'split'},
}
MANAGER = {'all': 'snapvol-all', 'split': 'snapvol-volume'}
FINAL = ('available', 'deleted')
BUSY = ('creating', 'deleting')


# --- volumes as the test sees them -------------------------------------------

class Vol:
    """One volume: its files on the share, a model of its data now and at
    each write generation ("epoch"), and the snapshots it must have."""

    def __init__(self, index, volume_id, directory, workdir):
        self.index = index
        self.id = volume_id
        self.dir = directory
        self.base = 'volume-%s' % volume_id
        self.model = data.ImageModel(workdir / ('%s.raw' % volume_id), GiB)
        self.epoch = 0
        self.at_epoch = {}
        # Snapshot id -> the epoch whose data it must show; only the ones
        # that must exist (created and not deleted).
        self.live = {}
        self.deleted = set()

    def file(self, name):
        return os.path.join(self.dir, name)

    @property
    def info(self):
        with open(self.file(self.base + '.info')) as f:
            return json.load(f)

    def fmt(self, name):
        return 'raw' if name == self.base else 'qcow2'

    def pattern(self, epoch):
        return 1 + (self.index * 37 + epoch * 11) % 254

    def write(self):
        """A new epoch: a pattern of its own in a region of its own, and
        over the region every epoch rewrites. Only while nothing works on
        the volume (detached, no request in flight)."""
        self.epoch += 1
        pattern = self.pattern(self.epoch)
        name = self.info['active']
        writes = [(self.epoch * MiB, 64 * 1024), (512 * MiB, 4096)]
        cmd = ['qemu-io', '-f', self.fmt(name)]
        for offset, length in writes:
            cmd += ['-c', 'write -P %#x %d %d' % (pattern, offset, length)]
        cmd.append(self.file(name))
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=60)
        out = proc.stdout + proc.stderr
        assert proc.returncode == 0 and 'failed' not in out, (cmd, out)
        for offset, length in writes:
            self.model.write(pattern, offset, length)

    def expected(self, epoch):
        """The model of the volume as it was at ``epoch``."""
        if epoch not in self.at_epoch:
            assert epoch == self.epoch, 'the model of epoch %d is gone' % epoch
            self.at_epoch[epoch] = self.model.checkpoint('e%d' % epoch)
        return self.at_epoch[epoch]


# --- requests ----------------------------------------------------------------

@dataclasses.dataclass
class Outcome:
    kind: str              # 'create' or 'delete'
    vol: Vol
    snapshot_id: str | None
    code: int | None       # HTTP status of a refusal; None when accepted
    message: str = ''
    transport_error: bool = False

    @property
    def accepted(self):
        return self.code is None and not self.transport_error

    def __str__(self):
        what = ('accepted' if self.accepted else
                'transport error' if self.transport_error else
                'HTTP %s' % self.code)
        return '%s %s on volume %s: %s %s' % (
            self.kind, self.snapshot_id or '-', self.vol.id, what,
            self.message)


class Clients:
    """Bounded request threads, each with its own HTTP session. Each
    request on a new connection: an idle keep-alive connection the server
    closes as a request goes out would be a transport error that has
    nothing to do with the service's start-up."""

    def __init__(self, svc, threads=CLIENT_THREADS):
        self.svc = svc
        self.local = threading.local()
        self.pool = concurrent.futures.ThreadPoolExecutor(
            threads, thread_name_prefix='client')

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)

    def http(self):
        if not hasattr(self.local, 'http'):
            self.local.http = self.svc.http('alice')
            self.local.http.headers['Connection'] = 'close'
            self.local.http.default_timeout = 120
        return self.local.http

    def _do(self, kind, vol, snapshot_id):
        try:
            if kind == 'create':
                r = self.http().post('snapshots', json={
                    'snapshot': {'volume_id': vol.id}})
            else:
                r = self.http().delete('snapshots/%s' % snapshot_id)
        except requests.RequestException as e:
            return Outcome(kind, vol, snapshot_id, None, repr(e),
                           transport_error=True)
        if r.status_code != 202:
            return Outcome(kind, vol, snapshot_id, r.status_code, r.text)
        if kind == 'create':
            snapshot_id = r.json()['snapshot']['id']
        return Outcome(kind, vol, snapshot_id, None)

    def submit(self, requests_):
        """Starts ``[(kind, vol, snapshot_id)]``; returns the futures."""
        return [self.pool.submit(self._do, *r) for r in requests_]

    def create_volume(self):
        r = self.http().post('volumes', json={'volume': {'size': 1}})
        assert r.status_code == 202, r.text
        return r.json()['volume']['id']


def record(outcomes):
    """Updates each volume's expectations from the answers: an accepted
    create must show the volume's current epoch, an accepted delete must
    be gone."""
    for o in outcomes:
        if not o.accepted:
            continue
        if o.kind == 'create':
            o.vol.live[o.snapshot_id] = o.vol.epoch
            o.vol.expected(o.vol.epoch)
        else:
            o.vol.live.pop(o.snapshot_id)
            o.vol.deleted.add(o.snapshot_id)


def run_burst(clients, requests_):
    outcomes = [f.result() for f in clients.submit(requests_)]
    record(outcomes)
    return outcomes


# --- the database and the share ---------------------------------------------

def snapshot_rows(svc):
    """{snapshot id: (volume id, status, deleted)} from the database: in
    the split deployment the API needs the manager, which may be down."""
    return {sid: (vid, status, bool(deleted)) for sid, vid, status, deleted
            in svc.query('SELECT id, volume_id, status, deleted '
                         'FROM snapshots')}


def wait_settled(svc, what, timeout=SETTLE_TIMEOUT):
    def settled():
        return not [r for r in snapshot_rows(svc).values() if r[1] in BUSY]
    try:
        harness.wait_for(settled, timeout, interval=0.5, what=what)
    except TimeoutError:
        busy = sorted((s, r) for s, r in snapshot_rows(svc).items()
                      if r[1] in BUSY)
        raise AssertionError('%s: still busy after %d s: %s'
                             % (what, timeout, busy))


def queued_calls(transport_url, host):
    """Calls waiting for the volume manager of ``host`` in the vhost of
    ``transport_url`` (calls about its volumes go to its own queue)."""
    import amqp

    from snapvol_api.rpc import volume_rpcapi
    vhost = transport_url.rsplit('/', 1)[1] or '/'
    conn = amqp.Connection('%s:%s' % (harness.RABBIT_HOST,
                                      harness.RABBIT_PORT),
                           userid=harness.RABBIT_USER,
                           password=harness.RABBIT_PASSWORD,
                           virtual_host=vhost, connect_timeout=5)
    conn.connect()
    try:
        _, messages, _ = conn.channel().queue_declare(
            '%s.%s' % (volume_rpcapi.TOPIC, host), passive=True)
        return messages
    finally:
        conn.close()


def header(path, fmt):
    """qemu-img info of one file (no chain), -U: read-only, never blocks on
    a lock the service holds."""
    proc = subprocess.run(['qemu-img', 'info', '-U', '--output=json', '-f',
                           fmt, path], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, (path, proc.stderr)
    return json.loads(proc.stdout)


def check_volume(svc, vol, rows, files_by_volume, active_by_volume,
                 verify_data=True):
    """Returns the problems of one volume (a list of strings)."""
    problems = []
    info = vol.info
    active = info.pop('active')
    own = sorted(n for n in os.listdir(vol.dir) if n.startswith(vol.base))

    # No file above the active one: nothing on the share has it as its
    # backing file (the symptom of a create re-run under newer overlays).
    for name in own:
        if name.endswith(('.info', '.tmp')) or name == active:
            continue
        hdr = header(vol.file(name), vol.fmt(name))
        if hdr.get('backing-filename') == active:
            problems.append('%s lies above the active file %s'
                            % (name, active))

    # The chain from the active file is exactly what .info names.
    chain = data.image_chain(vol.file(active), vol.fmt(active),
                             force_share=True)
    names = [os.path.basename(layer['filename']) for layer in chain]
    if set(names) != set(info.values()) | {vol.base} or len(names) != len(
            set(names)):
        problems.append('chain %s != .info %s' % (names, info))
    for layer in chain:
        name = os.path.basename(layer['filename'])
        if layer['format'] != vol.fmt(name):
            problems.append('%s is %s' % (name, layer['format']))
    # No orphans, no half-written .info.
    if own != sorted(set(names) | {vol.base + '.info'}):
        problems.append('files on the share %s, chain %s' % (own, names))

    # The database agrees: files and formats, active file, snapshots.
    if files_by_volume.get(vol.id, {}) != {n: vol.fmt(n) for n in names}:
        problems.append('DB files %s != chain %s'
                        % (files_by_volume.get(vol.id), names))
    if active_by_volume.get(vol.id) != active:
        problems.append('DB active file %s != .info active %s'
                        % (active_by_volume.get(vol.id), active))
    db_live = {s for s, (v, status, deleted) in rows.items()
               if v == vol.id and not deleted}
    if db_live != set(vol.live) or set(info) != set(vol.live):
        problems.append('snapshots: expected %s, DB %s, .info %s'
                        % (sorted(vol.live), sorted(db_live), sorted(info)))
    for sid in vol.deleted:
        if rows.get(sid, (None, 'deleted', True))[1:] != ('deleted', True):
            problems.append('deleted snapshot %s is %s' % (sid, rows[sid]))
    for sid in vol.live:
        if sid in info and info[sid] != '%s.%s' % (vol.base, sid):
            problems.append('.info names %s for snapshot %s'
                            % (info[sid], sid))
    if problems:
        return problems

    # Order: from the bottom up, the overlays' epochs never decrease.
    epochs = [vol.live[n.split('.', 1)[1]] for n in reversed(names[:-1])]
    if epochs != sorted(epochs):
        problems.append('overlays out of order: %s (epochs %s)'
                        % (names, epochs))
    if not verify_data:
        return problems

    # Data: the volume holds every epoch; each snapshot's point in time,
    # the chain below its overlay, exactly the epochs before it.
    same, message = data.compare(vol.model.path, vol.file(active),
                                 vol.fmt(active), force_share=True)
    if not same:
        problems.append('active file %s: %s' % (active, message))
    for sid, epoch in sorted(vol.live.items()):
        below = names[names.index(info[sid]) + 1]
        same, message = data.compare(vol.expected(epoch).path,
                                     vol.file(below), vol.fmt(below),
                                     force_share=True)
        if not same:
            problems.append('snapshot %s (epoch %d, below it %s): %s'
                            % (sid, epoch, below, message))
    return problems


def check_all(svc, vols, verify_data=True):
    rows = snapshot_rows(svc)
    files = {}
    for vid, name, fmt in svc.query(
            'SELECT volume_id, name, format FROM volume_files'):
        files.setdefault(vid, {})[name] = fmt
    active = dict(svc.query('SELECT id, active_file FROM volumes'))
    problems = []
    unknown = set(rows) - {s for v in vols for s in set(v.live) | v.deleted}
    if unknown:
        problems.append('snapshots no accepted request made: %s'
                        % sorted((s, rows[s]) for s in unknown))
    not_final = sorted((s, r) for s, r in rows.items() if r[1] not in FINAL)
    if not_final:
        problems.append('%d snapshots not final: %s'
                        % (len(not_final), not_final))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for vol, found in zip(vols, pool.map(
                lambda v: check_volume(svc, v, rows, files, active,
                                       verify_data), vols)):
            problems += ['volume %s: %s' % (vol.id, p) for p in found]
    return problems


def refusals_unexplained(outcomes):
    """The answers that are not a success or a harmless refusal: a 5xx,
    no answer, or a 409 saying the chain does not match its records."""
    return [o for o in outcomes if not o.accepted and (
        o.transport_error or not 400 <= o.code < 500
        or 'does not match its records' in o.message)]


def report(log, problems, first=12):
    """The log, then the first problems (each volume's in full ones make
    a report nobody reads)."""
    more = len(problems) - first
    above = {p.split(':')[0] for p in problems if 'lies above' in p}
    log = log + ['%d volumes with a file above their active file'
                 % len(above)]
    return '\n'.join(log + ['%d problems:' % len(problems)] + [
        p if len(p) < 2000 else p[:2000] + '...' for p in problems[:first]]
        + (['... and %d more' % more] if more > 0 else []))


def summary(label, outcomes):
    counts = {}
    for o in outcomes:
        key = (o.kind, 'accepted' if o.accepted else
               'transport error' if o.transport_error else o.code)
        counts[key] = counts.get(key, 0) + 1
    return '%s: %s' % (label, ', '.join('%s %s: %d' % (k + (n,))
                                        for k, n in sorted(
                                            counts.items(), key=str)))


# --- the test ---------------------------------------------------------------

@pytest.fixture(params=sorted(DEPLOYMENTS))
def deployment(request):
    return request.param


# One project makes more volumes and snapshots than Cinder's default
# quotas allow.
NO_QUOTA = {'quota': {'volumes': -1, 'snapshots': -1, 'gigabytes': -1}}


def test_restart_under_load(deployment, service_factory, tmp_path):
    svc = service_factory(extra_config=NO_QUOTA, **DEPLOYMENTS[deployment])
    manager = MANAGER[deployment]
    directory = svc.shares[0].split(':', 1)[1]
    cinder = svc.client('alice')
    clients = Clients(svc)
    rng = random.Random(9)
    log = []
    clock = Clock()
    try:
        # Volumes, each with two snapshots and data before each.
        made = [f.result() for f in [clients.pool.submit(
            clients.create_volume) for _ in range(VOLUMES)]]
        harness.wait_for(
            lambda: all(v.status == 'available'
                        for v in cinder.volumes.list()), 120,
            what='%d volumes to be available' % VOLUMES)
        vols = [Vol(i, vid, directory, tmp_path)
                for i, vid in enumerate(made)]
        for _ in range(2):
            list(clients.pool.map(Vol.write, vols))
            outcomes = run_burst(clients, [('create', v, None)
                                           for v in vols])
            assert [str(o) for o in outcomes if not o.accepted] == []
            wait_settled(svc, 'the first snapshots')
        assert {r[1] for r in snapshot_rows(svc).values()} == {'available'}
        first = {v.id: sorted(v.live, key=lambda s: v.live[s])
                 for v in vols}

        # Half the volumes: a create and a delete each, cut short by a
        # crash of the volume manager.
        group_a, group_b = vols[:VOLUMES // 2], vols[VOLUMES // 2:]
        burst1 = [('create', v, None) for v in group_a] + [
            ('delete', v, first[v.id][0]) for v in group_a]
        rng.shuffle(burst1)
        outcomes1 = run_burst(clients, burst1)
        svc.kill(manager)
        assert [str(o) for o in outcomes1 if not o.accepted] == []
        rows = snapshot_rows(svc)
        in_flight = sorted(r[1] for r in rows.values() if r[1] in BUSY)
        log.append('left in flight by the crash: %d creating, %d deleting'
                   % (in_flight.count('creating'),
                      in_flight.count('deleting')))
        # The last answers came right before the kill: their work (a
        # qemu-img run at least) cannot have finished.
        assert in_flight, 'the crash left no work for the restart'
        # The other half gets new data while the manager is down.
        list(clients.pool.map(Vol.write, group_b))

        # The second burst: two creates per volume and a delete of a
        # snapshot the first burst left alone, as soon as requests can
        # be made: with snapvol-all when its API answers, with the split
        # deployment at once (the API is up; the calls wait in RabbitMQ
        # for the manager).
        burst2 = [('create', v, None) for v in vols for _ in range(2)] + [
            ('delete', v, first[v.id][1 if v in group_a else 0])
            for v in vols]
        rng.shuffle(burst2)
        log.append(clock('set-up and the crashed burst'))
        started = time.monotonic()
        if deployment == 'all':
            svc.spawn(manager)
            harness.wait_for(lambda: _answers(svc.url), 120, interval=0.02,
                             what='the API to answer')
            futures = clients.submit(burst2)
        else:
            futures = clients.submit(burst2)
            # The manager starts only once the calls wait in RabbitMQ, as
            # after an outage.
            def waiting():
                n = queued_calls(svc.transport_url, svc.host)
                return n if n >= CLIENT_THREADS else 0
            queued = harness.wait_for(
                waiting, 60, interval=0.1,
                what='%d calls waiting for the manager' % CLIENT_THREADS)
            log.append('calls waiting in RabbitMQ for the manager: %d'
                       % queued)
            svc.spawn(manager)
        outcomes2 = [f.result() for f in futures]
        record(outcomes2)
        log.append('second burst answered %.1f s after the restart'
                   % (time.monotonic() - started))
        svc.wait_ready([manager], timeout=120)
        wait_settled(svc, 'the second burst')
        log.append(summary('second burst', outcomes2))
        log += ['refused: %s' % o for o in outcomes2 if not o.accepted][:5]
        log.append(clock('restart and second burst'))

        rows = snapshot_rows(svc)
        errors = sorted((s, r) for s, r in rows.items()
                        if r[1] not in FINAL)
        by_id = {v.id: v for v in vols}
        in_use = [s for s, r in errors if s in by_id[r[0]].info]
        log.append('snapshots not final after the second burst: %d %s, '
                   '%d of them with their overlay in .info'
                   % (len(errors), sorted({r[1] for s, r in errors}),
                      len(in_use)))
        problems = ['unexplained answer: %s' % o for o in
                    refusals_unexplained(outcomes1 + outcomes2)]
        problems += check_all(svc, vols)
        # API and database agree.
        listed = {s.id: s.status for s in cinder.volume_snapshots.list()}
        if listed != {s: r[1] for s, r in rows.items() if not r[2]}:
            problems.append('the API lists %s, the database has %s'
                            % (listed, rows))
        log.append(clock('checks'))

        # Each volume still takes a snapshot, on top of the right file
        # (also after a failure above: how many are refused tells how
        # broken the chains are).
        list(clients.pool.map(Vol.write, vols))
        outcomes3 = run_burst(clients, [('create', v, None) for v in vols])
        wait_settled(svc, 'the last snapshots')
        log.append(summary('last snapshots', outcomes3))
        assert not problems, report(log, problems)
        problems = ['last snapshot refused: %s' % o
                    for o in outcomes3 if not o.accepted]
        problems += check_all(svc, vols)
        log.append(clock('last snapshots and checks'))
        assert not problems, report(log, problems)
    finally:
        clients.close()
        print('\n'.join(log))


class Clock:
    """Durations of the phases, for the log (nothing asserts on them)."""

    def __init__(self):
        self.last = time.monotonic()

    def __call__(self, phase):
        now = time.monotonic()
        took, self.last = now - self.last, now
        return '%s: %.1f s' % (phase, took)


def _answers(url):
    try:
        return requests.get(url + '/', timeout=2).status_code < 500
    except requests.RequestException:
        return False
