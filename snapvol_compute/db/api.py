"""The only door to the compute database."""

import json

import sqlalchemy as sa

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_api.runtime import database
from snapvol_api.runtime import heartbeat
from snapvol_api.runtime import services_table
from snapvol_compute.db import models

_DB = database.Database(lambda: CONF.compute.connection)
_session = _DB.session
_transaction = _DB.transaction
dispose = _DB.dispose


def _live_instance(session, instance_id):
    instance = session.scalars(sa.select(models.Instance).where(
        models.Instance.id == instance_id,
        models.Instance.deleted.is_(False))).first()
    if instance is None:
        raise exception.InstanceNotFound(instance_id=instance_id)
    return instance


# Instances ------------------------------------------------------------------

def instance_get(instance_id):
    with _session() as session:
        return _live_instance(session, instance_id)


def instance_get_all(filters=None):
    """Live instances whose columns equal ``filters``, oldest first."""
    query = sa.select(models.Instance).where(
        models.Instance.deleted.is_(False))
    for key, value in (filters or {}).items():
        query = query.where(getattr(models.Instance, key) == value)
    with _session() as session:
        return list(session.scalars(query.order_by(
            models.Instance.created_at)))


def instance_usage(project_id):
    """{instances, cores, ram}: how many live instances the project has,
    and their vCPUs and MiB of memory (from their flavors) in all."""
    query = sa.select(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(models.Instance.vcpus), 0),
        sa.func.coalesce(sa.func.sum(models.Instance.memory_mb), 0),
    ).where(models.Instance.project_id == project_id,
            models.Instance.deleted.is_(False))
    with _session() as session:
        instances, cores, ram = session.execute(query).one()
    return {'instances': instances, 'cores': cores, 'ram': ram}


def _add_instance(session, values, metadata, attachments):
    instance = models.Instance(**values)
    instance.metadata_items = [models.InstanceMetadata(key=k, value=v)
                               for k, v in metadata.items()]
    instance.attachments = [
        models.VolumeAttachment(
            volume_id=a['volume_id'], device=a['device'],
            boot_index=a.get('boot_index'),
            connection_info=json.dumps(a.get('connection_info') or {}))
        for a in attachments]
    session.add(instance)
    return instance


def instance_create(values, metadata, attachments):
    """``attachments``: [{volume_id, device, boot_index, connection_info}]."""
    return instance_get(_transaction(_add_instance, values, metadata,
                                     attachments).id)


def instance_create_placed(values, metadata, attachments, place):
    """instance_create on the host ``place(services, usage)`` returns,
    given the compute managers' service rows and host_usage(). The rows
    are held meanwhile (a write that changes nothing: row locks on
    PostgreSQL, the writer's lock on SQLite), so creates placed at once
    choose one after the other, each counting the other's instance.
    What ``place`` raises ends the transaction with nothing made."""
    def create(session):
        held = sa.update(models.Service).where(
            models.Service.binary == COMPUTE_BINARY,
            models.Service.deleted.is_(False)).values(deleted=False)
        session.execute(held.execution_options(synchronize_session=False))
        services = list(session.scalars(sa.select(models.Service).where(
            models.Service.binary == COMPUTE_BINARY,
            models.Service.deleted.is_(False)).order_by(models.Service.id)))
        host = place(services, _host_usage(session))
        return _add_instance(session, dict(values, host=host), metadata,
                             attachments)
    return instance_get(_transaction(create).id)


def _host_usage(session):
    query = sa.select(
        models.Instance.host, sa.func.count(),
        sa.func.coalesce(sa.func.sum(models.Instance.vcpus), 0),
        sa.func.coalesce(sa.func.sum(models.Instance.memory_mb), 0),
    ).where(models.Instance.deleted.is_(False),
            models.Instance.host.is_not(None)).group_by(models.Instance.host)
    return {host: {'instances': count, 'vcpus': vcpus, 'memory_mb': memory}
            for host, count, vcpus, memory in session.execute(query)}


def host_usage():
    """{host: {instances, vcpus, memory_mb}}: what the live instances
    placed on each host take (from their flavors), whatever their status,
    as Nova's placement counts a server's allocation until it is
    deleted."""
    with _session() as session:
        return _host_usage(session)


def instance_update(instance_id, values):
    """Changes columns other than the status (see instance_transition)."""
    if 'status' in values:
        raise ValueError('statuses change through instance_transition')

    def update(session):
        instance = _live_instance(session, instance_id)
        for key, value in values.items():
            setattr(instance, key, value)
    _transaction(update)
    return instance_get(instance_id)


def instance_transition(instance_id, target, expected=None, values=None):
    """Sets the instance's status to ``target`` (and ``values``) in one
    compare-and-swap: only from a status that states.INSTANCE allows to
    reach ``target`` and, with ``expected``, that is one of those. Raises
    InstanceStatusConflict, with the status found, when the row has
    another; InstanceNotFound when there is no live instance. So a late
    outcome never overwrites a status someone else set meanwhile.
    Returns the instance (None once DELETED)."""
    sources = set(states.INSTANCE.sources(target))
    if expected is not None:
        sources &= set(expected)
    values = dict(values or {})
    deleting = target == states.INSTANCE_DELETED
    if deleting:
        values.update(deleted=True, deleted_at=models.utcnow())

    def change(session):
        updated = session.execute(
            sa.update(models.Instance)
            .where(models.Instance.id == instance_id,
                   models.Instance.deleted.is_(False),
                   models.Instance.status.in_(sorted(sources)))
            .values(status=target, **values)
            .execution_options(synchronize_session=False)).rowcount
        if updated != 1:
            found = _live_instance(session, instance_id)
            raise exception.InstanceStatusConflict(
                instance_id=instance_id, state=found.status, target=target)
        if deleting:
            session.execute(sa.delete(models.VolumeAttachment).where(
                models.VolumeAttachment.instance_id == instance_id))
    _transaction(change)
    return None if deleting else instance_get(instance_id)


def instance_destroy(instance_id, expected=None):
    """Marks the instance DELETED (a guarded transition) and forgets its
    attachments."""
    instance_transition(instance_id, states.INSTANCE_DELETED, expected)


def instance_metadata_set(instance_id, metadata, replace=False):
    def update(session):
        _live_instance(session, instance_id)
        database.set_metadata(session, models.InstanceMetadata,
                              'instance_id', instance_id, metadata, replace)
    _transaction(update)
    return instance_get(instance_id)


@database.retrying
def instance_metadata_delete(instance_id, key):
    with _session() as session:
        instance = _live_instance(session, instance_id)
        for item in instance.metadata_items:
            if item.key == key:
                instance.metadata_items.remove(item)
                return
    raise exception.MetadataKeyNotFound(key=key)


# Volume attachments ---------------------------------------------------------

def attachment_get_by_volume(volume_id):
    """The attachment of a volume to a live instance."""
    with _session() as session:
        attachment = session.scalars(
            sa.select(models.VolumeAttachment)
            .join(models.Instance)
            .where(models.VolumeAttachment.volume_id == volume_id,
                   models.Instance.deleted.is_(False))).first()
        if attachment is None:
            raise exception.VolumeNotAttached(volume_id=volume_id)
        return attachment


@database.retrying
def attachment_create(instance_id, volume_id, device, connection_info,
                      boot_index=None):
    with _session() as session:
        _live_instance(session, instance_id)
        session.add(models.VolumeAttachment(
            instance_id=instance_id, volume_id=volume_id, device=device,
            boot_index=boot_index,
            connection_info=json.dumps(connection_info)))


@database.retrying
def attachment_update(instance_id, volume_id, connection_info):
    with _session() as session:
        attachment = session.get(models.VolumeAttachment,
                                 (instance_id, volume_id))
        if attachment is None:
            raise exception.VolumeNotAttached(volume_id=volume_id)
        attachment.connection_info = json.dumps(connection_info)


@database.retrying
def attachment_delete(instance_id, volume_id):
    with _session() as session:
        attachment = session.get(models.VolumeAttachment,
                                 (instance_id, volume_id))
        if attachment is None:
            raise exception.VolumeNotAttached(volume_id=volume_id)
        session.delete(attachment)


# Volume operations in flight ------------------------------------------------

@database.retrying
def operation_begin(snapshot_id, kind, instance_id, volume_id, host, info,
                    context):
    with _session() as session:
        session.merge(models.VolumeOperation(
            snapshot_id=snapshot_id, kind=kind, instance_id=instance_id,
            volume_id=volume_id, host=host, info=json.dumps(info),
            context=json.dumps(context)))


@database.retrying
def operation_end(snapshot_id):
    with _session() as session:
        session.execute(sa.delete(models.VolumeOperation).where(
            models.VolumeOperation.snapshot_id == snapshot_id))


def operations_on_host(host):
    with _session() as session:
        return list(session.scalars(sa.select(models.VolumeOperation).where(
            models.VolumeOperation.host == host).order_by(
                models.VolumeOperation.created_at)))


# Images ---------------------------------------------------------------------

def image_create(values, properties, block_device_mapping):
    def create(session):
        image = models.Image(
            properties=json.dumps(properties),
            block_device_mapping=json.dumps(block_device_mapping), **values)
        session.add(image)
        return image
    return image_get(_transaction(create).id)


def image_get(image_id, project_id=None):
    """A live image (of ``project_id`` when given); ImageNotFound."""
    query = sa.select(models.Image).where(models.Image.id == image_id,
                                          models.Image.deleted.is_(False))
    if project_id is not None:
        query = query.where(models.Image.project_id == project_id)
    with _session() as session:
        image = session.scalars(query).first()
    if image is None:
        raise exception.ImageNotFound(image_id=image_id)
    return image


def image_get_all(project_id=None):
    """Live images, oldest first."""
    query = sa.select(models.Image).where(models.Image.deleted.is_(False))
    if project_id is not None:
        query = query.where(models.Image.project_id == project_id)
    with _session() as session:
        return list(session.scalars(query.order_by(
            models.Image.created_at, models.Image.id)))


@database.retrying
def image_destroy(image_id):
    with _session() as session:
        session.execute(sa.update(models.Image).where(
            models.Image.id == image_id).values(
                deleted=True, deleted_at=models.utcnow()))


# Services -------------------------------------------------------------------

SERVICE_FILTERS = services_table.FILTERS
# The compute managers' binary (snapvol_compute.services.MANAGER_BINARY):
# their rows carry their host's capacity.
COMPUTE_BINARY = 'snapvol-compute'

_SERVICES = services_table.ServicesTable(models.Service, _session)
service_get = _SERVICES.get
service_get_all = _SERVICES.get_all
service_live_runs = _SERVICES.live_runs
service_is_up = heartbeat.service_is_up


def service_heartbeat(host, binary, topic, cluster_name, availability_zone,
                      run_id, capacity=None):
    """Records a heartbeat (``ServicesTable.heartbeat``); ``capacity``: a
    compute manager's host (vcpus, memory_mb, reserved_host_memory_mb,
    cpu_allocation_ratio, ram_allocation_ratio), else left as it was.
    The row."""
    return _SERVICES.heartbeat(host, binary, topic, cluster_name,
                               availability_zone, run_id,
                               **(capacity or {}))
