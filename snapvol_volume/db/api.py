"""The only door to the volume database.

Functions take and return plain values or detached model objects; nothing
outside ``snapvol_volume.db`` imports SQLAlchemy. Lookups that find nothing
raise ``snapvol_api.exception`` NotFound classes. A status changes only
through ``volume_transition`` or ``snapshot_transition``: one
compare-and-swap that ``snapvol_api.states`` allows, refused with
InvalidVolumeStatus or InvalidSnapshotStatus when the row is not in a
status it may leave for the target (someone else changed it meanwhile).
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
        meta_model = model.metadata_items.property.mapper.class_
        for key, value in metadata.items():
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


def _claim(session, model, resource_id, status, owner_from, owner_to):
    owned = (model.owner.is_(None) if owner_from is None
             else model.owner == owner_from)
    return session.execute(
        sa.update(model).where(model.id == resource_id,
                               model.deleted.is_(False),
                               model.status == status, owned)
        .values(owner=owner_to)).rowcount == 1


def _update(model, resource_id, values, not_found):
    """Changes columns of a live row other than its status and owner."""
    if {'status', 'owner', 'deleted'} & set(values):
        raise ValueError('statuses change only through a transition')
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


def _create(model, meta_model, values, metadata):
    """A new row in its initial status, with its metadata; its id."""
    machine = states.VOLUME if model is models.Volume else states.SNAPSHOT
    if values.get('status') != machine.initial:
        raise ValueError('a new %s is %s' % (machine.kind, machine.initial))
    with _session() as session:
        row = model(**values)
        row.metadata_items = [meta_model(key=k, value=v)
                              for k, v in (metadata or {}).items()]
        session.add(row)
    return row.id


def volume_create(values: dict, metadata: dict | None = None
                  ) -> models.Volume:
    """A new volume; ``values['status']`` is the initial one."""
    return volume_get(_create(models.Volume, models.VolumeMetadata, values,
                              metadata))


def _volume_conflict(volume_id):
    def conflict(status, expected):
        if status is None:
            return exception.VolumeNotFound(volume_id=volume_id)
        return exception.InvalidVolumeStatus(volume_id=volume_id,
                                             status=status,
                                             expected=expected)
    return conflict


def _volume_transition(session, volume_id, target, expected=None,
                       values=None, owner=None, reset=False):
    _transition(session, states.VOLUME, models.Volume, volume_id, target,
                expected, values, owner, reset, _volume_conflict(volume_id))
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
    """Changes columns other than the status (see volume_transition)."""
    _update(models.Volume, volume_id, values,
            exception.VolumeNotFound(volume_id=volume_id))
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


def _snapshot_conflict(snapshot_id):
    def conflict(status, expected):
        if status is None:
            return exception.SnapshotNotFound(snapshot_id=snapshot_id)
        return exception.InvalidSnapshotStatus(snapshot_id=snapshot_id,
                                               status=status,
                                               expected=expected)
    return conflict


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
                    _snapshot_conflict(snapshot_id))
    return None if target == states.DELETED else snapshot_get(snapshot_id)


def snapshot_claim(snapshot_id: str, status: str, owner_from: str | None,
                   owner_to: str) -> bool:
    """volume_claim for a snapshot."""
    with _session() as session:
        return _claim(session, models.Snapshot, snapshot_id, status,
                      owner_from, owner_to)


def snapshot_update(snapshot_id: str, values: dict) -> models.Snapshot:
    """Changes columns other than the status (see snapshot_transition)."""
    _update(models.Snapshot, snapshot_id, values,
            exception.SnapshotNotFound(snapshot_id=snapshot_id))
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
