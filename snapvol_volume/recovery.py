"""Finishing the work dead managers left in flight, and removing the
files nothing refers to: at start, and whenever a member of this
manager's cluster stops heartbeating (``takeover``).

Work in flight is recorded with its owner, "host/run" (one run of a
manager). An owner is dead when its run is not among the live runs of
the services table (``live_runs``): a run that restarted, or whose
heartbeat is older than ``service_down_time``; work with no owner (never
begun) is anyone's. What to resume is decided from the DB: the volumes
of this manager's cluster and, on each, the volume or snapshots in
flight whose owner is dead. Work of a live owner, and work this run
began, are never resumed. Every volume looked at is *held*
(``Locks.hold``) until its reconcile is done, so new work on it in this
process waits for recovery; each resumed step claims the row for this
run (a compare-and-swap on status and owner, so of several live members
only one takes it), takes the chain lock (distributed when a
coordination backend is configured) and re-reads the row under it before
acting. Files nothing refers to are removed only while nothing is in
flight on the volume: an interrupted step of a manager not yet known to
be dead may still need them.

A detached volume's data cannot have changed since a snapshot was asked
for, so an interrupted create is rolled forward, and an interrupted merge
is run again from its last completed step. An interrupted extend ends
available at the size its active file has. An interrupted attached create
is settled by what the domain writes to, never made again
(``Snapshots.build`` with ``recovery``).
"""

import dataclasses
import datetime

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF

LOG = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Work:
    """A row in flight at start: (kind, id, status, owner then)."""
    kind: str
    id: str
    status: str
    owner: str | None


class Recovery:

    def __init__(self, db, shares, locks, volumes, snapshots, workers,
                 host, cluster, owner, live_runs=frozenset):
        """``live_runs()``: the owners whose work is not to be taken (the
        runs of live managers)."""
        self._db = db
        self._shares = shares
        self._locks = locks
        self._volumes = volumes
        self._snapshots = snapshots
        self._workers = workers
        self._host = host
        self._cluster = cluster
        self._live_runs = live_runs
        self.owner = owner
        self._futures = []

    def plan(self, only_taken_over=False):
        """{volume id: [Work]}: every volume of this manager (with
        ``only_taken_over``, those with dead owners' work), with the work
        of dead owners in flight on it."""
        live = set(self._live_runs()) | {self.owner}
        plan = {}
        for volume in self._db.volume_get_all_by_manager(
                self._host, self._cluster):
            rows = [('volume', volume)]
            if volume.status not in states.IN_FLIGHT:
                rows = [('snapshot', s) for s in
                        self._db.snapshot_get_all_for_volume(volume.id)]
            work = [Work(kind, row.id, row.status, row.owner)
                    for kind, row in rows
                    if row.status in states.IN_FLIGHT
                    and row.owner not in live]
            if work or not only_taken_over:
                plan[volume.id] = work
        return plan

    def start(self):
        """Decides what to resume and holds those volumes (call it before
        serving RPC), then reconciles them in its own workers."""
        self._reconcile_all(self.plan())

    def takeover(self):
        """Resumes what managers that died since left in flight (run
        periodically), and forgets the compute reports their workers
        expected; volumes recovery is still on are left to it."""
        self._db.report_purge(
            set(self._live_runs()) | {self.owner},
            datetime.timedelta(seconds=CONF.service_down_time))
        plan = self.plan(only_taken_over=True)
        for volume_id in self._locks.held() & set(plan):
            del plan[volume_id]
        if plan:
            self._reconcile_all(plan)

    def _reconcile_all(self, plan):
        self._locks.hold(plan)
        LOG.info('Recovery: %d volumes, %d interrupted changes of dead '
                 'managers', len(plan), sum(len(w) for w in plan.values()))
        self._futures += [self._workers.spawn(self.reconcile, volume_id, work)
                          for volume_id, work in plan.items()]

    def wait(self, timeout=None):
        """True once every reconcile has ended."""
        for future in self._futures:
            try:
                future.result(timeout)
            except Exception:
                return False
        return True

    def stop(self):
        """Cancels the reconciles not begun, waits for the others, and
        lets the work waiting for them go on."""
        self._workers.stop(wait=True)
        for volume_id in self._locks.held():
            self._locks.release(volume_id)

    def reconcile(self, volume_id, work):
        """Resumes ``work`` on one volume, then removes the files nothing
        refers to; the volume is released whatever happens."""
        try:
            # Every item is resumed, even after one that is not settled.
            settled = [self._resume(item) for item in work]
            settled = all(settled)
            if not settled:
                LOG.warning('Volume %s: files nothing refers to are kept '
                            'until its compute host answers', volume_id)
            else:
                self._remove_orphans(volume_id)
        finally:
            self._locks.release(volume_id)

    def _claim(self, item):
        claim = (self._db.volume_claim if item.kind == 'volume'
                 else self._db.snapshot_claim)
        if claim(item.id, item.status, item.owner, self.owner):
            return True
        LOG.info('%s %s changed since start; not resuming its %s',
                 item.kind.capitalize(), item.id, item.status)
        return False

    def _resume(self, item):
        """False when it cannot be settled yet."""
        if not self._claim(item):
            return True
        LOG.info('Resuming %s %s, %s when %s stopped', item.kind, item.id,
                 item.status, item.owner)
        try:
            if item.kind == 'volume':
                step = {states.CREATING: self._volumes.build,
                        states.EXTENDING: self._volumes.grow,
                        states.REVERTING: self._volumes.revert_files,
                        states.DELETING: self._volumes.destroy}[item.status]
                step(item.id, self.owner, recovery=True)
                return True
            step = (self._snapshots.build if item.status == states.CREATING
                    else self._snapshots.merge)
            return step(item.id, self.owner, recovery=True)
        except Exception:
            LOG.exception('Resuming %s %s failed', item.kind, item.id)
            return False

    def _remove_orphans(self, volume_id):
        with self._locks.chain(volume_id, recovery=True):
            try:
                volume = self._db.volume_get(volume_id)
            except exception.VolumeNotFound:
                return      # deleted meanwhile
            if volume.status in states.IN_FLIGHT or any(
                    s.status in states.IN_FLIGHT for s in
                    self._db.snapshot_get_all_for_volume(volume_id)):
                return      # its files may still be being made or removed
            chain = self._shares.chain(volume)
            for path in chain.remove_orphans():
                LOG.warning('Removed %s: no snapshot of volume %s used it',
                            path, volume_id)
            self._shares.record(volume_id, chain)
