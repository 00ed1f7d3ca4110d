"""Groups (Cinder 3.13) and group snapshots (3.14) in the volume database."""

from collections.abc import Collection

import sqlalchemy as sa

from snapvol_api import exception
from snapvol_api import states
from snapvol_volume.db import common
from snapvol_volume.db import models
from snapvol_volume.db import quotas

GROUP_SORT_KEYS = ('id', 'name', 'status', 'created_at', 'updated_at',
                   'availability_zone')
GROUP_SNAPSHOT_SORT_KEYS = ('id', 'name', 'status', 'group_id', 'created_at',
                            'updated_at')


# Groups (Cinder 3.13) -------------------------------------------------------
#
# A volume is in at most one group (``volumes.group_id``); only
# group_create, group_add_volumes and group_remove_volumes change it, each
# in one transaction, all or nothing. ``Group.volumes`` are its live
# members, oldest first; a deleted volume keeps its group_id.

def group_get(group_id: str, project_id: str | None = None) -> models.Group:
    """A live group, of ``project_id`` when it is given; else
    GroupNotFound. Its ``volumes`` are loaded."""
    with common.session() as session:
        return common.get(session, models.Group, group_id, project_id,
                          exception.GroupNotFound(group_id=group_id))


def group_get_all(filters=None, marker=None, limit=None, sort=None,
                  offset=None) -> list[models.Group]:
    """Live groups matching ``filters`` (column values, ``project_id``),
    sorted by ``sort`` ([key, dir] pairs of GROUP_SORT_KEYS; newest
    first by default), after the group with id ``marker`` (else
    InvalidInput)."""
    return common.get_all(models.Group, GROUP_SORT_KEYS, filters, marker,
                          limit, sort, offset)


def _lock_group(session, group_id):
    """The project of a live group, whose row stays locked (FOR UPDATE,
    where the database has it) until the transaction ends, so that it is
    not deleted meanwhile; else GroupNotFound."""
    row = session.execute(
        sa.select(models.Group.project_id)
        .where(models.Group.id == group_id,
               models.Group.deleted.is_(False))
        .with_for_update()).first()
    if row is None:
        raise exception.GroupNotFound(group_id=group_id)
    return row.project_id


def _membership_refusal(session, group_id, project_id, volume_ids, joining):
    """InvalidVolume naming the first of ``volume_ids`` that cannot join
    (``joining``) or leave the group, or None; their rows stay locked
    (FOR UPDATE, where the database has it) until the transaction
    ends."""
    rows = {row.id: row for row in session.execute(
        sa.select(models.Volume.id, models.Volume.project_id,
                  models.Volume.group_id, models.Volume.deleted)
        .where(models.Volume.id.in_(volume_ids))
        .with_for_update())}
    for volume_id in volume_ids:
        row = rows.get(volume_id)
        if row is None or row.deleted or row.project_id != project_id:
            # A volume of another project is not told apart from none.
            reason = 'volume %s not found in project %s' % (volume_id,
                                                            project_id)
        elif joining and row.group_id is not None:
            reason = 'volume %s is already in group %s' % (volume_id,
                                                           row.group_id)
        elif not joining and row.group_id != group_id:
            reason = 'volume %s is not in group %s' % (volume_id, group_id)
        else:
            continue
        return exception.InvalidVolume(reason=reason)
    return None


def _set_group(session, group_id, project_id, volume_ids, joining):
    """Puts the live volumes ``volume_ids`` of ``project_id`` that are in
    no group into the group (``joining``), or takes those in it out of
    it: all or none, else InvalidVolume naming the first that cannot.
    Repeated ids count once."""
    volume_ids = list(dict.fromkeys(volume_ids))
    if not volume_ids:
        return
    refusal = _membership_refusal(session, group_id, project_id, volume_ids,
                                  joining)
    if refusal is not None:
        raise refusal
    # The same conditions again, in case a database without FOR UPDATE
    # let someone change a row since.
    if joining:
        now, then = models.Volume.group_id.is_(None), group_id
    else:
        now, then = models.Volume.group_id == group_id, None
    done = session.execute(
        sa.update(models.Volume)
        .where(models.Volume.id.in_(volume_ids),
               models.Volume.deleted.is_(False),
               models.Volume.project_id == project_id, now)
        .values(group_id=then)).rowcount
    if done != len(volume_ids):
        raise exception.InvalidVolume(
            reason='the volumes of group %s changed meanwhile; try again'
                   % group_id)


def group_create(values: dict, volume_ids: Collection[str] = (),
                 limits: dict | None = None) -> models.Group:
    """A new group with the volumes ``volume_ids`` in it, in one
    transaction: all or nothing.

    ``values``: its columns; ``values['status']`` must be
    ``states.GROUP.initial`` (else ValueError); ``volume_types`` a list
    of strings (else InvalidInput), stored as given. Each volume must be
    live, of ``values['project_id']`` and in no group (else
    InvalidVolume naming the first that is not: nothing is created).
    Repeated ids count once. Returns the group with its ``volumes``.
    """
    volume_types = values.get('volume_types')
    if volume_types is not None and (
            not isinstance(volume_types, (list, tuple))
            or not all(isinstance(t, str) for t in volume_types)):
        raise exception.InvalidInput(
            reason='volume_types must be a list of strings')
    check = quotas.checker(values.get('project_id'), limits, groups=1)

    def create(session):
        check(session)
        group = common.add(session, states.GROUP, models.Group, values)
        session.flush()
        _set_group(session, group.id, group.project_id, volume_ids,
                   joining=True)
        return group.id
    return group_get(common.transaction(create))


def group_transition(group_id: str, target: str,
                     expected: Collection[str] | None = None,
                     values: dict | None = None, owner: str | None = None,
                     reset: bool = False) -> models.Group | None:
    """volume_transition for a group, by ``states.GROUP``, raising
    InvalidGroupStatus (GroupNotFound if it is not live).

    To ``deleted`` the group is soft-deleted, keeping its status, and
    None is returned; refused with InvalidGroup (nothing changes) while
    it still has live volumes (delete them, or remove them with
    group_remove_volumes, first) or live group snapshots.
    """
    def change(session):
        conflict = common.conflict(exception.GroupNotFound,
                                   exception.InvalidGroupStatus,
                                   group_id=group_id)
        common.transition(session, states.GROUP, models.Group, group_id,
                          target, expected, values, owner, reset, conflict)
        if target == states.DELETED:
            # After the swap, which holds the row: nothing joins now.
            _refuse_if_group_has_members(session, group_id)
    common.transaction(change)
    return None if target == states.DELETED else group_get(group_id)


def _refuse_if_group_has_members(session, group_id):
    volumes = list(session.scalars(
        sa.select(models.Volume.id)
        .where(models.Volume.group_id == group_id,
               models.Volume.deleted.is_(False))
        .order_by(models.Volume.id)))
    if volumes:
        raise exception.InvalidGroup(
            reason='group %s still has volume(s) %s'
                   % (group_id, ', '.join(volumes)))
    group_snapshots = list(session.scalars(
        sa.select(models.GroupSnapshot.id)
        .where(models.GroupSnapshot.group_id == group_id,
               models.GroupSnapshot.deleted.is_(False))
        .order_by(models.GroupSnapshot.id)))
    if group_snapshots:
        raise exception.InvalidGroup(
            reason='group %s still has group snapshot(s) %s'
                   % (group_id, ', '.join(group_snapshots)))


@common.retrying
def group_claim(group_id: str, status: str, owner_from: str | None,
                owner_to: str) -> bool:
    """volume_claim for a group."""
    with common.session() as session:
        return common.claim(session, models.Group, group_id, status,
                            owner_from, owner_to)


def group_update(group_id: str, values: dict) -> models.Group:
    """Changes columns other than the status (see group_transition);
    members change with group_add_volumes and group_remove_volumes."""
    common.update(models.Group, group_id, values,
                  exception.GroupNotFound(group_id=group_id))
    return group_get(group_id)


def group_add_volumes(group_id: str, volume_ids: Collection[str]
                      ) -> models.Group:
    """Puts the volumes into the live group (else GroupNotFound), all or
    none: each must be live, of the group's project and in no group (not
    even this one), else InvalidVolume naming the first that is not.
    The group's status is not looked at (the caller moves it to updating
    and back)."""
    def add(session):
        project_id = _lock_group(session, group_id)
        _set_group(session, group_id, project_id, volume_ids, joining=True)
    common.transaction(add)
    return group_get(group_id)


def group_remove_volumes(group_id: str, volume_ids: Collection[str]
                         ) -> models.Group:
    """Takes the volumes out of the live group (else GroupNotFound), all
    or none: each must be a live volume in this group, else InvalidVolume
    naming the first that is not. The group's status is not looked
    at."""
    def remove(session):
        project_id = _lock_group(session, group_id)
        _set_group(session, group_id, project_id, volume_ids,
                   joining=False)
    common.transaction(remove)
    return group_get(group_id)


def _group_snapshot_not_found(group_snapshot_id):
    return exception.GroupSnapshotNotFound(
        group_snapshot_id=group_snapshot_id)


# Group snapshots (Cinder 3.14) ----------------------------------------------
#
# A group snapshot and its member snapshots (``snapshots.group_snapshot_id``,
# one per volume) are created together in group_snapshot_create.
# ``GroupSnapshot.snapshots`` are the live members, by volume id.

def group_snapshot_get(group_snapshot_id: str,
                       project_id: str | None = None
                       ) -> models.GroupSnapshot:
    """A live group snapshot, of ``project_id`` when it is given; else
    GroupSnapshotNotFound. Its ``snapshots`` are loaded."""
    with common.session() as session:
        return common.get(session, models.GroupSnapshot, group_snapshot_id,
                          project_id, _group_snapshot_not_found(
                              group_snapshot_id))


def group_snapshot_get_all(filters=None, marker=None, limit=None, sort=None,
                           offset=None) -> list[models.GroupSnapshot]:
    """group_get_all for group snapshots (GROUP_SNAPSHOT_SORT_KEYS; a
    ``group_id`` filter gives those of one group)."""
    return common.get_all(models.GroupSnapshot, GROUP_SNAPSHOT_SORT_KEYS,
                          filters, marker, limit, sort, offset)


def group_snapshot_create(values: dict,
                          members: Collection[tuple[dict, dict | None]],
                          limits: dict | None = None
                          ) -> models.GroupSnapshot:
    """A new group snapshot and its member snapshots, in one transaction:
    all or nothing.

    ``values``: its columns, ``group_id`` that of a live group (else
    GroupNotFound) and ``project_id`` that group's; without a group (an
    instance's image), the members are any live volumes of the project.
    ``members``: (snapshot values, snapshot metadata) pairs, each as
    snapshot_create takes them; their ``group_snapshot_id`` is set here.
    Each member's ``volume_id`` must be a live volume of the group (or
    project) and appear once
    (else InvalidGroupSnapshot naming it: nothing is created); the
    group's volumes need not all be given. Every status must be the
    initial one and every project the group's (else ValueError).

    With the project's quota ``limits``, refused (OverQuota) when its
    snapshots would pass one of them.

    Returns the group snapshot with its ``snapshots`` (ordered by volume
    id, not as given).
    """
    members = [(dict(snapshot_values), metadata)
               for snapshot_values, metadata in members]
    group_id = values.get('group_id')
    volume_ids = [snapshot_values.get('volume_id')
                  for snapshot_values, _ in members]
    check = quotas.checker(values.get('project_id'), limits,
                           snapshots=len(members), gigabytes=sum(
                               v.get('volume_size', 0) for v, _ in members))

    def create(session):
        check(session)
        if group_id is None:
            project_id = values.get('project_id')
            member_of = models.Volume.project_id == project_id
            where = 'project %s' % project_id
        else:
            project_id = _lock_group(session, group_id)
            member_of = models.Volume.group_id == group_id
            where = 'group %s' % group_id
        if {values.get('project_id')} | {
                v.get('project_id') for v, _ in members} != {project_id}:
            raise ValueError('a group snapshot and its snapshots are of '
                             'the project of %s' % where)
        in_group = set(session.scalars(
            sa.select(models.Volume.id)
            .where(models.Volume.id.in_([v for v in volume_ids if v]),
                   member_of, models.Volume.deleted.is_(False))
            .with_for_update()))
        seen = set()
        for volume_id in volume_ids:
            if volume_id not in in_group:
                raise exception.InvalidGroupSnapshot(
                    reason='volume %s is not a volume of %s'
                           % (volume_id, where))
            if volume_id in seen:
                raise exception.InvalidGroupSnapshot(
                    reason='volume %s is given twice' % volume_id)
            seen.add(volume_id)
        group_snapshot = common.add(session, states.GROUP_SNAPSHOT,
                                    models.GroupSnapshot, values)
        session.flush()
        for snapshot_values, metadata in members:
            if snapshot_values.get('group_snapshot_id') not in (
                    None, group_snapshot.id):
                raise ValueError('a member snapshot is of the group '
                                 'snapshot it is created with')
            common.add(session, states.SNAPSHOT, models.Snapshot,
                       dict(snapshot_values,
                            group_snapshot_id=group_snapshot.id),
                       models.SnapshotMetadata, metadata)
        return group_snapshot.id
    return group_snapshot_get(common.transaction(create))


def group_snapshot_transition(group_snapshot_id: str, target: str,
                              expected: Collection[str] | None = None,
                              values: dict | None = None,
                              owner: str | None = None,
                              reset: bool = False
                              ) -> models.GroupSnapshot | None:
    """volume_transition for a group snapshot, by
    ``states.GROUP_SNAPSHOT``, raising InvalidGroupSnapshotStatus
    (GroupSnapshotNotFound if it is not live). Its member snapshots keep
    their own statuses (snapshot_transition).

    To ``deleted`` it is soft-deleted, keeping its status, and None is
    returned; refused with InvalidGroupSnapshot (nothing changes) while
    a member snapshot is still live (delete those first).
    """
    def change(session):
        conflict = common.conflict(exception.GroupSnapshotNotFound,
                                   exception.InvalidGroupSnapshotStatus,
                                   group_snapshot_id=group_snapshot_id)
        common.transition(session, states.GROUP_SNAPSHOT,
                          models.GroupSnapshot, group_snapshot_id, target,
                          expected, values, owner, reset, conflict)
        if target == states.DELETED:
            live = list(session.scalars(
                sa.select(models.Snapshot.id)
                .where(models.Snapshot.group_snapshot_id
                       == group_snapshot_id,
                       models.Snapshot.deleted.is_(False))
                .order_by(models.Snapshot.id)))
            if live:
                raise exception.InvalidGroupSnapshot(
                    reason='group snapshot %s still has snapshot(s) %s'
                           % (group_snapshot_id, ', '.join(live)))
    common.transaction(change)
    if target == states.DELETED:
        return None
    return group_snapshot_get(group_snapshot_id)


@common.retrying
def group_snapshot_claim(group_snapshot_id: str, status: str,
                         owner_from: str | None, owner_to: str) -> bool:
    """volume_claim for a group snapshot."""
    with common.session() as session:
        return common.claim(session, models.GroupSnapshot, group_snapshot_id,
                            status, owner_from, owner_to)


def group_snapshot_update(group_snapshot_id: str, values: dict
                          ) -> models.GroupSnapshot:
    """Changes columns other than the status (see
    group_snapshot_transition)."""
    common.update(models.GroupSnapshot, group_snapshot_id, values,
                  _group_snapshot_not_found(group_snapshot_id))
    return group_snapshot_get(group_snapshot_id)
