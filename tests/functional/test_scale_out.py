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

from . import harness
from .test_restart_load import NO_QUOTA
from .test_restart_load import Clients
from .test_restart_load import Vol
from .test_restart_load import check_all
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


def owners(svc, status):
    return [owner for (owner,) in svc.query(
        'SELECT owner FROM snapshots WHERE status = :status',
        status=status)]


def test_two_managers_share_work_and_take_over(service_factory, etcd_url,
                                               tmp_path):
    svc = service_factory(mode='cluster',
                          extra_config=cluster_config(etcd_url))
    harness.wait_for(lambda: managers_consume(svc, 2), 60,
                     what='both volume managers to consume')
    directory = svc.shares[0].split(':', 1)[1]
    clients = Clients(svc)
    rng = random.Random(13)
    log = []
    try:
        made = [f.result() for f in [clients.pool.submit(
            clients.create_volume) for _ in range(VOLUMES)]]
        cinder = svc.client('alice')
        harness.wait_for(
            lambda: all(v.status == 'available'
                        for v in cinder.volumes.list()), 120,
            what='%d volumes to be available' % VOLUMES)
        vols = [Vol(i, vid, directory, tmp_path)
                for i, vid in enumerate(made)]
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
