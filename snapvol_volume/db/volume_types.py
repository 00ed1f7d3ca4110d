"""Volume types, their extra specs, the projects a private type is shared
with, and the projects' own default types (Cinder 3.62) in the volume
database.

A type is found by id or by name among the live ones; a name is unique
among them (VolumeTypeExists). A type is deleted (soft: its volumes keep
showing its name) only while no live volume has it and no project has it
as its default, checked in the deleting transaction.
"""

import sqlalchemy as sa

from snapvol_api import exception
from snapvol_api.runtime import database
from snapvol_volume.db import common
from snapvol_volume.db import models

_Type = models.VolumeType
_Spec = models.VolumeTypeExtraSpec
_Default = models.DefaultVolumeType
_Access = models.VolumeTypeProject


def _get(session, ref, lock=False):
    """``lock``: the row is held until the transaction ends, so that what
    uses a type (a new volume, a project's default) and the type's
    deletion cannot both go through, each having checked before the
    other wrote. The hold is a write that changes nothing: a row lock on
    PostgreSQL and MySQL, the one writer's lock on SQLite (where a
    SELECT ... FOR UPDATE would hold nothing)."""
    row = session.scalars(common.live(_Type).where(
        sa.or_(_Type.id == ref, _Type.name == ref))
        .order_by(_Type.id != ref)).first()
    if row is None or (lock and not session.execute(
            sa.update(_Type).where(_Type.id == row.id,
                                   _Type.deleted.is_(False))
            .values(deleted=False)).rowcount):
        raise exception.VolumeTypeNotFound(volume_type=ref)
    if lock:
        session.refresh(row)
    return row


def lock_live(session, type_id: str) -> None:
    """Within the transaction of ``session``: the type exists and stays
    until it ends (VolumeTypeNotFound when it is gone)."""
    _get(session, type_id, lock=True)


def _refuse_taken_name(session, name, type_id=None):
    taken = common.live(_Type).where(_Type.name == name)
    if type_id is not None:
        taken = taken.where(_Type.id != type_id)
    if session.scalars(taken).first() is not None:
        raise exception.VolumeTypeExists(id=name)


def volume_type_get(ref: str) -> models.VolumeType:
    """A live type by id, else by name; VolumeTypeNotFound."""
    with common.session() as session:
        return _get(session, ref)


def volume_type_get_all(is_public: bool | None = None,
                        extra_specs: dict | None = None,
                        project_id: str | None = None
                        ) -> list[models.VolumeType]:
    """Live types, newest first: the public or private ones only when
    ``is_public`` is given (the public ones and, with ``project_id``, the
    private ones shared with that project), and those whose extra specs
    hold all of ``extra_specs``."""
    query = common.live(_Type)
    if is_public is not None:
        wanted = _Type.is_public.is_(bool(is_public))
        if is_public and project_id is not None:
            wanted = sa.or_(wanted, _Type.id.in_(
                sa.select(_Access.volume_type_id)
                .where(_Access.project_id == project_id)))
        query = query.where(wanted)
    for key, value in (extra_specs or {}).items():
        query = query.where(_Type.extra_specs_items.any(
            sa.and_(_Spec.key == key, _Spec.value == value)))
    with common.session() as session:
        return list(session.scalars(query.order_by(
            _Type.created_at.desc(), _Type.id.desc())))


def volume_type_create(values: dict,
                       extra_specs: dict | None = None) -> models.VolumeType:
    """A new type (``name``, ``description``, ``is_public``) with its
    extra specs; VolumeTypeExists when a live type has the name."""
    def create(session):
        _refuse_taken_name(session, values['name'])
        row = _Type(**values)
        row.extra_specs_items = [_Spec(key=k, value=v)
                                 for k, v in (extra_specs or {}).items()]
        session.add(row)
        return row
    return volume_type_get(common.transaction(create).id)


def volume_type_update(type_id: str, values: dict) -> models.VolumeType:
    """Changes ``name``, ``description`` and ``is_public``; a name another
    live type has is VolumeTypeExists."""
    with common.session() as session:
        row = _get(session, type_id)
        if values.get('name') is not None:
            _refuse_taken_name(session, values['name'], row.id)
        session.execute(sa.update(_Type).where(_Type.id == row.id)
                        .values(**values))
    return volume_type_get(row.id)


def volume_type_destroy(type_id: str) -> None:
    """Soft-deletes the type: VolumeTypeDefaultDeletionError while it is
    a project's default, VolumeTypeInUse while a live volume has it."""
    with common.session() as session:
        row = _get(session, type_id, lock=True)
        if session.scalars(sa.select(_Default).where(
                _Default.volume_type_id == row.id)).first():
            raise exception.VolumeTypeDefaultDeletionError(
                volume_type_id=row.id)
        if session.scalars(common.live(models.Volume).where(
                models.Volume.volume_type_id == row.id)).first():
            raise exception.VolumeTypeInUse(volume_type_id=row.id)
        session.execute(sa.delete(_Access).where(
            _Access.volume_type_id == row.id))
        row.deleted, row.deleted_at = True, models.utcnow()


def volume_type_extra_specs_update(type_id: str,
                                   extra_specs: dict) -> dict:
    """Adds or changes the given extra specs; returns them all."""
    def update(session):
        row = _get(session, type_id)
        database.set_metadata(session, _Spec, 'volume_type_id', row.id,
                              extra_specs, replace=False)
    common.transaction(update)
    return {s.key: s.value
            for s in volume_type_get(type_id).extra_specs_items}


def volume_type_extra_specs_delete(type_id: str, key: str) -> None:
    with common.session() as session:
        row = _get(session, type_id)
        spec = session.get(_Spec, {'volume_type_id': row.id, 'key': key})
        if spec is None:
            raise exception.VolumeTypeExtraSpecsNotFound(
                volume_type_id=row.id, extra_specs_key=key)
        session.delete(spec)


# The projects a private type is shared with ------------------------------

def volume_type_access_get_all(type_id: str) -> list[str]:
    """The ids of the projects that may use the type."""
    with common.session() as session:
        return list(session.scalars(
            sa.select(_Access.project_id)
            .where(_Access.volume_type_id == type_id)
            .order_by(_Access.project_id)))


def volume_type_access_allowed(type_id: str, project_id: str) -> bool:
    with common.session() as session:
        return session.get(_Access, (type_id, project_id)) is not None


def volume_type_access_add(type_id: str, project_id: str) -> None:
    """VolumeTypeAccessExists when the project has it already."""
    with common.session() as session:
        row = _get(session, type_id)
        if session.get(_Access, (row.id, project_id)) is not None:
            raise exception.VolumeTypeAccessExists(volume_type_id=row.id,
                                                   project_id=project_id)
        session.add(_Access(volume_type_id=row.id, project_id=project_id))


def volume_type_access_remove(type_id: str, project_id: str) -> None:
    """VolumeTypeAccessNotFound when the project has none."""
    with common.session() as session:
        row = _get(session, type_id)
        access = session.get(_Access, (row.id, project_id))
        if access is None:
            raise exception.VolumeTypeAccessNotFound(
                volume_type_id=row.id, project_id=project_id)
        session.delete(access)


# Projects' default types (3.62) ---------------------------------------------

def project_default_type_set(project_id: str,
                             type_id: str) -> models.DefaultVolumeType:
    """The live type ``type_id`` becomes the project's default."""
    with common.session() as session:
        row = _get(session, type_id, lock=True)
        default = session.get(_Default, project_id)
        if default is None:
            default = _Default(project_id=project_id)
            session.add(default)
        default.volume_type_id = row.id
    return project_default_type_get(project_id)


def project_default_type_get(project_id: str) -> models.DefaultVolumeType:
    """VolumeTypeProjectDefaultNotFound when the project has none."""
    with common.session() as session:
        default = session.get(_Default, project_id)
    if default is None:
        raise exception.VolumeTypeProjectDefaultNotFound(
            project_id=project_id)
    return default


def project_default_type_get_all() -> list[models.DefaultVolumeType]:
    with common.session() as session:
        return list(session.scalars(sa.select(_Default).order_by(
            _Default.project_id)))


def project_default_type_unset(project_id: str) -> None:
    """The project has no default of its own any more (none is no
    error, as in Cinder)."""
    with common.session() as session:
        session.execute(sa.delete(_Default).where(
            _Default.project_id == project_id))
