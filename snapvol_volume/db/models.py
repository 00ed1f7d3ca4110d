"""SQLAlchemy models of the volume database.

Rows are soft-deleted (``deleted``/``deleted_at``) so that a deleted
snapshot keeps its final status for operators, as in Cinder.

Table names must not clash with the compute service's (``instances``,
``instance_metadata``, ``instance_volume_attachments``,
``volume_operations``): both schemas may share one database.
"""

import datetime
import json
import uuid

from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import types
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import aliased
from sqlalchemy.orm import column_property
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from snapvol_api.runtime import services_table


def utcnow():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def _new_id():
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


class JSONList(types.TypeDecorator):
    """A list of strings, stored as its JSON text (``Text`` in the
    schema); None is stored as []."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            value = []
        if (isinstance(value, (str, bytes))
                or not all(isinstance(v, str) for v in value)):
            raise ValueError('a list of strings, not %r' % (value,))
        return json.dumps(list(value))

    def process_result_value(self, value, dialect):
        return [] if value is None else json.loads(value)


class TimestampMixin:
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(
        DateTime, onupdate=utcnow)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False,
                                          nullable=False, index=True)


class Volume(TimestampMixin, Base):
    __tablename__ = 'volumes'

    id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                    default=_new_id)
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    user_id: Mapped[str | None] = mapped_column(String(255))
    host: Mapped[str | None] = mapped_column(String(255))
    # The volume managers that do its work: any live member of the
    # cluster may take over what a dead one left.
    cluster_name: Mapped[str | None] = mapped_column(String(255),
                                                     index=True)
    share: Mapped[str | None] = mapped_column(String(1024))
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    availability_zone: Mapped[str] = mapped_column(String(255),
                                                   default='nova')
    source_snapshot_id: Mapped[str | None] = mapped_column(String(36))
    # Cinder's flag (os-set_bootable); a volume made from a snapshot takes
    # it from the snapshot's volume.
    bootable: Mapped[bool] = mapped_column(Boolean, default=False,
                                           nullable=False)
    # The size an extend in flight grows it to: its quota counts that.
    extend_to: Mapped[int | None] = mapped_column(Integer)
    # Mirrors "active" of the volume's info store (the truth on the share)
    # so that reads need not touch the share.
    active_file: Mapped[str | None] = mapped_column(String(255))
    # Who does the work of a creating or deleting volume (see
    # snapvol_volume.recovery).
    owner: Mapped[str | None] = mapped_column(String(255))
    # The generic group (Cinder 3.13) the volume is in, if any; a deleted
    # volume keeps it.
    group_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey('groups.id', name='fk_volumes_group_id'),
        index=True)
    # Its volume type (a deleted type stays readable through it).
    volume_type_id: Mapped[str | None] = mapped_column(
        String(36),
        ForeignKey('volume_types.id', name='fk_volumes_volume_type_id'),
        index=True)

    metadata_items = relationship('VolumeMetadata', lazy='selectin',
                                  cascade='all, delete-orphan')
    volume_type = relationship('VolumeType', lazy='selectin', viewonly=True)
    files = relationship('VolumeFile', lazy='selectin',
                         cascade='all, delete-orphan')
    attachments = relationship('VolumeAttachment', lazy='selectin',
                               cascade='all, delete-orphan')


class Snapshot(TimestampMixin, Base):
    __tablename__ = 'snapshots'

    id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                    default=_new_id)
    volume_id: Mapped[str] = mapped_column(
        String(36), ForeignKey('volumes.id'), index=True)
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    user_id: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    volume_size: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    progress: Mapped[str] = mapped_column(String(32), default='0%')
    owner: Mapped[str | None] = mapped_column(String(255))
    # The group snapshot (Cinder 3.14) the snapshot was taken in, if any.
    group_snapshot_id: Mapped[str | None] = mapped_column(
        String(36),
        ForeignKey('group_snapshots.id',
                   name='fk_snapshots_group_snapshot_id'),
        index=True)

    metadata_items = relationship('SnapshotMetadata', lazy='selectin',
                                  cascade='all, delete-orphan')


class Group(TimestampMixin, Base):
    """A generic volume group (Cinder microversion 3.13)."""
    __tablename__ = 'groups'

    id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                    default=_new_id)
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    user_id: Mapped[str | None] = mapped_column(String(255))
    host: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    # One of snapvol_volume.group_types (declared in code, no table).
    group_type_id: Mapped[str | None] = mapped_column(String(36))
    # The volume type names or ids given at create, as given.
    volume_types: Mapped[list] = mapped_column(JSONList, default=list)
    availability_zone: Mapped[str] = mapped_column(String(255),
                                                   default='nova')
    # What the group was created from, if not empty: a group snapshot or
    # another group (no foreign keys: the source may be deleted since).
    group_snapshot_id: Mapped[str | None] = mapped_column(String(36))
    source_group_id: Mapped[str | None] = mapped_column(String(36))
    owner: Mapped[str | None] = mapped_column(String(255))

    # The live member volumes, oldest first.
    volumes = relationship(
        'Volume', lazy='selectin', viewonly=True,
        primaryjoin=lambda: and_(Volume.group_id == Group.id,
                                 Volume.deleted.is_(False)),
        foreign_keys=lambda: [Volume.group_id],
        order_by=lambda: (Volume.created_at, Volume.id))


class GroupSnapshot(TimestampMixin, Base):
    """A snapshot of every volume of a group (Cinder microversion 3.14),
    or of an instance's volumes (its image, no group)."""
    __tablename__ = 'group_snapshots'

    id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                    default=_new_id)
    group_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey('groups.id'), index=True)
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    user_id: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    group_type_id: Mapped[str | None] = mapped_column(String(36))
    owner: Mapped[str | None] = mapped_column(String(255))
    # The instance whose disks were taken in one transaction, when there
    # was one.
    instance_id: Mapped[str | None] = mapped_column(String(36))

    # The live member snapshots, by volume id (one per volume).
    snapshots = relationship(
        'Snapshot', lazy='selectin', viewonly=True,
        primaryjoin=lambda: and_(Snapshot.group_snapshot_id
                                 == GroupSnapshot.id,
                                 Snapshot.deleted.is_(False)),
        foreign_keys=lambda: [Snapshot.group_snapshot_id],
        order_by=lambda: (Snapshot.volume_id, Snapshot.id))


class VolumeMetadata(Base):
    __tablename__ = 'volume_metadata'

    volume_id: Mapped[str] = mapped_column(
        String(36), ForeignKey('volumes.id'), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class SnapshotMetadata(Base):
    __tablename__ = 'snapshot_metadata'

    snapshot_id: Mapped[str] = mapped_column(
        String(36), ForeignKey('snapshots.id'), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class VolumeFile(Base):
    """The recorded format of one file of a volume's chain.

    Formats are recorded when snapvol creates a file (or compute reports
    it) and are never probed from file contents (OSSA 2014-033).
    """
    __tablename__ = 'volume_files'

    volume_id: Mapped[str] = mapped_column(
        String(36), ForeignKey('volumes.id'), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    format: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow, nullable=False)


class VolumeAttachment(Base):
    """A volume attached to an instance of the compute service."""
    __tablename__ = 'volume_attachments'

    id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                    default=_new_id)
    volume_id: Mapped[str] = mapped_column(
        String(36), ForeignKey('volumes.id'), index=True)
    instance_id: Mapped[str] = mapped_column(String(36))
    host: Mapped[str] = mapped_column(String(255))
    device: Mapped[str | None] = mapped_column(String(64))
    attached_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow, nullable=False)


class Message(TimestampMixin, Base):
    """A user message (Cinder microversion 3.3): what went wrong with a
    project's asynchronous request, in words fit for its users."""
    __tablename__ = 'messages'

    id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                    default=_new_id)
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    request_id: Mapped[str | None] = mapped_column(String(255))
    resource_type: Mapped[str | None] = mapped_column(String(36))
    resource_uuid: Mapped[str | None] = mapped_column(String(36),
                                                      index=True)
    event_id: Mapped[str] = mapped_column(String(255), nullable=False)
    message_level: Mapped[str] = mapped_column(String(255),
                                               nullable=False)
    # "<action>: <detail>", from fixed texts (snapvol_volume.messages):
    # never an exception's text, which may name hosts and paths.
    user_message: Mapped[str] = mapped_column(Text, nullable=False)
    expires_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, nullable=False, index=True)


class Quota(Base):
    """One project's limit of one resource, where an administrator set it
    (os-quota-sets); the others are the [quota] defaults."""
    __tablename__ = 'quotas'

    project_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    resource: Mapped[str] = mapped_column(String(255), primary_key=True)
    hard_limit: Mapped[int] = mapped_column(Integer, nullable=False)


class QuotaProject(Base):
    """The row a project's quota checks update before they count: so the
    checks of one project (and the creates they allow) run one after the
    other, on every database."""
    __tablename__ = 'quota_projects'

    project_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    checks: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class Transfer(TimestampMixin, Base):
    """A volume offered to another project (Cinder's volume transfers):
    whoever presents the ``auth_key`` takes the volume and its
    snapshots. Only a salted hash of the key is kept."""
    __tablename__ = 'transfers'

    id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                    default=_new_id)
    volume_id: Mapped[str] = mapped_column(
        String(36), ForeignKey('volumes.id'), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    salt: Mapped[str] = mapped_column(String(255), nullable=False)
    crypt_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    # The project that offers the volume.
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    destination_project_id: Mapped[str | None] = mapped_column(String(255))
    accepted: Mapped[bool] = mapped_column(Boolean, default=False,
                                           nullable=False)
    no_snapshots: Mapped[bool] = mapped_column(Boolean, default=False,
                                               nullable=False)


class VolumeType(TimestampMixin, Base):
    """A volume type (Cinder's); its extra specs may choose the shares
    its volumes go to (``snapvol_volume.volume_types``). Soft-deleted:
    the volumes of a deleted type still show its name."""
    __tablename__ = 'volume_types'

    id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                    default=_new_id)
    name: Mapped[str] = mapped_column(String(255), nullable=False,
                                      index=True)
    description: Mapped[str | None] = mapped_column(String(255))
    is_public: Mapped[bool] = mapped_column(Boolean, default=True,
                                            nullable=False)

    extra_specs_items = relationship('VolumeTypeExtraSpec', lazy='selectin',
                                     cascade='all, delete-orphan')


class VolumeTypeExtraSpec(Base):
    __tablename__ = 'volume_type_extra_specs'

    volume_type_id: Mapped[str] = mapped_column(
        String(36), ForeignKey('volume_types.id'), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(255), nullable=False)


class VolumeTypeProject(Base):
    """A project that may use a private volume type (Cinder's
    os-volume-type-access)."""
    __tablename__ = 'volume_type_projects'

    volume_type_id: Mapped[str] = mapped_column(
        String(36), ForeignKey('volume_types.id'), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255), primary_key=True)


class DefaultVolumeType(Base):
    """A project's own default volume type (Cinder 3.62), for its volumes
    created without one."""
    __tablename__ = 'default_volume_types'

    project_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    volume_type_id: Mapped[str] = mapped_column(
        String(36), ForeignKey('volume_types.id'), nullable=False,
        index=True)


class ComputeReport(Base):
    """A report of the compute service that a worker waits for, stored by
    whichever manager received it (snapvol_volume.reports). ``key``: a
    snapshot id, a group snapshot id or "extend-<volume id>"; ``payload``:
    the report as JSON text, None until it comes."""
    __tablename__ = 'compute_reports'

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    payload: Mapped[str | None] = mapped_column(Text)
    expected_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow, nullable=False)
    delivered_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)


class Service(services_table.ServiceColumns, Base):
    """One process of the volume service (a manager or an API) and its
    heartbeat (Cinder's ``services``; ``snapvol_volume.db.services``)."""
    __tablename__ = 'services'
    __table_args__ = (UniqueConstraint(
        'host', 'binary', 'deleted',
        name='uniq_services0host0binary0deleted'),)

    # Indexed here (migration 0008): the volume service asks for the
    # live runs of one cluster.
    cluster_name: Mapped[str | None] = mapped_column(String(255),
                                                     index=True)


class ApiRequest(Base):
    """A write request and the change it recorded, or its abandonment by
    the API (``snapvol_volume.db.requests``)."""
    __tablename__ = 'api_requests'

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str | None] = mapped_column(String(255))
    request_id: Mapped[str] = mapped_column(String(255), nullable=False)
    operation: Mapped[str] = mapped_column(String(64), nullable=False)
    resource_id: Mapped[str | None] = mapped_column(String(36))
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow, nullable=False, index=True)


class JSONDict(types.TypeDecorator):
    """A dict of strings, stored as its JSON text; None is stored as {}."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return json.dumps(dict(value or {}), sort_keys=True)

    def process_result_value(self, value, dialect):
        return {} if value is None else json.loads(value)


class Backup(TimestampMixin, Base):
    """A backup of a volume's data at a point in time (Cinder's backups),
    kept by a backup driver outside the shares: it outlives its volume
    and snapshot. ``service_metadata`` is the driver's name for its
    objects; ``parent_id`` the backup an incremental one builds on."""
    __tablename__ = 'backups'

    id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                    default=_new_id)
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    user_id: Mapped[str | None] = mapped_column(String(255))
    # No foreign keys: the volume, the snapshot and the parent may go
    # before the backup does.
    volume_id: Mapped[str] = mapped_column(String(36), index=True)
    snapshot_id: Mapped[str | None] = mapped_column(String(36))
    parent_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # The volume manager that made it.
    host: Mapped[str | None] = mapped_column(String(255))
    availability_zone: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    container: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    fail_reason: Mapped[str | None] = mapped_column(Text)
    service: Mapped[str | None] = mapped_column(String(255))
    service_metadata: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    object_count: Mapped[int] = mapped_column(Integer, default=0,
                                              nullable=False)
    # When its data was the volume's: its snapshot's creation, else its
    # own.
    data_timestamp: Mapped[datetime.datetime | None] = mapped_column(
        DateTime)
    # The volume a restore in flight writes to.
    restore_volume_id: Mapped[str | None] = mapped_column(String(36))
    owner: Mapped[str | None] = mapped_column(String(255))
    # Cinder 3.43's metadata (DeclarativeBase has its own "metadata").
    meta: Mapped[dict] = mapped_column('metadata', JSONDict, default=dict)


_DependentBackup = aliased(Backup)
# Whether a live backup builds on it (then it cannot be deleted).
Backup.has_dependents = column_property(
    exists().where(_DependentBackup.parent_id == Backup.id,
                   _DependentBackup.deleted.is_(False)))
