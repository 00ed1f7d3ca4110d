"""Start-up reconciliation: finishing what an earlier run of this manager
left in flight, and removing the files nothing refers to.

What to resume is decided once, from the DB, before the manager serves
RPC (``start``): the volumes of this host and, on each, the volume or
snapshots in flight whose recorded owner is not this run. Work this run
begins itself is never resumed. Every volume looked at is *held*
(``Locks.hold``) until its reconcile is done, so new work on it waits
for recovery; each resumed step claims the row for this run (a
compare-and-swap on status and owner), takes the chain lock and re-reads
the row under it before acting.

A detached volume's data cannot have changed since a snapshot was asked
for, so an interrupted create is rolled forward, and an interrupted merge
is run again from its last completed step. An interrupted extend ends
available at the size its active file has. An interrupted attached create
is settled by what the domain writes to, never made again
(``Snapshots.build`` with ``recovery``).
"""

import dataclasses

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api import states

LOG = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Work:
    """A row in flight at start: (kind, id, status, owner then)."""
    kind: str
    id: str
    status: str
    owner: str | None


class Recovery:

    def __init__(self, db, shares, locks, volumes, snapshots, workers, host,
                 owner):
        self._db = db
        self._shares = shares
        self._locks = locks
        self._volumes = volumes
        self._snapshots = snapshots
        self._workers = workers
        self._host = host
        self.owner = owner
        self._futures = []

    def plan(self):
        """{volume id: [Work]}: every volume of this host, with what is in
        flight on it by another run than this one."""
        plan = {}
        for volume in self._db.volume_get_all_by_host(self._host):
            work = plan.setdefault(volume.id, [])
            if volume.status in states.IN_FLIGHT:
                if volume.owner != self.owner:
                    work.append(Work('volume', volume.id, volume.status,
                                     volume.owner))
                continue
            for snapshot in self._db.snapshot_get_all_for_volume(volume.id):
                if (snapshot.status in states.IN_FLIGHT
                        and snapshot.owner != self.owner):
                    work.append(Work('snapshot', snapshot.id,
                                     snapshot.status, snapshot.owner))
        return plan

    def start(self):
        """Decides what to resume and holds those volumes (call it before
        serving RPC), then reconciles them in its own workers."""
        plan = self.plan()
        self._locks.hold(plan)
        LOG.info('Recovery: %d volumes, %d interrupted changes', len(plan),
                 sum(len(w) for w in plan.values()))
        self._futures = [self._workers.spawn(self.reconcile, volume_id, work)
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
            if volume.status in states.IN_FLIGHT:
                return      # its files are still being made or removed
            chain = self._shares.chain(volume)
            for path in chain.remove_orphans():
                LOG.warning('Removed %s: no snapshot of volume %s used it',
                            path, volume_id)
            self._shares.record(volume_id, chain)
