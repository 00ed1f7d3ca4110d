"""Backups in the volume database, and the *reads* of a volume's data
that backups and exports make.

A read marks what it reads: the snapshot whose point in time it copies
becomes backing-up, or, for the volume's current data, the volume
becomes backing-up (a backup) or uploading (an export); the mark carries
the reader as its owner. It begins in one transaction with the checks
that make it safe (no merge in flight below the point read, the quota,
the backup's row) and ends in one with the reader's outcome. A delete of
the snapshot read, or of an older snapshot of the volume, is refused
while a mark stands (``snapvol_volume.reads``).
"""

from collections.abc import Collection
import uuid

import sqlalchemy as sa
from sqlalchemy import orm

from snapvol_api import exception
from snapvol_api import states
from snapvol_volume.db import common
from snapvol_volume.db import models
from snapvol_volume.db import quotas

BACKUP_SORT_KEYS = ('id', 'name', 'status', 'volume_id', 'size',
                    'created_at', 'updated_at', 'data_timestamp')
# What marks a read of the volume itself.
VOLUME_READS = (states.BACKING_UP, states.UPLOADING)


def _not_found(backup_id):
    return exception.BackupNotFound(backup_id=backup_id)


def _backup_conflict(backup_id):
    return common.conflict(exception.BackupNotFound,
                           exception.InvalidBackupStatus,
                           backup_id=backup_id)


def _volume_conflict(volume_id):
    return common.conflict(exception.VolumeNotFound,
                           exception.InvalidVolumeStatus,
                           volume_id=volume_id)


def _snapshot_conflict(snapshot_id):
    return common.conflict(exception.SnapshotNotFound,
                           exception.InvalidSnapshotStatus,
                           snapshot_id=snapshot_id)


# Backups --------------------------------------------------------------------

def backup_get(backup_id: str,
               project_id: str | None = None) -> models.Backup:
    """A live backup, of ``project_id`` when given; else BackupNotFound."""
    with common.session() as session:
        return common.get(session, models.Backup, backup_id, project_id,
                          _not_found(backup_id))


def backup_get_all(filters=None, marker=None, limit=None, sort=None,
                   offset=None) -> list[models.Backup]:
    """Live backups, as volume_get_all lists volumes."""
    return common.get_all(models.Backup, BACKUP_SORT_KEYS, filters, marker,
                          limit, sort, offset)


def backup_get_all_in(statuses: Collection[str]) -> list[models.Backup]:
    """Live backups in one of ``statuses``, whoever's."""
    with common.session() as session:
        return list(session.scalars(common.live(models.Backup).where(
            models.Backup.status.in_(statuses))))


def backup_create(values: dict, limits: dict | None = None,
                  volume_status: str = states.BACKING_UP) -> models.Backup:
    """A new backup (``values['status']`` the initial one) of volume
    ``values['volume_id']``, at its snapshot ``values['snapshot_id']``
    when given, whose read begins with it (see ``read_begin``; the read's
    owner is the backup's, ``values['owner']``). With the project's quota
    ``limits``, refused (OverQuota) when one backup more, of
    ``values['size']`` GiB, would pass them. One transaction: refused,
    nothing changes."""
    values = dict(values, id=values.get('id') or str(uuid.uuid4()))
    check = quotas.checker(values['project_id'], limits, backups=1,
                           backup_gigabytes=values['size'])

    def create(session):
        check(session)
        _read_begin(session, values['volume_id'], values.get('snapshot_id'),
                    volume_status, values['owner'])
        common.add(session, states.BACKUP, models.Backup, values)
    common.transaction(create)
    return backup_get(values['id'])


def backup_update(backup_id: str, values: dict) -> models.Backup:
    """Changes columns other than the status and owner."""
    common.update(models.Backup, backup_id, values, _not_found(backup_id))
    return backup_get(backup_id)


def _backup_transition_in(session, backup_id, target, expected=None,
                          values=None, owner=None, reset=False):
    common.transition(session, states.BACKUP, models.Backup, backup_id,
                      target, expected, values, owner, reset,
                      _backup_conflict(backup_id))


def backup_transition(backup_id: str, target: str,
                      expected: Collection[str] | None = None,
                      values: dict | None = None, owner: str | None = None,
                      reset: bool = False) -> models.Backup | None:
    """As volume_transition, by ``states.BACKUP``, raising
    InvalidBackupStatus; to ``deleted`` the backup is soft-deleted and
    None is returned."""
    common.transaction(_backup_transition_in, backup_id, target, expected,
                       values, owner, reset)
    return None if target == states.DELETED else backup_get(backup_id)


def backup_finish(backup_id: str, target: str, owner: str,
                  values: dict | None = None) -> models.Backup:
    """The creating backup of ``owner`` becomes ``target`` (available or
    error) and its read ends, in one transaction; InvalidBackupStatus
    (nothing changes) when it is no longer that work: a force delete
    took it meanwhile (end its read with ``read_end`` then)."""
    def finish(session):
        _backup_transition_in(session, backup_id, target,
                              expected=[states.CREATING], values=values,
                              owner=owner)
        backup = common.get(session, models.Backup, backup_id, None,
                            _not_found(backup_id))
        _read_end(session, backup.volume_id, backup.snapshot_id, owner)
    common.transaction(finish)
    return backup_get(backup_id)


def backup_begin_delete(backup_id: str, owner: str,
                        project_id: str | None = None,
                        force: bool = False) -> models.Backup:
    """The backup becomes deleting, the work of ``owner``, if it is
    available or in error (with ``force`` also creating: its read ends
    here, and its worker stops) and no live backup builds on it (else
    InvalidBackup); one transaction."""
    expected = [states.AVAILABLE, states.ERROR] + (
        [states.CREATING] if force else [])

    def begin(session):
        backup = common.get(session, models.Backup, backup_id, project_id,
                            _not_found(backup_id))
        if backup.has_dependents:
            raise exception.InvalidBackup(
                reason='Incremental backups exist for this backup.')
        reader = backup.owner if backup.status == states.CREATING else None
        _backup_transition_in(session, backup_id, states.DELETING,
                              expected=expected, values={'owner': owner})
        if reader is not None:
            _read_end(session, backup.volume_id, backup.snapshot_id, reader)
    common.transaction(begin)
    return backup_get(backup_id)


def backup_begin_restore(backup_id: str, volume_id: str, owner: str,
                         volume_ready: bool = True) -> models.Backup:
    """The available backup becomes restoring into volume ``volume_id``,
    the work of ``owner``; with ``volume_ready`` the available volume
    becomes restoring-backup in the same transaction (else
    ``restore_volume_begin`` does that once the new volume is made). The
    volume must hold the backup's size (else InvalidVolume)."""
    def begin(session):
        backup = common.get(session, models.Backup, backup_id, None,
                            _not_found(backup_id))
        volume = _hold_volume(session, volume_id)
        if backup.size > volume.size:
            raise exception.InvalidVolume(
                reason='volume size %d is too small to restore backup of '
                       'size %d.' % (volume.size, backup.size))
        _backup_transition_in(session, backup_id, states.RESTORING,
                              expected=[states.AVAILABLE],
                              values={'owner': owner,
                                      'restore_volume_id': volume_id})
        if volume_ready:
            _volume_restore_begin(session, volume_id, owner)
    common.transaction(begin)
    return backup_get(backup_id)


def restore_volume_begin(volume_id: str, owner: str) -> None:
    """The available volume becomes restoring-backup, the work of
    ``owner`` (else InvalidVolumeStatus)."""
    common.transaction(_volume_restore_begin, volume_id, owner)


def _volume_restore_begin(session, volume_id, owner):
    common.transition(session, states.VOLUME, models.Volume, volume_id,
                      states.RESTORING_BACKUP, [states.AVAILABLE],
                      {'owner': owner}, None, False,
                      _volume_conflict(volume_id))


def restore_finish(backup_id: str, owner: str, succeeded: bool) -> bool:
    """The restore of ``owner`` ends: its volume, if still restoring-backup
    by ``owner``, becomes available (or error_restoring), and the backup
    available again; one transaction. False when the volume was no
    longer that work (an administrator's reset)."""
    def finish(session):
        backup = common.get(session, models.Backup, backup_id, None,
                            _not_found(backup_id))
        done = _try(common.transition, session, states.VOLUME,
                    models.Volume, backup.restore_volume_id,
                    states.AVAILABLE if succeeded else states.ERROR_RESTORING,
                    [states.RESTORING_BACKUP], None, owner, False,
                    _volume_conflict(backup.restore_volume_id))
        _try(_backup_transition_in, session, backup_id, states.AVAILABLE,
             expected=[states.RESTORING], owner=owner,
             values={'restore_volume_id': None})
        return done
    return common.transaction(finish)


@common.retrying
def backup_claim(backup_id: str, status: str, owner_from: str | None,
                 owner_to: str) -> bool:
    """volume_claim for a backup."""
    with common.session() as session:
        return common.claim(session, models.Backup, backup_id, status,
                            owner_from, owner_to)


# Reads ----------------------------------------------------------------------

def read_begin(volume_id: str, snapshot_id: str | None, owner: str,
               volume_status: str = states.UPLOADING) -> None:
    """A read of ``owner`` begins (an export's): the available snapshot
    becomes backing-up, or without one the available volume becomes
    ``volume_status``. Refused (InvalidSnapshot) while a merge of that
    snapshot or of an older one is in flight: it changes the files the
    read would go through."""
    common.transaction(_read_begin, volume_id, snapshot_id, volume_status,
                       owner)


def read_end(volume_id: str, snapshot_id: str | None, owner: str) -> bool:
    """The read of ``owner`` ends: what it marked is available again,
    unless someone changed it meanwhile (False)."""
    return common.transaction(_read_end, volume_id, snapshot_id, owner)


def refuse_delete_in(session, snapshot_id: str) -> None:
    """BeingRead when a read needs the files a delete of the snapshot
    would merge: its volume's current data is read, or the snapshot or
    a newer one of its volume is (``snapvol_volume.reads``). One
    statement; within the transaction that makes the snapshot deleting,
    the check and the change are one."""
    me = orm.aliased(models.Snapshot)
    read = orm.aliased(models.Snapshot)
    newer = sa.or_(read.created_at > me.created_at,
                   sa.and_(read.created_at == me.created_at,
                           read.id >= me.id))
    rows = session.execute(
        sa.select(models.Volume.id, models.Volume.status, read.id)
        .select_from(me)
        .join(models.Volume, models.Volume.id == me.volume_id)
        .outerjoin(read, sa.and_(read.volume_id == me.volume_id,
                                 read.deleted.is_(False),
                                 read.status == states.BACKING_UP, newer))
        .where(me.id == snapshot_id)
        .order_by(read.created_at, read.id)).all()
    if not rows:
        return
    volume_id, volume_status, first_read = rows[0]
    if volume_status in VOLUME_READS:
        raise exception.BeingRead(
            snapshot_id=snapshot_id, volume_id=volume_id,
            reader=_reader(session, volume_id, None, volume_status),
            what='the current data')
    if first_read is not None:
        raise exception.BeingRead(
            snapshot_id=snapshot_id, volume_id=volume_id,
            reader=_reader(session, volume_id, first_read,
                           states.BACKING_UP),
            what=('this snapshot' if first_read == snapshot_id
                  else 'snapshot %s, newer than it,' % first_read))


def snapshot_refuse_if_read(snapshot_id: str) -> None:
    """refuse_delete_in, in a transaction of its own."""
    common.transaction(refuse_delete_in, snapshot_id)


def _reader(session, volume_id, snapshot_id, status):
    """Who reads: the backup being made of it, else an export."""
    backup_id = session.scalars(
        sa.select(models.Backup.id).where(
            models.Backup.volume_id == volume_id,
            models.Backup.deleted.is_(False),
            models.Backup.status == states.CREATING,
            (models.Backup.snapshot_id == snapshot_id
             if snapshot_id is not None
             else models.Backup.snapshot_id.is_(None)))).first()
    if backup_id is not None:
        return 'backup %s' % backup_id
    if status == states.UPLOADING or snapshot_id is not None:
        return 'an export'
    return 'a backup'


def reads_in_flight() -> tuple[list, list]:
    """(volumes, snapshots) marked as read or written by a backup, a
    restore or an export."""
    with common.session() as session:
        volumes = list(session.scalars(common.live(models.Volume).where(
            models.Volume.status.in_(VOLUME_READS
                                     + (states.RESTORING_BACKUP,)))))
        snapshots = list(session.scalars(common.live(models.Snapshot).where(
            models.Snapshot.status == states.BACKING_UP)))
    return volumes, snapshots


def _hold_volume(session, volume_id):
    """The live volume, held until the transaction ends (the same write
    that changes nothing as the volume checks' own hold)."""
    held = session.execute(
        sa.update(models.Volume)
        .where(models.Volume.id == volume_id,
               models.Volume.deleted.is_(False))
        .values(updated_at=models.Volume.updated_at)).rowcount
    if not held:
        raise exception.VolumeNotFound(volume_id=volume_id)
    return session.scalars(sa.select(models.Volume)
                           .where(models.Volume.id == volume_id)
                           .execution_options(populate_existing=True)).one()


def _read_begin(session, volume_id, snapshot_id, volume_status, owner):
    _hold_volume(session, volume_id)
    snapshots = list(session.scalars(
        common.live(models.Snapshot)
        .where(models.Snapshot.volume_id == volume_id)
        .order_by(models.Snapshot.created_at, models.Snapshot.id)))
    ids = [s.id for s in snapshots]
    if snapshot_id is not None and snapshot_id not in ids:
        raise exception.SnapshotNotFound(snapshot_id=snapshot_id)
    # The read goes through the files of the snapshot's point in time:
    # those of it and of every older snapshot.
    below = snapshots if snapshot_id is None else snapshots[
        :ids.index(snapshot_id) + 1]
    merging = [s.id for s in below if s.status == states.DELETING]
    if merging:
        raise exception.InvalidSnapshot(
            reason='snapshot %s of volume %s is being deleted, and its '
                   'merge changes the files this read goes through; try '
                   'again once it is done' % (merging[0], volume_id))
    if snapshot_id is None:
        common.transition(session, states.VOLUME, models.Volume, volume_id,
                          volume_status, [states.AVAILABLE],
                          {'owner': owner}, None, False,
                          _volume_conflict(volume_id))
    else:
        common.transition(session, states.SNAPSHOT, models.Snapshot,
                          snapshot_id, states.BACKING_UP, [states.AVAILABLE],
                          {'owner': owner}, None, False,
                          _snapshot_conflict(snapshot_id))


def _read_end(session, volume_id, snapshot_id, owner):
    if snapshot_id is None:
        return _try(common.transition, session, states.VOLUME,
                    models.Volume, volume_id, states.AVAILABLE,
                    list(VOLUME_READS), None, owner, False,
                    _volume_conflict(volume_id))
    return _try(common.transition, session, states.SNAPSHOT,
                models.Snapshot, snapshot_id, states.AVAILABLE,
                [states.BACKING_UP], None, owner, False,
                _snapshot_conflict(snapshot_id))


_CONFLICTS = (exception.InvalidVolumeStatus, exception.InvalidSnapshotStatus,
              exception.InvalidBackupStatus, exception.NotFound)


def _try(transition, *args, **kwargs):
    """``transition(...)``; False instead of its conflict (the row was
    changed by someone else, who decides)."""
    try:
        transition(*args, **kwargs)
    except _CONFLICTS:
        return False
    return True
