"""SQLAlchemy models of the compute database."""

import datetime
import uuid

from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from snapvol_api.runtime import services_table


def utcnow():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Instance(Base):
    __tablename__ = 'instances'

    id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                    default=lambda: str(uuid.uuid4()))
    name: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str | None] = mapped_column(String(255), index=True)
    user_id: Mapped[str | None] = mapped_column(String(255))
    # None for a server no host had room for (ERROR, never built).
    host: Mapped[str | None] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(32))
    flavor_id: Mapped[str] = mapped_column(String(255))
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    fault: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(
        DateTime, onupdate=utcnow)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False,
                                          nullable=False, index=True)

    metadata_items = relationship('InstanceMetadata', lazy='selectin',
                                  cascade='all, delete-orphan')
    attachments = relationship('VolumeAttachment', lazy='selectin',
                               cascade='all, delete-orphan',
                               order_by='VolumeAttachment.device')


class InstanceMetadata(Base):
    __tablename__ = 'instance_metadata'

    instance_id: Mapped[str] = mapped_column(
        String(36), ForeignKey('instances.id'), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class VolumeAttachment(Base):
    """A volume attached to an instance as one of its disks (the disk's
    serial is the volume id). Not ``volume_attachments``: the volume
    service has a table of that name, and both may share one database."""
    __tablename__ = 'instance_volume_attachments'

    instance_id: Mapped[str] = mapped_column(
        String(36), ForeignKey('instances.id'), primary_key=True)
    volume_id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                           index=True)
    device: Mapped[str] = mapped_column(String(32))
    boot_index: Mapped[int | None] = mapped_column(Integer)
    connection_info: Mapped[str] = mapped_column(Text)


class VolumeOperation(Base):
    """An assisted snapshot create or delete in flight on a host, kept
    until its outcome is reported, so a restarted compute manager can
    finish it."""
    __tablename__ = 'volume_operations'

    # A group snapshot's id for the create of a set ('create-set': its
    # members are in ``info``, and it has no one volume).
    snapshot_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    instance_id: Mapped[str] = mapped_column(String(36))
    volume_id: Mapped[str | None] = mapped_column(String(36))
    host: Mapped[str] = mapped_column(String(255), index=True)
    info: Mapped[str] = mapped_column(Text)
    context: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow, nullable=False)


class Image(Base):
    """The image of a volume-backed server (Nova's createImage): no file
    of its own, only the group snapshot of the server's volumes and the
    layout to boot them again in (``block_device_mapping``, JSON)."""
    __tablename__ = 'images'

    id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                    default=lambda: str(uuid.uuid4()))
    name: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str | None] = mapped_column(String(255), index=True)
    user_id: Mapped[str | None] = mapped_column(String(255))
    instance_id: Mapped[str] = mapped_column(String(36))
    group_snapshot_id: Mapped[str] = mapped_column(String(36))
    properties: Mapped[str] = mapped_column(Text)
    block_device_mapping: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime, default=utcnow, nullable=False)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False,
                                          nullable=False, index=True)


class Service(services_table.ServiceColumns, Base):
    """One process of the compute service (a compute manager or the
    compute API) and its heartbeat, as Nova's ``services``."""
    __tablename__ = 'compute_services'
    __table_args__ = (UniqueConstraint(
        'host', 'binary', 'deleted',
        name='uniq_compute_services0host0binary0deleted'),)

    # A compute manager's host, as its heartbeats report it (migration
    # 0005): libvirt's CPUs and MiB of memory, and the host's options.
    vcpus: Mapped[int | None] = mapped_column(Integer)
    memory_mb: Mapped[int | None] = mapped_column(Integer)
    reserved_host_memory_mb: Mapped[int | None] = mapped_column(Integer)
    cpu_allocation_ratio: Mapped[float | None] = mapped_column(Float)
    ram_allocation_ratio: Mapped[float | None] = mapped_column(Float)
