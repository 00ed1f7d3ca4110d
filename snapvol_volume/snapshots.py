"""Snapshots: requests to create, change and delete them, and the worker
that changes the chain (with qemu-img while the volume is detached,
through ``assisted`` while it is attached).

Like volumes.py: a request records the work with this manager as its
owner; the worker takes the chain lock, re-reads the snapshot and acts
only if it is still that work.
"""

import contextlib

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api import states
from snapvol_volume import group_snapshots
from snapvol_volume import ledger
from snapvol_volume import merges
from snapvol_volume import messages
from snapvol_volume import outcome
from snapvol_volume import reads
from snapvol_volume import scope
from snapvol_volume.db import requests

LOG = logging.getLogger(__name__)


class Snapshots:

    def __init__(self, db, shares, locks, workers, assisted, owner,
                 messages, quotas):
        self._db = db
        self._quotas = quotas
        self._messages = messages
        self._shares = shares
        self._locks = locks
        self._workers = workers
        self._assisted = assisted
        self.owner = owner

    # Requests ---------------------------------------------------------------

    def create(self, ctxt, volume_id, name, description, metadata, force,
               request_id=None):
        """``request_id``: the key of the API's request in the ledger,
        recorded with the snapshot (a known one answers with the snapshot
        it made)."""
        volume = scope.volume(self._db, ctxt, volume_id)
        request = ledger.request(ctxt, request_id, 'create_snapshot',
                                 volume.id)
        with self._locks.state(volume.id):
            volume = self._db.volume_get(volume.id)
            if volume.status == states.IN_USE and not force:
                raise exception.InvalidVolume(
                    reason='volume %s is attached; pass force to snapshot '
                           'it while its instance runs' % volume.id)
            if volume.status not in (states.AVAILABLE, states.IN_USE):
                raise exception.InvalidVolumeStatus(
                    volume_id=volume.id, status=volume.status,
                    expected='available, in-use')
            self._shares.check_now(volume)
            try:
                snapshot = self._db.snapshot_create(
                    {'volume_id': volume.id, 'project_id': volume.project_id,
                     'user_id': ctxt.user_id, 'name': name,
                     'description': description, 'volume_size': volume.size,
                     'status': states.SNAPSHOT.initial, 'progress': '0%',
                     'owner': self.owner}, metadata,
                    limits=self._quotas.limits(volume.project_id),
                    request=request,
                    volume_status=((states.AVAILABLE, states.IN_USE)
                                   if force else (states.AVAILABLE,)))
            except requests.Known as known:
                return ledger.replayed(known, self._db.snapshot_get)
        LOG.info('Creating snapshot %s of volume %s', snapshot.id, volume.id)
        self._workers.spawn(self.build, snapshot.id, self.owner)
        return snapshot

    def update(self, ctxt, snapshot_id, values):
        snapshot = scope.snapshot(self._db, ctxt, snapshot_id)
        values = {k: v for k, v in values.items()
                  if k in ('name', 'description')}
        if values:
            snapshot = self._db.snapshot_update(snapshot.id, values)
        return snapshot

    def delete(self, ctxt, snapshot_id, in_group=False, force=False,
               request_id=None):
        """``in_group``: the delete of its group snapshot, which runs the
        merge itself; a member is not deleted alone (Cinder refuses it
        too). ``force`` (administrators: os-force_delete): whatever its
        status; a worker still making it finds the work is no longer
        its own, and the merge runs once the chain is free."""
        if force:
            scope.require_admin(ctxt)
        snapshot = scope.snapshot(self._db, ctxt, snapshot_id)
        if snapshot.group_snapshot_id and not in_group:
            raise exception.InvalidSnapshot(
                reason='snapshot %s is a member of group snapshot %s; '
                       'delete the group snapshot'
                       % (snapshot.id, snapshot.group_snapshot_id))
        with self._locks.state(snapshot.volume_id):
            self.refuse_if_cloning(snapshot.id)
            # Refused while a backup or an export reads these files; an
            # administrator's force does not wait for them.
            if not force:
                reads.refuse_delete(self._db, snapshot)
            # A delete that failed half-way is asked again on the chain
            # it left, which the worker knows how to finish.
            if snapshot.status in (states.AVAILABLE, states.ERROR):
                self._shares.check_now(
                    self._db.volume_get(snapshot.volume_id))
            try:
                snapshot = self._db.snapshot_transition(
                    snapshot.id, states.DELETING,
                    values={'owner': self.owner}, reset=force,
                    request=ledger.request(ctxt, request_id,
                                           'delete_snapshot', snapshot.id))
            except requests.Known as known:
                return ledger.replayed(known, self._db.snapshot_get)
        LOG.info('Deleting snapshot %s of volume %s%s', snapshot.id,
                 snapshot.volume_id, ' (forced)' if force else '')
        if not in_group:
            self._workers.spawn(self.merge, snapshot.id, self.owner)
        return snapshot

    def refuse_if_cloning(self, snapshot_id):
        """InvalidSnapshot while a volume is being made from it."""
        clones = self._db.volume_get_all(
            {'source_snapshot_id': snapshot_id, 'status': states.CREATING})
        if clones:
            raise exception.InvalidSnapshot(
                reason='volume %s is being created from snapshot %s'
                       % (clones[0].id, snapshot_id))

    def reset_status(self, ctxt, snapshot_id, status):
        scope.require_admin(ctxt)
        snapshot = scope.snapshot(self._db, ctxt, snapshot_id)
        snapshot = self._db.snapshot_transition(snapshot.id, status,
                                                reset=True)
        LOG.warning('Snapshot %s status reset to %s by %s', snapshot.id,
                    status, ctxt.user_id)
        return snapshot

    # Cinder's os-update_snapshot_status: what each status may report.
    API_REPORTS = {
        states.CREATING: (states.CREATING, states.AVAILABLE, states.ERROR),
        states.DELETING: (states.DELETING, states.ERROR_DELETING),
    }

    def report(self, ctxt, snapshot_id, status, progress):
        """os-update_snapshot_status from the snapshot's project (upstream
        Nova sends it with the user's token): only what Cinder allows
        from the snapshot's status now. The progress is recorded; a
        completion or failure goes to the worker that waits for the
        compute service, which records the outcome as for our own compute
        service's report."""
        snapshot = scope.snapshot(self._db, ctxt, snapshot_id)
        if status not in self.API_REPORTS.get(snapshot.status, ()):
            raise exception.InvalidInput(
                reason='provided snapshot status %s is not allowed for a '
                       'snapshot with status %s' % (status, snapshot.status))
        if progress is not None:
            self._db.snapshot_update(snapshot.id, {'progress': progress})
        delivered = self._assisted.receive_nova_style(snapshot, status,
                                                      progress)
        LOG.info('Snapshot %s: the compute service reports %s at %s%s',
                 snapshot.id, status, progress,
                 '' if delivered else ' (no worker waits for it)')
        return self._db.snapshot_get(snapshot.id)

    # Work, in a worker ------------------------------------------------------

    def _mine(self, snapshot_id, status, owner):
        """The snapshot, if it is still ``status`` and the work of
        ``owner``: read under the chain lock before each step."""
        snapshot = self._db.snapshot_get(snapshot_id)
        if snapshot.status != status or snapshot.owner != owner:
            LOG.info('Snapshot %s is %s (work of %s): not %s work of %s; '
                     'left to its owner', snapshot_id, snapshot.status,
                     snapshot.owner, status, owner)
            return None
        return snapshot

    def teller(self, snapshot_id, action):
        """What leaves the user message of a failed ``action``."""
        return self._messages.teller(messages.SNAPSHOT, snapshot_id, action)

    def build(self, snapshot_id, owner, recovery=False):
        """Adds the overlay of a creating snapshot and makes it active;
        detached, it can be run again after a crash. Resumed by recovery
        on an attached volume, it is settled instead (never made again:
        the domain may be using it). False when it cannot be settled
        yet. A member of a group snapshot (resumed by recovery) then
        settles its set."""
        with self._settling_group(snapshot_id):
            return self._build(snapshot_id, owner, recovery)

    @contextlib.contextmanager
    def _settling_group(self, snapshot_id):
        group_snapshot_id = self._db.snapshot_get(
            snapshot_id).group_snapshot_id
        try:
            yield
        finally:
            if group_snapshot_id:
                group_snapshots.settle(self._db, group_snapshot_id)

    def _build(self, snapshot_id, owner, recovery):
        volume_id = self._db.snapshot_get(snapshot_id).volume_id
        with self._locks.chain(volume_id, recovery=recovery):
            snapshot = self._mine(snapshot_id, states.CREATING, owner)
            if snapshot is None:
                return True
            volume = self._db.volume_get(volume_id)
            if recovery and volume.attachments:
                return self._settle(snapshot, volume, owner)
            try:
                self._create(snapshot, volume, owner)
            except Exception as e:
                outcome.failed(self._db.snapshot_transition, snapshot_id,
                               states.CREATING, states.ERROR, owner, e,
                               self.teller(snapshot_id,
                                           messages.CREATE_SNAPSHOT))
                raise
        return True

    def _create(self, snapshot, volume, owner):
        chain = self._shares.chain(volume)
        # Recorded first: after a crash the overlay may already be in the
        # info store, and a chain walk needs its format.
        name = chain.snapshot_file(snapshot.id)
        self._db.volume_file_set(volume.id, name, 'qcow2')
        chain.formats[name] = 'qcow2'
        try:
            if volume.attachments:
                self._assisted.create(snapshot, volume, chain)
            else:
                chain.create_overlay(snapshot.id, volume.size)
        finally:
            self._shares.record(volume.id, chain)
        if outcome.succeeded(self._db.snapshot_transition, snapshot.id,
                             states.CREATING, states.AVAILABLE, owner,
                             values={'progress': '100%'}):
            LOG.info('Snapshot %s is available; %s is the active file',
                     snapshot.id, name)

    def _settle(self, snapshot, volume, owner):
        """An attached create a restart interrupted: the domain decides
        (Assisted.settle_create). False when its host cannot say."""
        chain = self._shares.chain(volume)
        target = self._assisted.settle_create(snapshot, volume, chain)
        if target is None:
            return False
        self._shares.record(volume.id, chain)
        values = {'progress': '100%'} if target == states.AVAILABLE else None
        outcome.succeeded(self._db.snapshot_transition, snapshot.id,
                          states.CREATING, target, owner, values=values)
        return True

    def merge(self, snapshot_id, owner, recovery=False):
        """Merges the overlay of a deleting snapshot away, then forgets
        the snapshot. Each step can be run again after a crash. A member
        of a group snapshot then settles its set."""
        with self._settling_group(snapshot_id):
            return self._merge_snapshot(snapshot_id, owner, recovery)

    def _merge_snapshot(self, snapshot_id, owner, recovery):
        volume_id = self._db.snapshot_get(snapshot_id).volume_id
        with self._locks.chain(volume_id, recovery=recovery):
            snapshot = self._mine(snapshot_id, states.DELETING, owner)
            if snapshot is None:
                return True
            try:
                merged = self._merge(snapshot, owner)
            except Exception as e:
                outcome.failed(self._db.snapshot_transition, snapshot_id,
                               states.DELETING, states.ERROR_DELETING, owner,
                               e, self.teller(snapshot_id,
                                              messages.DELETE_SNAPSHOT))
                raise
        LOG.info('Snapshot %s is deleted (merged file: %s)', snapshot_id,
                 merged)
        return True

    def _merge(self, snapshot, owner):
        volume = self._db.volume_get(snapshot.volume_id)
        if volume.status == states.DELETING:
            # A cascade delete: the files go with the volume's.
            LOG.info('Snapshot %s goes with volume %s', snapshot.id,
                     volume.id)
            return None
        chain = self._shares.chain(volume)
        if volume.attachments and snapshot.id in chain.read_info():
            merged = self._assisted.delete(snapshot, volume, chain)
        else:
            merged = merges.merge_detached(
                chain, snapshot.id,
                on_progress=self._assisted.progress_of(snapshot.id))
        self._shares.record(volume.id, chain)
        self._db.snapshot_transition(snapshot.id, states.DELETED,
                                     expected=[states.DELETING], owner=owner)
        return merged
