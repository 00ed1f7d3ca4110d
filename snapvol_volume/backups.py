"""Backups (Cinder's backups API): requests to make, delete and restore
them, the workers that do it, and the recovery of what a dead manager
left in flight.

A backup reads a snapshot's point in time (or the current data of a
detached volume) through ``guest_data`` and writes Cinder's chunked
format (``backup_drivers``). Its request marks what it reads (backing-up)
in the transaction that makes the backup's row; the worker opens the
chain under the chain lock, then reads without it, so snapshots of the
volume can still be made and newer ones deleted meanwhile (``reads``
refuses the deletes that would change what is read). A restore writes
into an available volume (restoring-backup) under its chain lock.

Crashes: a backup left creating by a dead manager ends in error, its
objects removed; one left deleting is deleted; a restore ends with the
backup available and its volume error_restoring, as Cinder's backup
manager does at start.
"""

import datetime
import errno
import os
import uuid

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_volume import guest_data
from snapvol_volume import scope
from snapvol_volume.backup_drivers import chunked
from snapvol_volume.backup_drivers import posix

LOG = logging.getLogger(__name__)

SERVICE = 'posix'
GiB = 1024 ** 3
# A chain that cannot be mapped is converted to raw here (under
# posix_path); restores into a qcow2 file are staged here too.
SCRATCH = '.scratch'


def driver():
    """The backup driver the [backup] options describe."""
    return chunked.ChunkedDriver(
        posix.PosixStore(CONF.backup.posix_path),
        CONF.backup.backup_file_size, CONF.backup.backup_sha_block_size_bytes,
        CONF.backup.backup_compression_algorithm,
        threads=CONF.backup.object_threads,
        level=CONF.backup.compression_level)


def record(backup):
    """The chunked format's view of a backup row."""
    return chunked.Record(
        id=backup.id, volume_id=backup.volume_id, name=backup.name,
        description=backup.description, created_at=str(backup.created_at),
        parent_id=backup.parent_id, container=backup.container,
        prefix=backup.service_metadata)


def fail_reason(error):
    """What a user reads in ``fail_reason``: fixed words, never a path."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC,
                                                      errno.EDQUOT):
        return 'The backup store has no space left.'
    if isinstance(error, (exception.InvalidBackup, exception.BackupCorrupt,
                          exception.InvalidVolume)):
        return str(error)
    if isinstance(error, (exception.ShareUnavailable,
                          exception.ChainMismatch)):
        return 'The volume\'s files cannot be read now.'
    return ('The backup failed; an administrator finds why in the volume '
            'manager\'s log.')


def _utcnow():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class Backups:

    def __init__(self, db, shares, locks, workers, volumes, quotas, owner,
                 host, live_runs=frozenset, exports=None):
        """``volumes``: makes the new volume of a restore;
        ``live_runs()``: the owners whose work is not to be taken;
        ``exports``: forgets the partial files of exports a recovery
        ends."""
        self._db = db
        self._shares = shares
        self._locks = locks
        self._workers = workers
        self._volumes = volumes
        self._quotas = quotas
        self._host = host
        self._live_runs = live_runs
        self._exports = exports
        self.owner = owner

    # Requests ---------------------------------------------------------------

    def create(self, ctxt, volume_id, name=None, description=None,
               snapshot_id=None, incremental=False, force=False,
               container=None, metadata=None, availability_zone=None):
        """A backup of the volume's data, or of its snapshot's with
        ``snapshot_id``; with ``incremental``, of the blocks that changed
        since its latest backup before that point in time."""
        volume = scope.volume(self._db, ctxt, volume_id)
        snapshot = None
        if snapshot_id is not None:
            snapshot = scope.snapshot(self._db, ctxt, snapshot_id)
            self._check_snapshot(volume, snapshot)
        else:
            self._check_volume(volume, force)
        if availability_zone not in (None, CONF.storage_availability_zone):
            raise exception.InvalidAvailabilityZone(az=availability_zone)
        backup_id = str(uuid.uuid4())
        container = posix.check_container(
            container or CONF.backup.backup_container
            or '%s/%s/%s' % (backup_id[0:2], backup_id[2:4], backup_id))
        size = snapshot.volume_size if snapshot else volume.size
        parent = self._parent(ctxt, volume, snapshot, size) if (
            incremental) else None
        now = _utcnow()
        values = {
            'id': backup_id, 'project_id': ctxt.project_id,
            'user_id': ctxt.user_id, 'volume_id': volume.id,
            'snapshot_id': snapshot.id if snapshot else None,
            'parent_id': parent.id if parent else None, 'host': self._host,
            'availability_zone': CONF.storage_availability_zone,
            'name': name, 'description': description,
            'container': container, 'status': states.BACKUP.initial,
            'service': SERVICE,
            # Cinder's posix object prefix.
            'service_metadata': 'volume_%s_%s_backup_%s' % (
                volume.id, now.strftime('%Y%m%d%H%M%S'), backup_id),
            'size': size, 'object_count': 0, 'created_at': now,
            'data_timestamp': snapshot.created_at if snapshot else now,
            'owner': self.owner, 'meta': metadata or {}}
        with self._locks.state(volume.id):
            backup = self._db.backup_create(
                values, limits=self._quotas.limits(ctxt.project_id))
        LOG.info('Backing up %s of volume %s as %s%s',
                 'snapshot %s' % snapshot.id if snapshot else 'the data',
                 volume.id, backup.id,
                 ' (incremental on %s)' % parent.id if parent else '')
        self._workers.spawn(self.build, backup.id, self.owner)
        return backup

    @staticmethod
    def _check_snapshot(volume, snapshot):
        if snapshot.volume_id != volume.id:
            raise exception.InvalidVolume(
                reason='Volume %s does not match with snapshot.volume_id '
                       '%s.' % (volume.id, snapshot.volume_id))
        if snapshot.status != states.AVAILABLE:
            raise exception.InvalidSnapshot(
                reason='Snapshot to be backed up must be available, but '
                       'the current status is "%s".' % snapshot.status)

    @staticmethod
    def _check_volume(volume, force):
        if volume.status == states.IN_USE:
            if not force:
                raise exception.InvalidVolume(
                    reason='Backing up an in-use volume must use the '
                           'force flag.')
            # Its guest writes the active file as it would be read.
            raise exception.InvalidVolume(
                reason='volume %s is attached, and snapvol reads only data '
                       'no guest is writing: take a snapshot of it, then '
                       'back up the snapshot (snapshot_id)' % volume.id)
        if volume.status != states.AVAILABLE:
            raise exception.InvalidVolume(
                reason='Volume to be backed up must be available or '
                       'in-use, but the current status is "%s".'
                       % volume.status)

    def _parent(self, ctxt, volume, snapshot, size):
        """The backup an incremental one builds on, as Cinder chooses it:
        the available backup of the volume with the latest data, not newer
        than the snapshot's when there is one (a backup of that very
        snapshot holds its data: an incremental on it finds no change)."""
        candidates = [
            b for b in self._db.backup_get_all(
                {'volume_id': volume.id, 'project_id': ctxt.project_id,
                 'status': states.AVAILABLE})
            if snapshot is None or b.data_timestamp <= snapshot.created_at]
        if not candidates:
            raise exception.InvalidBackup(
                reason='No backups available to do an incremental backup.')
        parent = max(candidates, key=lambda b: (b.data_timestamp,
                                                b.created_at))
        if size > parent.size:
            raise exception.InvalidBackup(
                reason='Volume size increased since the last backup. Do a '
                       'full backup.')
        return parent

    def update(self, ctxt, backup_id, values):
        """Cinder 3.9: name and description; 3.43: metadata."""
        backup = self._db.backup_get(backup_id, scope.project(ctxt))
        values = {k: v for k, v in values.items()
                  if k in ('name', 'description', 'metadata')}
        if 'metadata' in values:
            values['meta'] = values.pop('metadata') or {}
        if values:
            backup = self._db.backup_update(backup.id, values)
        return backup

    def delete(self, ctxt, backup_id, force=False):
        """A backup available or in error, on which no other builds;
        ``force`` (administrators, os-force_delete): also one being made,
        whose worker stops."""
        if force:
            scope.require_admin(ctxt)
        backup = self._db.backup_get(backup_id, scope.project(ctxt))
        if not force and backup.status not in (states.AVAILABLE,
                                                states.ERROR):
            raise exception.InvalidBackup(
                reason='Backup status must be available or error')
        backup = self._db.backup_begin_delete(
            backup.id, self.owner, scope.project(ctxt), force=force)
        LOG.info('Deleting backup %s%s', backup.id,
                 ' (forced)' if force else '')
        self._workers.spawn(self.destroy, backup.id, self.owner)
        return backup

    def reset_status(self, ctxt, backup_id, status):
        scope.require_admin(ctxt)
        backup = self._db.backup_get(backup_id)
        backup = self._db.backup_transition(backup.id, status, reset=True)
        LOG.warning('Backup %s status reset to %s by %s', backup.id, status,
                    ctxt.user_id)
        return backup

    def restore(self, ctxt, backup_id, volume_id=None, name=None):
        """Writes the backup's data into the available volume
        ``volume_id`` of at least its size, or into a new volume (named
        ``name``); Cinder's answer: {backup_id, volume_id, volume_name}."""
        backup = self._db.backup_get(backup_id, scope.project(ctxt))
        if backup.status != states.AVAILABLE:
            raise exception.InvalidBackup(
                reason='Backup status must be available')
        if volume_id is None:
            return self._restore_new(ctxt, backup, name)
        volume = scope.volume(self._db, ctxt, volume_id)
        if volume.status != states.AVAILABLE:
            raise exception.InvalidVolume(
                reason='Volume to be restored to must be available')
        with self._locks.state(volume.id):
            self._db.backup_begin_restore(backup.id, volume.id, self.owner)
        LOG.info('Restoring backup %s into volume %s', backup.id, volume.id)
        self._workers.spawn(self.restore_files, backup.id, self.owner, False)
        return {'backup_id': backup.id, 'volume_id': volume.id,
                'volume_name': volume.name}

    def _restore_new(self, ctxt, backup, name):
        volume = self._volumes.create(
            ctxt, backup.size, name or 'restore_backup_%s' % backup.id,
            'auto-created_from_restore_from_backup', {}, None)
        try:
            self._db.backup_begin_restore(backup.id, volume.id, self.owner,
                                          volume_ready=False)
        except exception.SnapvolException:
            LOG.warning('Backup %s changed as volume %s was made for its '
                        'restore; the volume stays empty', backup.id,
                        volume.id)
            raise
        LOG.info('Restoring backup %s into new volume %s', backup.id,
                 volume.id)
        self._workers.spawn(self.restore_files, backup.id, self.owner, True)
        return {'backup_id': backup.id, 'volume_id': volume.id,
                'volume_name': volume.name}

    # Work, in a worker ------------------------------------------------------

    def _mine(self, backup_id, status, owner):
        try:
            backup = self._db.backup_get(backup_id)
        except exception.BackupNotFound:
            return None
        if backup.status != status or backup.owner != owner:
            LOG.info('Backup %s is %s (work of %s): not %s work of %s; left '
                     'to its owner', backup_id, backup.status, backup.owner,
                     status, owner)
            return None
        return backup

    def build(self, backup_id, owner):
        """Writes the objects of a creating backup; it ends available, or
        in error with its objects removed."""
        backup = self._mine(backup_id, states.CREATING, owner)
        if backup is None:
            return
        drv = driver()
        try:
            count = self._write(drv, backup, owner)
        except chunked.Cancelled:
            LOG.info('Backup %s was deleted while it was made; it stops',
                     backup_id)
            self._remove_objects(drv, backup)
            self._db.read_end(backup.volume_id, backup.snapshot_id, owner)
            return
        except Exception as e:
            LOG.exception('Backup %s failed', backup_id)
            self._remove_objects(drv, backup)
            self._end(backup, states.ERROR, owner,
                      {'fail_reason': fail_reason(e)})
            return
        if self._end(backup, states.AVAILABLE, owner,
                     {'object_count': count}):
            LOG.info('Backup %s is available: %d objects', backup_id, count)

    def _write(self, drv, backup, owner):
        parent_shas = None
        if backup.parent_id is not None:
            parent_shas = drv.read_shas(record(self._db.backup_get(
                backup.parent_id)))
        volume = self._db.volume_get(backup.volume_id)
        with self._locks.chain(volume.id):
            chain = self._shares.chain(volume)
            source = guest_data.Source.open(
                chain, guest_data.layers_at(chain, backup.snapshot_id),
                os.path.join(CONF.backup.posix_path, SCRATCH))
        with source:
            return drv.backup(
                record(backup), source, parent_shas,
                volume_meta=_volume_meta(volume),
                going_on=lambda: self._mine(backup.id, states.CREATING,
                                            owner) is not None)

    def _end(self, backup, target, owner, values):
        try:
            self._db.backup_finish(backup.id, target, owner, values)
            return True
        except (exception.InvalidBackupStatus, exception.BackupNotFound) as e:
            LOG.warning('Not recording %s for backup %s: %s', target,
                        backup.id, e)
            self._db.read_end(backup.volume_id, backup.snapshot_id, owner)
            return False

    @staticmethod
    def _remove_objects(drv, backup):
        try:
            drv.delete(record(backup))
        except Exception:
            LOG.exception('Backup %s: its objects could not all be removed',
                          backup.id)

    def destroy(self, backup_id, owner):
        """Removes the objects of a deleting backup, then its row."""
        backup = self._mine(backup_id, states.DELETING, owner)
        if backup is None:
            return
        try:
            driver().delete(record(backup))
            self._db.backup_transition(backup.id, states.DELETED,
                                       expected=[states.DELETING],
                                       owner=owner)
        except Exception as e:
            LOG.exception('Deleting backup %s failed', backup_id)
            try:
                self._db.backup_transition(
                    backup.id, states.ERROR, expected=[states.DELETING],
                    owner=owner, values={'fail_reason': fail_reason(e)})
            except exception.InvalidBackupStatus as conflict:
                LOG.warning('Backup %s: %s', backup_id, conflict)
            return
        LOG.info('Backup %s is deleted', backup_id)

    def restore_files(self, backup_id, owner, volume_is_new):
        """Writes a restoring backup's data into its volume; the volume
        ends available (error_restoring if that failed), the backup
        available."""
        backup = self._mine(backup_id, states.RESTORING, owner)
        if backup is None:
            return
        succeeded = False
        try:
            if volume_is_new:
                self._ready(backup.restore_volume_id, owner)
            self._restore_into(backup, owner, volume_is_new)
            succeeded = True
        except Exception:
            LOG.exception('Restoring backup %s into volume %s failed',
                          backup_id, backup.restore_volume_id)
        finally:
            done = self._db.restore_finish(backup.id, owner, succeeded)
        if succeeded and done:
            LOG.info('Volume %s holds the data of backup %s',
                     backup.restore_volume_id, backup_id)

    def _ready(self, volume_id, owner):
        """Makes the new volume of a restore (if its own worker has not
        yet), then marks it restoring-backup."""
        self._volumes.build(volume_id, self._volumes.owner)
        self._db.restore_volume_begin(volume_id, owner)

    def _restore_into(self, backup, owner, volume_is_new):
        records = [record(b) for b in self._lineage(backup)]
        drv = driver()
        with self._locks.chain(backup.restore_volume_id):
            volume = self._db.volume_get(backup.restore_volume_id)
            if (volume.status != states.RESTORING_BACKUP
                    or volume.owner != owner):
                raise exception.InvalidVolumeStatus(
                    volume_id=volume.id, status=volume.status,
                    expected=states.RESTORING_BACKUP)
            chain = self._shares.chain(volume)
            active = chain.check()[1][0]
            path = chain.path(active.name)
            if active.fmt == 'raw':
                fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
                try:
                    drv.restore(records, fd, volume_is_new)
                finally:
                    os.close(fd)
                return
            # qemu-img writes a qcow2 file: the data is staged in raw.
            scratch = os.path.join(CONF.backup.posix_path, SCRATCH)
            os.makedirs(scratch, mode=0o700, exist_ok=True)
            staged = os.path.join(scratch, 'restore-%s-%s.raw' % (
                backup.id, volume.id))
            try:
                fd = os.open(staged, os.O_RDWR | os.O_CREAT | os.O_TRUNC
                             | os.O_CLOEXEC, 0o600)
                try:
                    os.ftruncate(fd, backup.size * GiB)
                    drv.restore(records, fd, volume_is_new=True)
                finally:
                    os.close(fd)
                guest_data.write_into(staged, 'raw', path, active.fmt)
            finally:
                guest_data.unlink(staged)

    def _lineage(self, backup):
        """The backups a restore of ``backup`` writes, the full one
        first."""
        lineage = [backup]
        while lineage[-1].parent_id is not None:
            lineage.append(self._db.backup_get(lineage[-1].parent_id))
        return lineage[::-1]

    # Recovery ---------------------------------------------------------------

    def recover(self):
        """Ends the backup work of dead managers (at start and
        periodically): creating backups end in error (their objects
        removed), deleting ones are deleted, restores end (the volume
        error_restoring); then the reads and restores they left marked
        on volumes and snapshots are ended."""
        live = set(self._live_runs()) | {self.owner}
        for backup in self._db.backup_get_all_in(states.BACKUP_IN_FLIGHT):
            if backup.owner in live or not self._db.backup_claim(
                    backup.id, backup.status, backup.owner, self.owner):
                continue
            LOG.warning('Backup %s was %s when %s stopped', backup.id,
                        backup.status, backup.owner)
            if backup.status == states.CREATING:
                self._claim_read(backup.volume_id, backup.snapshot_id,
                                 backup.owner)
                self._workers.spawn(self._abandon, backup.id)
            elif backup.status == states.DELETING:
                self._workers.spawn(self.destroy, backup.id, self.owner)
            else:
                self._db.volume_claim(backup.restore_volume_id,
                                      states.RESTORING_BACKUP, backup.owner,
                                      self.owner)
                self._db.restore_finish(backup.id, self.owner, False)
        volumes, snapshots = self._db.reads_in_flight()
        for row, snapshot_id in ([(v, None) for v in volumes]
                                 + [(s, s.id) for s in snapshots]):
            if row.owner in live:
                continue
            volume_id = row.id if snapshot_id is None else row.volume_id
            self._end_read(volume_id, snapshot_id, row.status, row.owner)

    def _claim_read(self, volume_id, snapshot_id, dead):
        if snapshot_id is None:
            for status in (states.BACKING_UP, states.UPLOADING):
                self._db.volume_claim(volume_id, status, dead, self.owner)
        else:
            self._db.snapshot_claim(snapshot_id, states.BACKING_UP, dead,
                                    self.owner)

    def _abandon(self, backup_id):
        backup = self._db.backup_get(backup_id)
        self._remove_objects(driver(), backup)
        self._end(backup, states.ERROR, self.owner, {
            'fail_reason': 'The volume service stopped while the backup '
                           'was being made.'})

    def _end_read(self, volume_id, snapshot_id, status, dead):
        """A read (or restore) mark whose owner died: the export's partial
        file goes, the mark ends."""
        if status == states.RESTORING_BACKUP:
            if self._db.volume_claim(volume_id, status, dead, self.owner):
                self._db.volume_transition(
                    volume_id, states.ERROR_RESTORING,
                    expected=[states.RESTORING_BACKUP], owner=self.owner)
                LOG.warning('Volume %s: its restore stopped with %s',
                            volume_id, dead)
            return
        if snapshot_id is None:
            claimed = self._db.volume_claim(volume_id, status, dead,
                                            self.owner)
        else:
            claimed = self._db.snapshot_claim(snapshot_id, status, dead,
                                              self.owner)
        if not claimed:
            return
        if self._exports is not None:
            self._exports.forget(volume_id, snapshot_id)
        self._db.read_end(volume_id, snapshot_id, self.owner)
        LOG.warning('%s %s: the read of %s ended with it',
                    'Volume' if snapshot_id is None else 'Snapshot',
                    snapshot_id or volume_id, dead)


def _volume_meta(volume):
    """The volume's own fields a backup keeps (Cinder's volume_meta)."""
    return {'version': 2,
            'volume-base-metadata': {'display_name': volume.name,
                                     'display_description':
                                         volume.description,
                                     'bootable': volume.bootable},
            'volume-metadata': {m.key: m.value
                                for m in volume.metadata_items}}
