"""The only door to the volume database.

Functions take and return plain values or detached model objects; nothing
outside ``snapvol_volume.db`` imports SQLAlchemy. Lookups that find nothing
raise ``snapvol_api.exception`` NotFound classes. A status changes only
through a transition function: one compare-and-swap that
``snapvol_api.states`` allows, refused when the row is not in a status it
may leave for the target (someone else changed it meanwhile):

- ``volume_transition``: by ``states.VOLUME``, else InvalidVolumeStatus
  (and ``volume_attach``/``volume_detach``, between available and in-use
  with the attachment);
- ``snapshot_transition``: ``states.SNAPSHOT``, InvalidSnapshotStatus;
- ``group_transition``: ``states.GROUP``, InvalidGroupStatus;
- ``group_snapshot_transition``: ``states.GROUP_SNAPSHOT``,
  InvalidGroupSnapshotStatus.

A row that is not there (or was deleted) is the NotFound of its kind
instead. Rows are created only in their machine's initial status
(``values['status']``; anything else is a ValueError), and the
``*_update`` functions change no status, owner or group membership
(ValueError).
"""

from collections.abc import Collection

from oslo_db.sqlalchemy import utils as db_utils
import sqlalchemy as sa

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_api.runtime import database
from snapvol_volume.db import models

_DB = database.Database(lambda: CONF.database.connection,
                       lambda: CONF.database.connection_debug)
_session = _DB.session
dispose = _DB.dispose

VOLUME_SORT_KEYS = ('id', 'name', 'status', 'size', 'created_at',
                    'updated_at', 'availability_zone')
SNAPSHOT_SORT_KEYS = ('id', 'name', 'status', 'volume_id', 'created_at',
                    'updated_at')
GROUP_SORT_KEYS = ('id', 'name', 'status', 'created_at', 'updated_at',
                   'availability_zone')
GROUP_SNAPSHOT_SORT_KEYS = ('id', 'name', 'status', 'group_id', 'created_at',
                            'updated_at')


# Generic helpers ------------------------------------------------------------

def _live(model):
    return sa.select(model).where(model.deleted.is_(False))


def _get(session, model, resource_id, project_id, not_found):
    query = _live(model).where(model.id == resource_id)
    if project_id is not None:
        query = query.where(model.project_id == project_id)
    row = session.scalars(query).first()
    if row is None:
        raise not_found
    return row


def _get_all(model, sort_keys_allowed, filters, marker, limit, sort, offset,
             not_found_marker):
    filters = dict(filters or {})
    with _session() as session:
        query = session.query(model).filter(model.deleted.is_(False))
        project_id = filters.pop('project_id', None)
        if project_id is not None:
            query = query.filter(model.project_id == project_id)
        metadata = filters.pop('metadata', None) or {}
        if metadata and not hasattr(model, 'metadata_items'):
            raise exception.InvalidInput(
                reason='%ss have no metadata' % model.__name__.lower())
        for key, value in metadata.items():
            meta_model = model.metadata_items.property.mapper.class_
            query = query.filter(model.metadata_items.any(
                sa.and_(meta_model.key == key, meta_model.value == value)))
        for key, value in filters.items():
            query = query.filter(getattr(model, key) == value)

        keys, dirs = [], []
        for key, direction in sort or [('created_at', 'desc')]:
            if key not in sort_keys_allowed:
                raise exception.InvalidInput(
                    reason='cannot sort on %r; choose from %s'
                    % (key, ', '.join(sort_keys_allowed)))
            if direction not in ('asc', 'desc'):
                raise exception.InvalidInput(
                    reason='sort direction must be asc or desc, not %r'
                    % direction)
            keys.append(key)
            dirs.append(direction)
        if 'id' not in keys:
            # paginate_query needs a unique last key.
            keys.append('id')
            dirs.append(dirs[0])

        marker_row = None
        if marker is not None:
            marker_row = session.query(model).filter(
                model.id == marker).first()
            if marker_row is None:
                raise not_found_marker
        query = db_utils.paginate_query(query, model, limit, keys,
                                        marker=marker_row, sort_dirs=dirs)
        if offset:
            query = query.offset(offset)
        return query.all()


def _transition(session, machine, model, resource_id, target, expected,
                values, owner, reset, conflict):
    """One compare-and-swap: the row becomes ``target`` (with ``values``)
    only if its status now is one ``machine`` allows ``target`` from (and
    one of ``expected`` when given) and, when ``owner`` is given, that is
    its recorded owner. ``reset``: an administrator's os-reset_status,
    allowed from any status to ``machine.reset_to``."""
    if reset:
        if target not in machine.reset_to:
            raise exception.InvalidInput(
                reason='status must be one of %s'
                       % ', '.join(machine.reset_to))
        sources = [s for s in machine.statuses
                   if s not in machine.terminal]
    else:
        sources = list(machine.sources(target))
    if expected is not None:
        sources = [s for s in sources if s in expected]
    values = dict(values or {}, status=target)
    if target in machine.terminal:
        values.update(deleted=True, deleted_at=models.utcnow())
    stmt = sa.update(model).where(model.id == resource_id,
                                  model.deleted.is_(False),
                                  model.status.in_(sources))
    if owner is not None:
        stmt = stmt.where(model.owner == owner)
    if session.execute(stmt.values(**values)).rowcount != 1:
        current = _get(session, model, resource_id, None,
                       conflict(None, None))
        expected_text = ', '.join(sources) or 'none'
        if owner is not None and current.status in sources:
            expected_text += ' (as the work of %s, not %s)' % (
                owner, current.owner)
        raise conflict(current.status, expected_text)


def _conflict(not_found, invalid, **resource_id):
    """The error of a refused transition: ``not_found`` when the row is
    not live, else ``invalid`` with its status and what was expected."""
    def conflict(status, expected):
        if status is None:
            return not_found(**resource_id)
        return invalid(status=status, expected=expected, **resource_id)
    return conflict


def _claim(session, model, resource_id, status, owner_from, owner_to):
    owned = (model.owner.is_(None) if owner_from is None
             else model.owner == owner_from)
    return session.execute(
        sa.update(model).where(model.id == resource_id,
                               model.deleted.is_(False),
                               model.status == status, owned)
        .values(owner=owner_to)).rowcount == 1


def _update(model, resource_id, values, not_found, protected=()):
    """Changes columns of a live row other than its status and owner (and
    the ``protected`` ones)."""
    if {'status', 'owner', 'deleted'} & set(values):
        raise ValueError('statuses change only through a transition')
    if set(protected) & set(values):
        raise ValueError('%s change only through their own functions'
                         % ', '.join(sorted(set(protected) & set(values))))
    with _session() as session:
        _get(session, model, resource_id, None, not_found)
        session.execute(sa.update(model).where(model.id == resource_id)
                        .values(**values))


def _delete_metadata_key(session, meta_model, fk_name, owner_id, key):
    row = session.get(meta_model, {fk_name: owner_id, 'key': key})
    if row is None:
        raise exception.MetadataKeyNotFound(key=key)
    session.delete(row)


# Volumes --------------------------------------------------------------------

def volume_get(volume_id, project_id=None):
    """A live volume, of ``project_id`` when it is given."""
    with _session() as session:
        return _get(session, models.Volume, volume_id, project_id,
                    exception.VolumeNotFound(volume_id=volume_id))


def volume_get_all(filters=None, marker=None, limit=None, sort=None,
                   offset=None):
    """Live volumes matching ``filters`` (column values, ``project_id``,
    ``metadata`` dict), sorted by ``sort`` ([key, dir] pairs), after the
    volume with id ``marker``."""
    return _get_all(models.Volume, VOLUME_SORT_KEYS, filters, marker, limit,
                    sort, offset,
                    exception.InvalidInput(reason='marker %s not found'
                                           % marker))


def volume_get_all_by_host(host):
    with _session() as session:
        return list(session.scalars(
            _live(models.Volume).where(models.Volume.host == host)))


def _add(session, machine, model, values, meta_model=None, metadata=None):
    """A new row of ``model`` in ``session``, in ``machine``'s initial
    status (else ValueError), with its metadata when it has any."""
    if values.get('status') != machine.initial:
        raise ValueError('a new %s is %s' % (machine.kind, machine.initial))
    row = model(**values)
    if meta_model is not None:
        row.metadata_items = [meta_model(key=k, value=v)
                              for k, v in (metadata or {}).items()]
    session.add(row)
    return row


def _create(model, meta_model, values, metadata):
    """A new row in its initial status, with its metadata; its id."""
    machine = states.VOLUME if model is models.Volume else states.SNAPSHOT
    with _session() as session:
        row = _add(session, machine, model, values, meta_model, metadata)
    return row.id


def volume_create(values: dict, metadata: dict | None = None
                  ) -> models.Volume:
    """A new volume; ``values['status']`` is the initial one."""
    return volume_get(_create(models.Volume, models.VolumeMetadata, values,
                              metadata))


def _volume_transition(session, volume_id, target, expected=None,
                       values=None, owner=None, reset=False):
    _transition(session, states.VOLUME, models.Volume, volume_id, target,
                expected, values, owner, reset,
                _conflict(exception.VolumeNotFound,
                          exception.InvalidVolumeStatus, volume_id=volume_id))
    if target == states.DELETED:
        session.execute(sa.delete(models.VolumeFile).where(
            models.VolumeFile.volume_id == volume_id))


def volume_transition(volume_id: str, target: str,
                      expected: Collection[str] | None = None,
                      values: dict | None = None, owner: str | None = None,
                      reset: bool = False) -> models.Volume | None:
    """Moves a live volume to ``target`` if ``states.VOLUME`` allows it
    from the status the row has now (and that status is in ``expected``;
    and ``owner`` is its recorded owner, when given), in one
    compare-and-swap; else InvalidVolumeStatus, and nothing changes.

    ``values``: other columns set with it. ``reset``: an administrator's
    os-reset_status, from any status to one of ``states.VOLUME.reset_to``.
    To ``deleted`` the volume is soft-deleted with its file records and
    None is returned.
    """
    with _session() as session:
        _volume_transition(session, volume_id, target, expected, values,
                           owner, reset)
    return None if target == states.DELETED else volume_get(volume_id)


def volume_claim(volume_id: str, status: str, owner_from: str | None,
                 owner_to: str) -> bool:
    """Makes ``owner_to`` the owner of the volume's work if it is still
    ``status`` and owned by ``owner_from``; False if not."""
    with _session() as session:
        return _claim(session, models.Volume, volume_id, status, owner_from,
                      owner_to)


def volume_update(volume_id: str, values: dict) -> models.Volume:
    """Changes columns other than the status (see volume_transition) and
    the group (see group_add_volumes)."""
    _update(models.Volume, volume_id, values,
            exception.VolumeNotFound(volume_id=volume_id),
            protected=('group_id',))
    return volume_get(volume_id)


def volume_attach(volume_id: str, instance_id: str, host: str,
                  device: str | None) -> models.Volume:
    """Records an attachment and makes the volume in-use, if it was
    available; else InvalidVolumeStatus."""
    with _session() as session:
        _volume_transition(session, volume_id, states.IN_USE)
        session.add(models.VolumeAttachment(
            volume_id=volume_id, instance_id=instance_id, host=host,
            device=device))
    return volume_get(volume_id)


def volume_detach(volume_id: str, instance_id: str) -> models.Volume:
    """Forgets the attachment; the volume is available again once it has
    none left."""
    with _session() as session:
        volume = _get(session, models.Volume, volume_id, None,
                      exception.VolumeNotFound(volume_id=volume_id))
        mine = [a for a in volume.attachments
                if a.instance_id == instance_id]
        if not mine:
            raise exception.VolumeNotAttached(volume_id=volume_id)
        last = len(mine) == len(volume.attachments)
        for attachment in mine:
            session.delete(attachment)
        if last and volume.status == states.IN_USE:
            _volume_transition(session, volume_id, states.AVAILABLE)
    return volume_get(volume_id)


def volume_metadata_set(volume_id, metadata, replace=False):
    with _session() as session:
        database.set_metadata(session, models.VolumeMetadata, 'volume_id',
                              volume_id, metadata, replace)
    return volume_get(volume_id)


def volume_metadata_delete(volume_id, key):
    with _session() as session:
        _delete_metadata_key(session, models.VolumeMetadata, 'volume_id',
                             volume_id, key)


def volume_file_set(volume_id, name, file_format):
    """Records (or changes) the format of one file of a volume."""
    with _session() as session:
        session.merge(models.VolumeFile(volume_id=volume_id, name=name,
                                        format=file_format))


def volume_file_delete(volume_id, name):
    with _session() as session:
        session.execute(sa.delete(models.VolumeFile).where(
            models.VolumeFile.volume_id == volume_id,
            models.VolumeFile.name == name))


def volume_files(volume_id):
    """{file name: recorded format} of a volume."""
    with _session() as session:
        return {f.name: f.format for f in session.scalars(
            sa.select(models.VolumeFile).where(
                models.VolumeFile.volume_id == volume_id))}


# Snapshots ------------------------------------------------------------------

def snapshot_get(snapshot_id, project_id=None):
    with _session() as session:
        return _get(session, models.Snapshot, snapshot_id, project_id,
                    exception.SnapshotNotFound(snapshot_id=snapshot_id))


def snapshot_get_all(filters=None, marker=None, limit=None, sort=None,
                     offset=None):
    return _get_all(models.Snapshot, SNAPSHOT_SORT_KEYS, filters, marker,
                    limit, sort, offset,
                    exception.InvalidInput(reason='marker %s not found'
                                           % marker))


def snapshot_get_all_for_volume(volume_id):
    """Live snapshots of a volume, oldest first."""
    with _session() as session:
        return list(session.scalars(
            _live(models.Snapshot)
            .where(models.Snapshot.volume_id == volume_id)
            .order_by(models.Snapshot.created_at, models.Snapshot.id)))


def snapshot_create(values: dict, metadata: dict | None = None
                    ) -> models.Snapshot:
    """A new snapshot; ``values['status']`` is the initial one."""
    return snapshot_get(_create(models.Snapshot, models.SnapshotMetadata,
                                values, metadata))


def snapshot_transition(snapshot_id: str, target: str,
                        expected: Collection[str] | None = None,
                        values: dict | None = None,
                        owner: str | None = None,
                        reset: bool = False) -> models.Snapshot | None:
    """volume_transition for a snapshot, by ``states.SNAPSHOT``, raising
    InvalidSnapshotStatus. To ``deleted`` the snapshot is soft-deleted,
    keeping its status, and None is returned."""
    with _session() as session:
        _transition(session, states.SNAPSHOT, models.Snapshot, snapshot_id,
                    target, expected, values, owner, reset,
                    _conflict(exception.SnapshotNotFound,
                              exception.InvalidSnapshotStatus,
                              snapshot_id=snapshot_id))
    return None if target == states.DELETED else snapshot_get(snapshot_id)


def snapshot_claim(snapshot_id: str, status: str, owner_from: str | None,
                   owner_to: str) -> bool:
    """volume_claim for a snapshot."""
    with _session() as session:
        return _claim(session, models.Snapshot, snapshot_id, status,
                      owner_from, owner_to)


def snapshot_update(snapshot_id: str, values: dict) -> models.Snapshot:
    """Changes columns other than the status (see snapshot_transition) and
    the group snapshot (set only by group_snapshot_create)."""
    _update(models.Snapshot, snapshot_id, values,
            exception.SnapshotNotFound(snapshot_id=snapshot_id),
            protected=('group_snapshot_id',))
    return snapshot_get(snapshot_id)


def snapshot_metadata_set(snapshot_id, metadata, replace=False):
    with _session() as session:
        database.set_metadata(session, models.SnapshotMetadata,
                              'snapshot_id', snapshot_id, metadata, replace)
    return snapshot_get(snapshot_id)


def snapshot_metadata_delete(snapshot_id, key):
    with _session() as session:
        _delete_metadata_key(session, models.SnapshotMetadata, 'snapshot_id',
                             snapshot_id, key)


# Groups (Cinder 3.13) -------------------------------------------------------
#
# A volume is in at most one group (``volumes.group_id``); only
# group_create, group_add_volumes and group_remove_volumes change it, each
# in one transaction, all or nothing. ``Group.volumes`` are its live
# members, oldest first; a deleted volume keeps its group_id.

def group_get(group_id: str, project_id: str | None = None) -> models.Group:
    """A live group, of ``project_id`` when it is given; else
    GroupNotFound. Its ``volumes`` are loaded."""
    with _session() as session:
        return _get(session, models.Group, group_id, project_id,
                    exception.GroupNotFound(group_id=group_id))


def group_get_all(filters=None, marker=None, limit=None, sort=None,
                  offset=None) -> list[models.Group]:
    """Live groups matching ``filters`` (column values, ``project_id``),
    sorted by ``sort`` ([key, dir] pairs of GROUP_SORT_KEYS; newest
    first by default), after the group with id ``marker`` (else
    InvalidInput)."""
    return _get_all(models.Group, GROUP_SORT_KEYS, filters, marker, limit,
                    sort, offset,
                    exception.InvalidInput(reason='marker %s not found'
                                           % marker))


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


def group_create(values: dict, volume_ids: Collection[str] = ()
                 ) -> models.Group:
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
    with _session() as session:
        group = _add(session, states.GROUP, models.Group, values)
        session.flush()
        _set_group(session, group.id, group.project_id, volume_ids,
                   joining=True)
    return group_get(group.id)


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
    with _session() as session:
        _transition(session, states.GROUP, models.Group, group_id, target,
                    expected, values, owner, reset,
                    _conflict(exception.GroupNotFound,
                              exception.InvalidGroupStatus,
                              group_id=group_id))
        if target == states.DELETED:
            # After the swap, which holds the row: nothing joins now.
            _refuse_if_group_has_members(session, group_id)
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


def group_claim(group_id: str, status: str, owner_from: str | None,
                owner_to: str) -> bool:
    """volume_claim for a group."""
    with _session() as session:
        return _claim(session, models.Group, group_id, status, owner_from,
                      owner_to)


def group_update(group_id: str, values: dict) -> models.Group:
    """Changes columns other than the status (see group_transition);
    members change with group_add_volumes and group_remove_volumes."""
    _update(models.Group, group_id, values,
            exception.GroupNotFound(group_id=group_id))
    return group_get(group_id)


def group_add_volumes(group_id: str, volume_ids: Collection[str]
                      ) -> models.Group:
    """Puts the volumes into the live group (else GroupNotFound), all or
    none: each must be live, of the group's project and in no group (not
    even this one), else InvalidVolume naming the first that is not.
    The group's status is not looked at (the caller moves it to updating
    and back)."""
    with _session() as session:
        project_id = _lock_group(session, group_id)
        _set_group(session, group_id, project_id, volume_ids, joining=True)
    return group_get(group_id)


def group_remove_volumes(group_id: str, volume_ids: Collection[str]
                         ) -> models.Group:
    """Takes the volumes out of the live group (else GroupNotFound), all
    or none: each must be a live volume in this group, else InvalidVolume
    naming the first that is not. The group's status is not looked
    at."""
    with _session() as session:
        project_id = _lock_group(session, group_id)
        _set_group(session, group_id, project_id, volume_ids,
                   joining=False)
    return group_get(group_id)


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
    with _session() as session:
        return _get(session, models.GroupSnapshot, group_snapshot_id,
                    project_id,
                    exception.GroupSnapshotNotFound(
                        group_snapshot_id=group_snapshot_id))


def group_snapshot_get_all(filters=None, marker=None, limit=None, sort=None,
                           offset=None) -> list[models.GroupSnapshot]:
    """group_get_all for group snapshots (GROUP_SNAPSHOT_SORT_KEYS; a
    ``group_id`` filter gives those of one group)."""
    return _get_all(models.GroupSnapshot, GROUP_SNAPSHOT_SORT_KEYS, filters,
                    marker, limit, sort, offset,
                    exception.InvalidInput(reason='marker %s not found'
                                           % marker))


def group_snapshot_create(values: dict,
                          members: Collection[tuple[dict, dict | None]]
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

    Returns the group snapshot with its ``snapshots`` (ordered by volume
    id, not as given).
    """
    members = [(dict(snapshot_values), metadata)
               for snapshot_values, metadata in members]
    group_id = values.get('group_id')
    volume_ids = [snapshot_values.get('volume_id')
                  for snapshot_values, _ in members]
    with _session() as session:
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
        group_snapshot = _add(session, states.GROUP_SNAPSHOT,
                              models.GroupSnapshot, values)
        session.flush()
        for snapshot_values, metadata in members:
            if snapshot_values.get('group_snapshot_id') not in (
                    None, group_snapshot.id):
                raise ValueError('a member snapshot is of the group '
                                 'snapshot it is created with')
            snapshot_values['group_snapshot_id'] = group_snapshot.id
            _add(session, states.SNAPSHOT, models.Snapshot, snapshot_values,
                 models.SnapshotMetadata, metadata)
    return group_snapshot_get(group_snapshot.id)


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
    with _session() as session:
        _transition(session, states.GROUP_SNAPSHOT, models.GroupSnapshot,
                    group_snapshot_id, target, expected, values, owner,
                    reset, _conflict(
                        exception.GroupSnapshotNotFound,
                        exception.InvalidGroupSnapshotStatus,
                        group_snapshot_id=group_snapshot_id))
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
    if target == states.DELETED:
        return None
    return group_snapshot_get(group_snapshot_id)


def group_snapshot_claim(group_snapshot_id: str, status: str,
                         owner_from: str | None, owner_to: str) -> bool:
    """volume_claim for a group snapshot."""
    with _session() as session:
        return _claim(session, models.GroupSnapshot, group_snapshot_id,
                      status, owner_from, owner_to)


def group_snapshot_update(group_snapshot_id: str, values: dict
                          ) -> models.GroupSnapshot:
    """Changes columns other than the status (see
    group_snapshot_transition)."""
    _update(models.GroupSnapshot, group_snapshot_id, values,
            exception.GroupSnapshotNotFound(
                group_snapshot_id=group_snapshot_id))
    return group_snapshot_get(group_snapshot_id)
