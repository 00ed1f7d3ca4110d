"""Two volume managers of one cluster, as on two hosts, over RabbitMQ,
PostgreSQL and etcd: they share the work without ever touching one chain
at once, and when one dies (SIGKILL) the other takes over what it left
in flight, before it comes back.

Each manager has lock files of its own, as on another host: only the
coordination backend keeps them apart. Every volume's chain on disk,
``.info`` and the database must agree afterwards, and every snapshot's
point in time must hold exactly the data written before it
(test_restart_load's checks).
"""

import random
import subprocess
import time

import pytest
import requests

from . import harness
from .test_restart_load import NO_QUOTA
from .test_restart_load import Clients
from .test_restart_load import Vol
from .test_restart_load import check_all
from .test_restart_load import record
from .test_restart_load import refusals_unexplained
from .test_restart_load import report
from .test_restart_load import run_burst
from .test_restart_load import snapshot_rows
from .test_restart_load import summary
from .test_restart_load import wait_settled

VOLUMES = 8
KILLED = 'snapvol-volume'
SURVIVOR = 'snapvol-volume@b'


def cluster_config(etcd_url):
    """One cluster on etcd; a dead member is noticed within seconds, and
    its locks freed (their lease) as fast."""
    return {
        'DEFAULT': {'cluster': 'shared-1', 'report_interval': 1,
                    'service_down_time': 4},
        'coordination': {'backend_url': etcd_url + '?lock_timeout=4'},
        **NO_QUOTA,
    }


def managers_consume(svc, count):
    from snapvol_api.rpc import volume_rpcapi
    return harness.rabbit_consumers(svc.transport_url,
                                    volume_rpcapi.TOPIC) >= count


def start_cluster(service_factory, config):
    """The API and two volume managers of one cluster, both consuming;
    and a client pool."""
    svc = service_factory(mode='cluster', extra_config=config)
    harness.wait_for(lambda: managers_consume(svc, 2), 60,
                     what='both volume managers to consume')
    return svc, Clients(svc)


def make_volumes(svc, clients, count, workdir):
    """``count`` available volumes, as the test models them."""
    made = [f.result() for f in [clients.pool.submit(
        clients.create_volume) for _ in range(count)]]
    cinder = svc.client('alice')
    harness.wait_for(
        lambda: all(v.status == 'available' for v in cinder.volumes.list()),
        120, what='%d volumes to be available' % count)
    directory = svc.shares[0].split(':', 1)[1]
    return [Vol(i, vid, directory, workdir) for i, vid in enumerate(made)]


def creates_and_deletes(vols):
    """A create on every volume, and a delete of its oldest snapshot on
    every volume that has two or more."""
    burst = [('create', v, None) for v in vols]
    for v in vols:
        oldest = sorted(v.live, key=lambda s: v.live[s])
        if len(oldest) >= 2:
            burst.append(('delete', v, oldest[0]))
    return burst


def owners(svc, status):
    return [owner for (owner,) in svc.query(
        'SELECT owner FROM snapshots WHERE status = :status',
        status=status)]


def test_two_managers_share_work_and_take_over(service_factory, etcd_url,
                                               tmp_path):
    svc, clients = start_cluster(service_factory, cluster_config(etcd_url))
    rng = random.Random(13)
    log = []
    try:
        vols = make_volumes(svc, clients, VOLUMES, tmp_path)
        hosts = {h for (h,) in svc.query('SELECT host FROM volumes')}
        log.append('volumes made by %s' % sorted(hosts))

        # 24 concurrent creates, three per volume, with data between.
        for _ in range(3):
            list(clients.pool.map(Vol.write, vols))
            outcomes = run_burst(clients, [('create', v, None)
                                           for v in vols])
            assert [str(o) for o in outcomes if not o.accepted] == []
            wait_settled(svc, 'the creates')
        workers = {o.split('/')[0] for o in owners(svc, 'available')}
        log.append('snapshots made by %s' % sorted(workers))
        problems = check_all(svc, vols)
        assert not problems, report(log, problems)

        # 18 deletes and 8 creates, then one manager dies at once.
        list(clients.pool.map(Vol.write, vols))
        oldest = {v.id: sorted(v.live, key=lambda s: v.live[s]) for v in vols}
        deletes = [('delete', v, oldest[v.id][i]) for v in vols
                   for i in range(3)][:18]
        burst = deletes + [('create', v, None) for v in vols]
        rng.shuffle(burst)
        outcomes = run_burst(clients, burst)
        svc.kill(KILLED)
        log.append(summary('burst', outcomes))
        assert [str(o) for o in outcomes if not o.accepted] == []
        rows = snapshot_rows(svc)
        busy = [s for s, r in rows.items() if r[1] in ('creating',
                                                       'deleting')]
        left = [o for o in owners(svc, 'deleting') + owners(svc, 'creating')
                if not o.startswith(svc.host + '-b/')]
        log.append('in flight at the kill: %d, %d of them the killed '
                   "manager's" % (len(busy), len(left)))
        # Its last answers came right before the kill: its work (a
        # qemu-img run at least) cannot have finished.
        assert left, 'the kill left no work to take over'

        # The survivor finishes everything while the other stays dead.
        wait_settled(svc, 'the survivor to take over')
        assert not svc.running(KILLED)
        statuses = {r[1] for r in snapshot_rows(svc).values()}
        assert statuses <= {'available', 'deleted'}, statuses
        problems = check_all(svc, vols)
        assert not problems, report(log, problems)

        # Back again: it takes its share of new work, and touches nothing
        # the survivor did.
        svc.spawn(KILLED)
        harness.wait_for(lambda: managers_consume(svc, 2), 60,
                         what='the restarted manager to consume')
        list(clients.pool.map(Vol.write, vols))
        outcomes = run_burst(clients, [('create', v, None) for v in vols])
        wait_settled(svc, 'the last creates')
        problems = ['unexplained answer: %s' % o
                    for o in refusals_unexplained(outcomes)]
        problems += check_all(svc, vols)
        assert not problems, report(log, problems)
    finally:
        clients.close()
        print('\n'.join(log))


ROUNDS = 6


def explained(outcome):
    """An answer that is a success or tells the truth: a 503 after which
    nothing was done (the request was abandoned, or no manager was up)."""
    return outcome.accepted or (outcome.code == 503
                                and 'nothing was done' in outcome.message)


def test_kills_of_either_manager_lose_nothing(service_factory, etcd_url,
                                              tmp_path):
    """Rounds of creates and deletes on every volume, each cut by a kill
    -9 of one of the two managers at a random moment; the killed one
    comes back at once in some rounds (while the other works on its
    volumes) and only after the other took its work over in others.
    Every answer must be the truth: a 202 done, a 503 nothing."""
    config = cluster_config(etcd_url)
    # A call the killed manager took is given up after this long.
    config['DEFAULT']['rpc_response_timeout'] = 5
    svc, clients = start_cluster(service_factory, config)
    rng = random.Random(17)
    log = []
    try:
        vols = make_volumes(svc, clients, 6, tmp_path)
        answers = []
        for round_ in range(ROUNDS):
            list(clients.pool.map(Vol.write, vols))
            burst = creates_and_deletes(vols)
            rng.shuffle(burst)
            futures = clients.submit(burst)
            # Each manager in turn, twice: back at once, then after the
            # takeover.
            victim = (KILLED, SURVIVOR)[round_ // 2 % 2]
            time.sleep(rng.uniform(0, 0.5))
            svc.kill(victim)
            back_at_once = round_ % 2 == 0
            if back_at_once:
                svc.spawn(victim)
            outcomes = [f.result() for f in futures]
            record(outcomes)
            answers += outcomes
            log.append('round %d: killed %s (%s): %s' % (
                round_, victim, 'back at once' if back_at_once else
                'back after the takeover', summary('', outcomes)))
            wait_settled(svc, 'round %d' % round_)
            if not back_at_once:
                svc.spawn(victim)
            harness.wait_for(lambda: managers_consume(svc, 2), 60,
                             what='%s to consume again' % victim)
        wrong = [str(o) for o in answers if not explained(o)]
        problems = ['unexplained answer: %s' % o for o in wrong]
        problems += check_all(svc, vols)
        accepted = sum(o.accepted for o in answers)
        log.append('%d kills; answers: %d accepted, %d refused with 503 '
                   '(nothing done)' % (ROUNDS, accepted,
                                       len(answers) - accepted))
        assert not problems, report(log, problems)
    finally:
        clients.close()
        print('\n'.join(log))


class PrivateEtcd:
    """An etcd of this test's own, which it may stop and start again
    without touching the test bed's (other tests use that one)."""

    def __init__(self, directory):
        self.dir = directory
        self.client = 'http://127.0.0.1:%d' % harness.free_port()
        self.peer = 'http://127.0.0.1:%d' % harness.free_port()
        self.url = 'etcd3+' + self.client
        self.proc = None

    def start(self):
        self.dir.mkdir(exist_ok=True)
        with open(self.dir / 'etcd.log', 'ab') as log:
            self.proc = subprocess.Popen(
                ['etcd', '--name', 'private', '--data-dir', self.dir / 'data',
                 '--listen-client-urls', self.client,
                 '--advertise-client-urls', self.client,
                 '--listen-peer-urls', self.peer,
                 '--initial-advertise-peer-urls', self.peer,
                 '--initial-cluster', 'private=' + self.peer],
                stdout=log, stderr=subprocess.STDOUT)
        harness.wait_for(self.healthy, 30, what='the private etcd')

    def healthy(self):
        try:
            return requests.get(self.client + '/health',
                                timeout=2).json().get('health') == 'true'
        except (requests.RequestException, ValueError):
            return False

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(30)
            self.proc = None


@pytest.fixture
def private_etcd(tmp_path):
    etcd = PrivateEtcd(tmp_path / 'etcd')
    etcd.start()
    yield etcd
    etcd.stop()


def test_etcd_restarted_mid_stream(service_factory, private_etcd, tmp_path):
    """The coordination backend goes away for seconds while creates and
    deletes are under way: requests and workers wait for it, and nothing
    is lost or done twice."""
    svc, clients = start_cluster(service_factory,
                                 cluster_config(private_etcd.url))
    log = []
    try:
        vols = make_volumes(svc, clients, 6, tmp_path)
        for round_ in range(3):
            list(clients.pool.map(Vol.write, vols))
            futures = clients.submit(creates_and_deletes(vols))
            if round_ == 1:
                private_etcd.stop()
                time.sleep(3)      # the outage
                private_etcd.start()
            outcomes = [f.result() for f in futures]
            record(outcomes)
            log.append(summary('round %d' % round_, outcomes))
            assert [str(o) for o in outcomes if not explained(o)] == []
            wait_settled(svc, 'round %d' % round_)
        statuses = {r[1] for r in snapshot_rows(svc).values()}
        assert statuses <= {'available', 'deleted'}, statuses
        problems = check_all(svc, vols)
        assert not problems, report(log, problems)
        # The outage met work in flight (else this proved nothing).
        waited = [name for name in (KILLED, SURVIVOR) if
                  'coordination backend cannot be reached'
                  in svc.log_path(name).read_text()]
        assert waited, 'no lock was asked for during the outage'
    finally:
        clients.close()
        print('\n'.join(log))
