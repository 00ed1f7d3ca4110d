"""Volumes (with their files and attachments) and snapshots in the volume
database."""

from collections.abc import Collection
import uuid

import sqlalchemy as sa

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.runtime import database
from snapvol_volume.db import common
from snapvol_volume.db import models
from snapvol_volume.db import quotas
from snapvol_volume.db import requests
from snapvol_volume.db import volume_types

VOLUME_SORT_KEYS = ('id', 'name', 'status', 'size', 'created_at',
                    'updated_at', 'availability_zone')
SNAPSHOT_SORT_KEYS = ('id', 'name', 'status', 'volume_id', 'created_at',
                    'updated_at')


# Volumes --------------------------------------------------------------------

def volume_get(volume_id, project_id=None):
    """A live volume, of ``project_id`` when it is given."""
    with common.session() as session:
        return common.get(session, models.Volume, volume_id, project_id,
                          exception.VolumeNotFound(volume_id=volume_id))


def volume_get_all(filters=None, marker=None, limit=None, sort=None,
                   offset=None):
    """Live volumes matching ``filters`` (column values, ``project_id``,
    ``metadata`` dict), sorted by ``sort`` ([key, dir] pairs), after the
    volume with id ``marker``."""
    return common.get_all(models.Volume, VOLUME_SORT_KEYS, filters, marker,
                          limit, sort, offset)


def share_provisioned_gigabytes(share: str) -> int:
    """The GiB of the live volumes on ``share`` (an extend in flight at
    the size it grows to)."""
    with common.session() as session:
        return session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(
                quotas.volume_gigabytes()), 0))
            .where(models.Volume.share == share,
                   models.Volume.deleted.is_(False))).scalar()


def volume_get_all_by_manager(host, cluster_name=None):
    """The live volumes whose work the manager of ``host`` does: those
    it made, and those of its cluster when it is in one."""
    mine = models.Volume.host == host
    if cluster_name is not None:
        mine = sa.or_(mine, models.Volume.cluster_name == cluster_name)
    with common.session() as session:
        return list(session.scalars(common.live(models.Volume).where(mine)))




def volume_create(values: dict, metadata: dict | None = None,
                  limits: dict | None = None,
                  request: requests.Request | None = None) -> models.Volume:
    """A new volume; ``values['status']`` is the initial one. With the
    project's quota ``limits``, refused (OverQuota) when it would pass
    one of them. With the ``request`` that asks for it, recorded in the
    ledger in the same transaction (requests.Known when it was there
    first)."""
    quota_check = quotas.checker(values.get('project_id'), limits,
                                 volumes=1, gigabytes=values.get('size', 0),
                                 size=values.get('size', 0))
    type_id = values.get('volume_type_id')

    def check(session):
        # A type deleted meanwhile is refused, not given to the volume.
        if type_id is not None:
            volume_types.lock_live(session, type_id)
        quota_check(session)
    return volume_get(_create_requested(models.Volume, models.VolumeMetadata,
                                        values, metadata, check, request))


def _create_requested(model, meta_model, values, metadata, check, request):
    """common.create, with the ledger row of ``request`` when given."""
    if request is None:
        return common.create(model, meta_model, values, metadata, check)
    values = dict(values, id=values.get('id') or str(uuid.uuid4()))

    def check_and_record(session):
        check(session)
        requests.record_in(session, request, values['id'])
    return requests.recording(request, lambda: common.create(
        model, meta_model, values, metadata, check_and_record))


def _hold(session, volume_id):
    """The live volume, held until the transaction of ``session`` ends, so
    that what is checked on it (its status, its snapshots in flight)
    stays true until the change that depends on it commits, whichever
    manager writes meanwhile. The hold is a write that changes nothing
    (as volume_types._get's): a row lock on PostgreSQL and MySQL, the one
    writer's lock on SQLite."""
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


def _snapshots_of(session, volume_id, in_flight=False):
    query = common.live(models.Snapshot).where(
        models.Snapshot.volume_id == volume_id)
    if in_flight:
        query = query.where(models.Snapshot.status.in_(states.IN_FLIGHT))
    return list(session.scalars(query))


def volume_transition_in(session, volume_id, target, expected=None,
                         values=None, owner=None, reset=False):
    """volume_transition within the transaction of ``session``."""
    conflict = common.conflict(exception.VolumeNotFound,
                               exception.InvalidVolumeStatus,
                               volume_id=volume_id)
    common.transition(session, states.VOLUME, models.Volume, volume_id,
                      target, expected, values, owner, reset, conflict)
    if target == states.DELETED:
        session.execute(sa.delete(models.VolumeFile).where(
            models.VolumeFile.volume_id == volume_id))


def volume_transition(volume_id: str, target: str,
                      expected: Collection[str] | None = None,
                      values: dict | None = None, owner: str | None = None,
                      reset: bool = False,
                      request: requests.Request | None = None,
                      no_snapshots: bool = False) -> models.Volume | None:
    """Moves a live volume to ``target`` if ``states.VOLUME`` allows it
    from the status the row has now (and that status is in ``expected``;
    and ``owner`` is its recorded owner, when given), in one
    compare-and-swap; else InvalidVolumeStatus, and nothing changes.

    ``values``: other columns set with it. ``reset``: an administrator's
    os-reset_status, from any status to one of ``states.VOLUME.reset_to``.
    To ``deleted`` the volume is soft-deleted with its file records and
    None is returned. ``request``: as for volume_create.
    ``no_snapshots``: refused (VolumeHasSnapshots) while the volume has
    any, checked in the same transaction.
    """
    def transition_in(session, *args):
        if no_snapshots:
            snapshots = _snapshots_of(session, _hold(session, volume_id).id)
            if snapshots:
                raise exception.VolumeHasSnapshots(volume_id=volume_id,
                                                   count=len(snapshots))
        volume_transition_in(session, *args)
    _transition_requested(transition_in, volume_id, target, expected,
                          values, owner, reset, request=request)
    return None if target == states.DELETED else volume_get(volume_id)


def _transition_requested(transition_in, resource_id, *args, request=None):
    """``transition_in(session, resource_id, *args)`` in a transaction of
    its own, with the ledger row of ``request`` when given."""
    def work(session):
        transition_in(session, resource_id, *args)
        if request is not None:
            requests.record_in(session, request, resource_id)
    if request is None:
        return common.transaction(work)
    return requests.recording(request, lambda: common.transaction(work))


def volume_begin_revert(volume_id: str, snapshot_id: str,
                        owner: str) -> models.Volume:
    """The available volume becomes reverting and its available snapshot
    restoring, both the work of ``owner``, in one transaction (else
    InvalidVolumeStatus or InvalidSnapshotStatus, and neither changes)."""
    def begin(session):
        volume_transition_in(session, volume_id, states.REVERTING,
                             expected=[states.AVAILABLE],
                             values={'owner': owner})
        conflict = common.conflict(exception.SnapshotNotFound,
                                   exception.InvalidSnapshotStatus,
                                   snapshot_id=snapshot_id)
        common.transition(session, states.SNAPSHOT, models.Snapshot,
                          snapshot_id, states.RESTORING, [states.AVAILABLE],
                          {'owner': owner}, None, False, conflict)
    common.transaction(begin)
    return volume_get(volume_id)


@common.retrying
def volume_claim(volume_id: str, status: str, owner_from: str | None,
                 owner_to: str) -> bool:
    """Makes ``owner_to`` the owner of the volume's work if it is still
    ``status`` and owned by ``owner_from``; False if not."""
    with common.session() as session:
        return common.claim(session, models.Volume, volume_id, status,
                            owner_from, owner_to)


def volume_update(volume_id: str, values: dict) -> models.Volume:
    """Changes columns other than the status (see volume_transition) and
    the group (see group_add_volumes)."""
    common.update(models.Volume, volume_id, values,
                  exception.VolumeNotFound(volume_id=volume_id),
                  protected=('group_id',))
    return volume_get(volume_id)


def volume_attach(volume_id: str, instance_id: str, host: str,
                  device: str | None) -> models.Volume:
    """Records an attachment and makes the volume in-use, if it was
    available (else InvalidVolumeStatus) and no snapshot of it is being
    made or merged (else InvalidVolume): one transaction, so a snapshot
    cannot begin on the detached chain as the domain opens it."""
    def attach(session):
        busy = _snapshots_of(session, _hold(session, volume_id).id,
                             in_flight=True)
        if busy:
            raise exception.InvalidVolume(
                reason='snapshot %s of volume %s is being changed; attach '
                       'it when that is done' % (busy[0].id, volume_id))
        volume_transition_in(session, volume_id, states.IN_USE)
        session.add(models.VolumeAttachment(
            volume_id=volume_id, instance_id=instance_id, host=host,
            device=device))
    common.transaction(attach)
    return volume_get(volume_id)


def volume_detach(volume_id: str, instance_id: str) -> models.Volume:
    """Forgets the attachment; the volume is available again once it has
    none left."""
    def detach(session):
        volume = common.get(session, models.Volume, volume_id, None,
                            exception.VolumeNotFound(volume_id=volume_id))
        mine = [a for a in volume.attachments
                if a.instance_id == instance_id]
        if not mine:
            raise exception.VolumeNotAttached(volume_id=volume_id)
        last = len(mine) == len(volume.attachments)
        for attachment in mine:
            session.delete(attachment)
        if last and volume.status == states.IN_USE:
            volume_transition_in(session, volume_id, states.AVAILABLE)
    common.transaction(detach)
    return volume_get(volume_id)


def volume_forget_attachments(volume_id: str) -> models.Volume:
    """Forgets every attachment of the volume (an administrator's
    os-reset_status); its status is not changed."""
    with common.session() as session:
        common.get(session, models.Volume, volume_id, None,
                   exception.VolumeNotFound(volume_id=volume_id))
        session.execute(sa.delete(models.VolumeAttachment).where(
            models.VolumeAttachment.volume_id == volume_id))
    return volume_get(volume_id)


def volume_metadata_set(volume_id, metadata, replace=False):
    common.transaction(database.set_metadata, models.VolumeMetadata,
                       'volume_id', volume_id, metadata, replace)
    return volume_get(volume_id)


@common.retrying
def volume_metadata_delete(volume_id, key):
    with common.session() as session:
        common.delete_metadata_key(session, models.VolumeMetadata, 'volume_id',
                                   volume_id, key)


def volume_file_set(volume_id, name, file_format):
    """Records (or changes) the format of one file of a volume."""
    with common.session() as session:
        session.merge(models.VolumeFile(volume_id=volume_id, name=name,
                                        format=file_format))


def volume_file_delete(volume_id, name):
    with common.session() as session:
        session.execute(sa.delete(models.VolumeFile).where(
            models.VolumeFile.volume_id == volume_id,
            models.VolumeFile.name == name))


def volume_files(volume_id):
    """{file name: recorded format} of a volume."""
    with common.session() as session:
        return {f.name: f.format for f in session.scalars(
            sa.select(models.VolumeFile).where(
                models.VolumeFile.volume_id == volume_id))}


# Snapshots ------------------------------------------------------------------

def snapshot_get(snapshot_id, project_id=None):
    with common.session() as session:
        return common.get(session, models.Snapshot, snapshot_id, project_id,
                          exception.SnapshotNotFound(snapshot_id=snapshot_id))


def snapshot_get_all(filters=None, marker=None, limit=None, sort=None,
                     offset=None):
    return common.get_all(models.Snapshot, SNAPSHOT_SORT_KEYS, filters, marker,
                          limit, sort, offset)


def snapshot_get_all_for_volume(volume_id):
    """Live snapshots of a volume, oldest first."""
    with common.session() as session:
        return list(session.scalars(
            common.live(models.Snapshot)
            .where(models.Snapshot.volume_id == volume_id)
            .order_by(models.Snapshot.created_at, models.Snapshot.id)))


def snapshot_create(values: dict, metadata: dict | None = None,
                    limits: dict | None = None,
                    request: requests.Request | None = None,
                    volume_status: Collection[str] | None = None
                    ) -> models.Snapshot:
    """A new snapshot; ``values['status']`` is the initial one. With the
    project's quota ``limits``, refused (OverQuota) when it would pass
    one of them (a snapshot counts its volume's size in gigabytes).
    ``request``: as for volume_create. ``volume_status``: the statuses
    its volume may have, checked in the same transaction (else
    InvalidVolumeStatus): an attach or a delete cannot slip in between."""
    quota_check = quotas.checker(values.get('project_id'), limits,
                                 snapshots=1,
                                 gigabytes=values.get('volume_size', 0))

    def check(session):
        if volume_status is not None:
            volume = _hold(session, values['volume_id'])
            if volume.status not in volume_status:
                raise exception.InvalidVolumeStatus(
                    volume_id=volume.id, status=volume.status,
                    expected=', '.join(volume_status))
        quota_check(session)
    return snapshot_get(_create_requested(
        models.Snapshot, models.SnapshotMetadata, values, metadata, check,
        request))


def volume_begin_extend(volume_id: str, new_size: int, owner: str,
                        limits: dict, attached: bool = False
                        ) -> models.Volume:
    """An available volume (or with ``attached`` an in-use one) becomes
    extending to ``new_size``, the work of ``owner``, if the project's
    quota ``limits`` allow the growth (else OverQuota;
    InvalidVolumeStatus when it is in another status)."""
    volume = volume_get(volume_id)
    check = quotas.checker(volume.project_id, limits,
                           gigabytes=new_size - volume.size, size=new_size)
    def begin(session):
        check(session)
        expected = [states.AVAILABLE] + ([states.IN_USE] if attached
                                         else [])
        volume_transition_in(session, volume_id, states.EXTENDING,
                             expected=expected,
                             values={'owner': owner, 'extend_to': new_size})
    common.transaction(begin)
    return volume_get(volume_id)


def snapshot_transition(snapshot_id: str, target: str,
                        expected: Collection[str] | None = None,
                        values: dict | None = None,
                        owner: str | None = None,
                        reset: bool = False,
                        request: requests.Request | None = None
                        ) -> models.Snapshot | None:
    """volume_transition for a snapshot, by ``states.SNAPSHOT``, raising
    InvalidSnapshotStatus. To ``deleted`` the snapshot is soft-deleted,
    keeping its status, and None is returned."""
    _transition_requested(_snapshot_transition_in, snapshot_id, target,
                          expected, values, owner, reset, request=request)
    return None if target == states.DELETED else snapshot_get(snapshot_id)


def _snapshot_transition_in(session, snapshot_id, target, expected, values,
                            owner, reset):
    conflict = common.conflict(exception.SnapshotNotFound,
                               exception.InvalidSnapshotStatus,
                               snapshot_id=snapshot_id)
    common.transition(session, states.SNAPSHOT, models.Snapshot, snapshot_id,
                      target, expected, values, owner, reset, conflict)


@common.retrying
def snapshot_claim(snapshot_id: str, status: str, owner_from: str | None,
                   owner_to: str) -> bool:
    """volume_claim for a snapshot."""
    with common.session() as session:
        return common.claim(session, models.Snapshot, snapshot_id, status,
                            owner_from, owner_to)


def snapshot_update(snapshot_id: str, values: dict) -> models.Snapshot:
    """Changes columns other than the status (see snapshot_transition) and
    the group snapshot (set only by group_snapshot_create)."""
    common.update(models.Snapshot, snapshot_id, values,
                  exception.SnapshotNotFound(snapshot_id=snapshot_id),
                  protected=('group_snapshot_id',))
    return snapshot_get(snapshot_id)


def snapshot_metadata_set(snapshot_id, metadata, replace=False):
    common.transaction(database.set_metadata, models.SnapshotMetadata,
                       'snapshot_id', snapshot_id, metadata, replace)
    return snapshot_get(snapshot_id)


@common.retrying
def snapshot_metadata_delete(snapshot_id, key):
    with common.session() as session:
        common.delete_metadata_key(session, models.SnapshotMetadata,
                                   'snapshot_id', snapshot_id, key)
