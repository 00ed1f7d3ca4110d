"""The only door to the volume database.

Functions take and return plain values or detached model objects; nothing
outside ``snapvol_volume.db`` imports SQLAlchemy. Lookups that find nothing
raise ``snapvol_api.exception`` NotFound classes; conditional updates that
find a resource in an unexpected status raise a Conflict.
"""

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


def _conditional_update(session, model, resource_id, values,
                        expected_status, conflict):
    stmt = sa.update(model).where(model.id == resource_id,
                                  model.deleted.is_(False))
    if expected_status is not None:
        stmt = stmt.where(model.status.in_(expected_status))
    if session.execute(stmt.values(**values)).rowcount != 1:
        raise conflict(session)


def _set_metadata(session, meta_model, fk_name, owner_id, metadata, replace):
    existing = {m.key: m for m in session.scalars(
        sa.select(meta_model).where(getattr(meta_model, fk_name) == owner_id))}
    if replace:
        for key in set(existing) - set(metadata):
            session.delete(existing.pop(key))
    for key, value in metadata.items():
        if key in existing:
            existing[key].value = value
        else:
            session.add(meta_model(**{fk_name: owner_id, 'key': key,
                                      'value': value}))


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


def volume_create(values, metadata=None):
    with _session() as session:
        volume = models.Volume(**values)
        volume.metadata_items = [models.VolumeMetadata(key=k, value=v)
                                 for k, v in (metadata or {}).items()]
        session.add(volume)
    return volume_get(volume.id)


def _update_volume(session, volume_id, values, expected_status):
    def conflict(session):
        current = _get(session, models.Volume, volume_id, None,
                       exception.VolumeNotFound(volume_id=volume_id))
        return exception.InvalidVolumeStatus(
            volume_id=volume_id, status=current.status,
            expected=', '.join(expected_status))
    _conditional_update(session, models.Volume, volume_id, values,
                        expected_status, conflict)


def volume_update(volume_id, values, expected_status=None):
    """Updates a live volume; with ``expected_status`` (a collection),
    only if its status is one of them, else InvalidVolumeStatus."""
    with _session() as session:
        _update_volume(session, volume_id, values, expected_status)
    return volume_get(volume_id)


def volume_destroy(volume_id):
    """Soft-deletes a volume with its file records."""
    with _session() as session:
        volume = _get(session, models.Volume, volume_id, None,
                      exception.VolumeNotFound(volume_id=volume_id))
        volume.files = []
        volume.status = 'deleted'
        volume.deleted = True
        volume.deleted_at = models.utcnow()


def volume_attach(volume_id, instance_id, host, device):
    """Records an attachment and makes the volume in-use, if it was
    available; else InvalidVolumeStatus."""
    with _session() as session:
        _update_volume(session, volume_id, {'status': states.IN_USE},
                       [states.AVAILABLE])
        session.add(models.VolumeAttachment(
            volume_id=volume_id, instance_id=instance_id, host=host,
            device=device))
    return volume_get(volume_id)


def volume_detach(volume_id, instance_id):
    """Forgets the attachment; the volume is available again once it has
    none left."""
    with _session() as session:
        volume = _get(session, models.Volume, volume_id, None,
                      exception.VolumeNotFound(volume_id=volume_id))
        mine = [a for a in volume.attachments
                if a.instance_id == instance_id]
        if not mine:
            raise exception.VolumeNotAttached(volume_id=volume_id)
        for attachment in mine:
            volume.attachments.remove(attachment)
        if not volume.attachments and volume.status == states.IN_USE:
            volume.status = states.AVAILABLE
    return volume_get(volume_id)


def volume_metadata_set(volume_id, metadata, replace=False):
    with _session() as session:
        _set_metadata(session, models.VolumeMetadata, 'volume_id', volume_id,
                      metadata, replace)
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


def snapshot_create(values, metadata=None):
    with _session() as session:
        snapshot = models.Snapshot(**values)
        snapshot.metadata_items = [models.SnapshotMetadata(key=k, value=v)
                                   for k, v in (metadata or {}).items()]
        session.add(snapshot)
    return snapshot_get(snapshot.id)


def snapshot_update(snapshot_id, values, expected_status=None):
    with _session() as session:
        def conflict(session):
            current = _get(session, models.Snapshot, snapshot_id, None,
                           exception.SnapshotNotFound(
                               snapshot_id=snapshot_id))
            return exception.InvalidSnapshotStatus(
                snapshot_id=snapshot_id, status=current.status,
                expected=', '.join(expected_status))
        _conditional_update(session, models.Snapshot, snapshot_id, values,
                            expected_status, conflict)
    return snapshot_get(snapshot_id)


def snapshot_destroy(snapshot_id):
    """Soft-deletes a snapshot, leaving its status 'deleted'."""
    with _session() as session:
        snapshot = _get(session, models.Snapshot, snapshot_id, None,
                        exception.SnapshotNotFound(snapshot_id=snapshot_id))
        snapshot.status = states.DELETED
        snapshot.deleted = True
        snapshot.deleted_at = models.utcnow()


def snapshot_metadata_set(snapshot_id, metadata, replace=False):
    with _session() as session:
        _set_metadata(session, models.SnapshotMetadata, 'snapshot_id',
                      snapshot_id, metadata, replace)
    return snapshot_get(snapshot_id)


def snapshot_metadata_delete(snapshot_id, key):
    with _session() as session:
        _delete_metadata_key(session, models.SnapshotMetadata, 'snapshot_id',
                             snapshot_id, key)
