"""Volumes: requests to create, change and delete them, and the worker
that does the file work.

A request is checked and recorded under the volume's state lock, with
this manager as the owner of the work; the worker then takes the chain
lock, re-reads the volume, and acts only if it is still the work it was
given (same status, same owner).
"""

import contextlib

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_volume import ledger
from snapvol_volume import messages
from snapvol_volume import outcome
from snapvol_volume import scope
from snapvol_volume.db import requests

LOG = logging.getLogger(__name__)


def check_size(size):
    if (isinstance(size, bool) or not isinstance(size, int)
            or not 1 <= size <= CONF.volume.max_volume_size):
        raise exception.InvalidInput(
            reason='size must be a whole number of GiB from 1 to %d, not %r'
                   % (CONF.volume.max_volume_size, size))
    return size


class Volumes:

    def __init__(self, db, shares, locks, workers, host, owner, messages,
                 quotas, assisted, types, cluster=None):
        """``cluster``: the managers that share this one's work (None:
        this host alone)."""
        self._db = db
        self._types = types
        self._assisted = assisted
        self._quotas = quotas
        self._messages = messages
        self._shares = shares
        self._locks = locks
        self._workers = workers
        self._host = host
        self._cluster = cluster
        self.owner = owner

    # Requests ---------------------------------------------------------------

    def create(self, ctxt, size, name, description, metadata, snapshot_id,
               volume_type=None, request_id=None):
        """``volume_type``: a name or id (else the source's type, or the
        project's default); it chooses the shares the volume may go
        to. ``request_id``: as for Snapshots.create."""
        check_size(size)
        values = {'size': size, 'name': name, 'description': description,
                  'project_id': ctxt.project_id, 'user_id': ctxt.user_id,
                  'status': states.VOLUME.initial, 'host': self._host,
                  'cluster_name': self._cluster,
                  'owner': self.owner,
                  'availability_zone': CONF.storage_availability_zone}
        lock = contextlib.nullcontext()
        source = None
        if snapshot_id is not None:
            snapshot = scope.snapshot(self._db, ctxt, snapshot_id)
            lock = self._locks.state(snapshot.volume_id)
            values['source_snapshot_id'] = snapshot.id
            source = self._db.volume_get(snapshot.volume_id)
            values['bootable'] = source.bootable
        vtype = self._types.for_new_volume(ctxt, volume_type, source)
        values['volume_type_id'] = vtype.id
        among = self._types.share_names(vtype)
        with lock:
            if snapshot_id is not None:
                self._check_source(snapshot_id, size)
            values['share'] = self._shares.pick(size, among).name
            try:
                volume = self._db.volume_create(
                    values, metadata,
                    limits=self._quotas.limits(ctxt.project_id),
                    request=ledger.request(ctxt, request_id, 'create_volume',
                                           snapshot_id))
            except requests.Known as known:
                return ledger.replayed(known, self._db.volume_get)
        LOG.info('Creating volume %s (%d GiB) on %s', volume.id, size,
                 volume.share)
        self._workers.spawn(self.build, volume.id, self.owner)
        return volume

    def _check_source(self, snapshot_id, size):
        snapshot = self._db.snapshot_get(snapshot_id)
        if snapshot.status != states.AVAILABLE:
            raise exception.InvalidSnapshotStatus(
                snapshot_id=snapshot_id, status=snapshot.status,
                expected=states.AVAILABLE)
        if size < snapshot.volume_size:
            raise exception.InvalidInput(
                reason='size %d GiB is smaller than the %d GiB of '
                       'snapshot %s' % (size, snapshot.volume_size,
                                        snapshot_id))
        self._shares.check_now(self._db.volume_get(snapshot.volume_id))

    def update(self, ctxt, volume_id, values):
        volume = scope.volume(self._db, ctxt, volume_id)
        values = dict(values)
        metadata = values.pop('metadata', None)
        values = {k: v for k, v in values.items()
                  if k in ('name', 'description')}
        if values:
            self._db.volume_update(volume.id, values)
        if metadata is not None:
            self._db.volume_metadata_set(volume.id, metadata, replace=True)
        return self._db.volume_get(volume.id)

    def delete(self, ctxt, volume_id, cascade=False, force=False,
               request_id=None):
        """Cinder's delete: ``cascade`` deletes the volume's snapshots
        with it (their files go with the volume's: nothing is merged);
        ``force`` (administrators: os-force_delete) deletes it whatever
        its status (and, with ``cascade``, its snapshots'), unless it is
        attached."""
        if force:
            scope.require_admin(ctxt)
        volume = scope.volume(self._db, ctxt, volume_id)
        if volume.group_id:
            raise exception.InvalidVolume(
                reason='volume %s is in group %s; remove it from the group '
                       'or delete the group with its volumes'
                       % (volume.id, volume.group_id))
        with self._locks.state(volume.id):
            volume = self._db.volume_get(volume.id)
            if volume.attachments:
                raise exception.InvalidVolume(
                    reason='volume %s is attached; detach it first'
                           % volume.id)
            snapshots = self._db.snapshot_get_all_for_volume(volume.id)
            if not cascade:
                self.refuse_if_snapshotted(volume.id)
            elif not force:
                busy = [s.id for s in snapshots if s.status not in (
                    states.AVAILABLE, states.ERROR)]
                if busy:
                    raise exception.InvalidVolume(
                        reason='snapshot(s) %s of volume %s are neither '
                               'available nor error' % (', '.join(busy),
                                                         volume.id))
            mine = {'owner': self.owner}
            try:
                volume = self._db.volume_transition(
                    volume.id, states.DELETING, values=mine, reset=force,
                    request=ledger.request(ctxt, request_id, 'delete_volume',
                                           volume.id),
                    no_snapshots=not cascade)
            except requests.Known as known:
                return ledger.replayed(known, self._db.volume_get)
            for snapshot in snapshots if cascade else ():
                self._db.snapshot_transition(snapshot.id, states.DELETING,
                                             values=mine, reset=True)
        LOG.info('Deleting volume %s%s%s', volume.id,
                 ' with its %d snapshot(s)' % len(snapshots)
                 if cascade else '', ' (forced)' if force else '')
        self._workers.spawn(self.destroy, volume.id, self.owner)
        return volume

    def extend(self, ctxt, volume_id, new_size, attached=False):
        """Cinder's os-extend: refused unless it grows. ``attached``
        (microversion 3.42): an in-use volume too, whose guest then sees
        the new size."""
        volume = scope.volume(self._db, ctxt, volume_id)
        check_size(new_size)
        with self._locks.state(volume.id):
            volume = self._db.volume_get(volume.id)
            if new_size <= volume.size:
                raise exception.InvalidInput(
                    reason='New size for extend must be greater than '
                           'current size. (current: %d, extended: %d).'
                           % (volume.size, new_size))
            self._shares.check_room(volume, new_size - volume.size)
            volume = self._db.volume_begin_extend(
                volume.id, new_size, self.owner,
                self._quotas.limits(volume.project_id), attached=attached)
        LOG.info('Extending volume %s from %d to %d GiB', volume.id,
                 volume.size, new_size)
        self._workers.spawn(self.grow, volume.id, self.owner, new_size)
        return volume

    def complete_extend(self, ctxt, volume_id, error):
        """Cinder 3.71's os-extend_volume_completion: a compute service
        (upstream Nova, after its volume-extended event) says how the
        extend of the attached volume ended; the worker waiting for it
        records that (``Assisted.receive_extend``: the first report
        wins). For administrators and compute services, whatever the
        volume's project."""
        if not ctxt.is_admin and 'service' not in ctxt.roles:
            raise exception.Forbidden(action='os-extend_volume_completion')
        volume = self._db.volume_get(volume_id)
        if volume.status != states.EXTENDING:
            raise exception.InvalidVolumeStatus(
                volume_id=volume.id, status=volume.status,
                expected=states.EXTENDING)
        if volume.extend_to is None:
            raise exception.InvalidVolume(
                reason='no new size is recorded for volume %s' % volume.id)
        delivered = self._assisted.receive_extend(volume, error)
        LOG.info('Volume %s: a compute service reports its extend to %d '
                 'GiB %s%s', volume.id, volume.extend_to,
                 'failed' if error else 'done',
                 '' if delivered else ' (too late: changes nothing)')
        return self._db.volume_get(volume.id)

    def revert(self, ctxt, volume_id, snapshot_id):
        """Cinder 3.40: the available volume goes back to its latest
        snapshot, of the same size; reverting (the snapshot restoring),
        then available, or error."""
        volume = scope.volume(self._db, ctxt, volume_id)
        snapshot = scope.snapshot(self._db, ctxt, snapshot_id)
        with self._locks.state(volume.id):
            volume = self._db.volume_get(volume.id)
            snapshots = self._db.snapshot_get_all_for_volume(volume.id)
            if snapshot.volume_id != volume.id or not snapshots or (
                    snapshots[-1].id != snapshot.id):
                raise exception.InvalidSnapshot(
                    reason='volume %s reverts only to its latest snapshot, '
                           'not %s' % (volume.id, snapshot.id))
            if volume.size != snapshot.volume_size:
                raise exception.InvalidVolume(
                    reason='volume %s is %d GiB and snapshot %s %d GiB; '
                           'a volume reverts only to a snapshot of its size'
                           % (volume.id, volume.size, snapshot.id,
                              snapshot.volume_size))
            self._shares.check_now(volume)
            volume = self._db.volume_begin_revert(volume.id, snapshot.id,
                                                  self.owner)
        LOG.info('Reverting volume %s to snapshot %s', volume.id,
                 snapshot.id)
        self._workers.spawn(self.revert_files, volume.id, self.owner)
        return volume

    def refuse_if_snapshotted(self, volume_id):
        """VolumeHasSnapshots while any snapshot depends on the volume."""
        snapshots = self._db.snapshot_get_all_for_volume(volume_id)
        if snapshots:
            raise exception.VolumeHasSnapshots(volume_id=volume_id,
                                               count=len(snapshots))

    def reset_status(self, ctxt, volume_id, status=None, attach_status=None):
        """Cinder's os-reset_status: ``status`` and/or ``attach_status``
        ("detached" forgets the volume's attachments, for an instance that
        is gone; "attached" only where attachments are recorded, since
        only an attach makes one)."""
        scope.require_admin(ctxt)
        volume = scope.volume(self._db, ctxt, volume_id)
        with self._locks.state(volume.id):
            volume = self._db.volume_get(volume.id)
            if attach_status == 'attached' and not volume.attachments:
                raise exception.InvalidInput(
                    reason='volume %s has no attachment to mark attached; '
                           'attach it through the compute service'
                           % volume.id)
            if attach_status == 'detached' and volume.attachments:
                volume = self._db.volume_forget_attachments(volume.id)
                LOG.warning('Volume %s: attachments forgotten by %s',
                            volume.id, ctxt.user_id)
            if status is not None:
                volume = self._db.volume_transition(volume.id, status,
                                                    reset=True)
                LOG.warning('Volume %s status reset to %s by %s', volume.id,
                            status, ctxt.user_id)
        return volume

    def set_bootable(self, ctxt, volume_id, bootable):
        volume = scope.volume(self._db, ctxt, volume_id)
        return self._db.volume_update(volume.id, {'bootable': bootable})

    # Work, in a worker ------------------------------------------------------

    def _tell(self, volume_id, action):
        return self._messages.teller(messages.VOLUME, volume_id, action)

    def _mine(self, volume_id, status, owner):
        volume = self._db.volume_get(volume_id)
        if volume.status != status or volume.owner != owner:
            LOG.info('Volume %s is %s (work of %s): not %s work of %s; '
                     'left to its owner', volume_id, volume.status,
                     volume.owner, status, owner)
            return None
        return volume

    def build(self, volume_id, owner, recovery=False):
        """Makes the files of a creating volume; can be run again after a
        crash. ``recovery``: run by recovery at start."""
        try:
            with self._locks.chain(volume_id, recovery=recovery):
                volume = self._mine(volume_id, states.CREATING, owner)
                if volume is None:
                    return
                chain = self._shares.chain(volume)
                fmt = CONF.volume.volume_format
                if volume.source_snapshot_id is None:
                    chain.create_base(volume.size, fmt)
                else:
                    snapshot = self._db.snapshot_get(
                        volume.source_snapshot_id)
                    source = self._db.volume_get(snapshot.volume_id)
                    with self._locks.chain(source.id, recovery=recovery):
                        chain.create_from(self._shares.chain(source),
                                          snapshot.id, fmt, volume.size)
                self._shares.record(volume_id, chain)
                if outcome.succeeded(self._db.volume_transition, volume_id,
                                     states.CREATING, states.AVAILABLE,
                                     owner):
                    LOG.info('Volume %s is available', volume_id)
        except Exception as e:
            outcome.failed(self._db.volume_transition, volume_id,
                           states.CREATING, states.ERROR, owner, e,
                           self._tell(volume_id, messages.CREATE_VOLUME))
            raise

    def grow(self, volume_id, owner, new_size=None, recovery=False):
        """Grows the active file of an extending volume (through its
        running guest's compute host when attached), then records the
        size. After a crash (``recovery``, no ``new_size`` known) a
        detached volume's file says: grown or not, the volume is available
        at the size it has; an attached one is grown to the size asked
        (libvirt's resize to the size it has already is no change), unless
        the first report on it (``Assisted.extend``) says it failed."""
        try:
            with self._locks.chain(volume_id, recovery=recovery):
                volume = self._mine(volume_id, states.EXTENDING, owner)
                if volume is None:
                    return
                asked = new_size or volume.extend_to or volume.size
                report = (self._assisted.extend(volume, asked)
                          if volume.attachments else None)
                if report is None:
                    chain = self._shares.chain(volume)
                    size = chain.grow(new_size or volume.size)
                else:
                    # Cinder 3.71: a compute service that could not grow
                    # the guest's disk leaves the volume its size, in use.
                    size = volume.size if report['error'] else asked
                # A detach meanwhile leaves it available.
                done = (states.IN_USE if self._db.volume_get(
                    volume_id).attachments else states.AVAILABLE)
                if outcome.succeeded(self._db.volume_transition, volume_id,
                                     states.EXTENDING, done, owner,
                                     values={'size': size,
                                             'extend_to': None}):
                    LOG.info('Volume %s is %s, %d GiB', volume_id, done,
                             size)
                    if report is not None and report['error']:
                        self._tell(volume_id, messages.EXTEND_VOLUME)(
                            exception.ComputeRequestFailed(
                                request='extend of volume %s' % volume_id,
                                reason=report['reason']))
        except Exception as e:
            outcome.failed(self._db.volume_transition, volume_id,
                           states.EXTENDING, states.ERROR_EXTENDING, owner,
                           e, self._tell(volume_id, messages.EXTEND_VOLUME),
                           values={'extend_to': None})
            raise

    def revert_files(self, volume_id, owner, recovery=False):
        """Empties the active file of a reverting volume (Chain.revert_to);
        run again after a crash, it does the same."""
        restoring = None
        try:
            with self._locks.chain(volume_id, recovery=recovery):
                volume = self._mine(volume_id, states.REVERTING, owner)
                if volume is None:
                    return
                restoring = next(
                    (s for s in self._db.snapshot_get_all_for_volume(
                        volume_id) if s.status == states.RESTORING), None)
                if restoring is None:
                    raise exception.ChainMismatch(
                        volume_id=volume_id,
                        reason='no snapshot of it is restoring')
                chain = self._shares.chain(volume)
                chain.revert_to(restoring.id)
                self._shares.record(volume_id, chain)
                self._restored(restoring)
                if outcome.succeeded(self._db.volume_transition, volume_id,
                                     states.REVERTING, states.AVAILABLE,
                                     owner):
                    LOG.info('Volume %s holds the data of snapshot %s',
                             volume_id, restoring.id)
        except Exception as e:
            if restoring is not None:
                self._restored(restoring)
            outcome.failed(self._db.volume_transition, volume_id,
                           states.REVERTING, states.ERROR, owner, e,
                           self._tell(volume_id, messages.REVERT_VOLUME))
            raise

    def _restored(self, snapshot):
        """The snapshot of a revert is available again, before its volume
        is (whoever began the revert: an earlier run, after a crash)."""
        if self._db.snapshot_get(snapshot.id).status == states.RESTORING:
            outcome.succeeded(self._db.snapshot_transition, snapshot.id,
                              states.RESTORING, states.AVAILABLE, owner=None)

    def destroy(self, volume_id, owner, recovery=False):
        """Removes the files of a deleting volume, then its record."""
        try:
            with self._locks.chain(volume_id, recovery=recovery):
                volume = self._mine(volume_id, states.DELETING, owner)
                if volume is None:
                    return
                self._shares.chain(volume).remove_all()
                # Those of a cascade (or forced) delete: gone with the
                # files.
                for snapshot in self._db.snapshot_get_all_for_volume(
                        volume_id):
                    self._db.snapshot_transition(
                        snapshot.id, states.DELETED,
                        expected=[states.DELETING])
                self._db.volume_transition(volume_id, states.DELETED,
                                           expected=[states.DELETING],
                                           owner=owner)
            LOG.info('Volume %s is deleted', volume_id)
        except Exception as e:
            outcome.failed(self._db.volume_transition, volume_id,
                           states.DELETING, states.ERROR_DELETING, owner, e,
                           self._tell(volume_id, messages.DELETE_VOLUME))
            raise
