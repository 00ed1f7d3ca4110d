"""Volumes, snapshots, groups and group snapshots as the plain dicts the
RPC API returns."""


def _iso(value):
    return value.isoformat() if value is not None else None


def volume(volume):
    files = {f.name: f.format for f in volume.files}
    base = 'volume-%s' % volume.id
    return {
        'id': volume.id,
        'project_id': volume.project_id,
        'user_id': volume.user_id,
        'name': volume.name,
        'description': volume.description,
        'size': volume.size,
        'status': volume.status,
        'host': volume.host,
        'cluster_name': volume.cluster_name,
        # Cinder's host@backend#pool: the share's kind and location.
        'host_backend_pool': '%s@%s#%s' % ((volume.host,) + tuple(
            (volume.share or 'unknown:unknown').split(':', 1))),
        'share': volume.share,
        'format': files.get(volume.active_file or base),
        # A live merge may have pulled the base into the active file.
        'base_format': files.get(base, files.get(volume.active_file)),
        'availability_zone': volume.availability_zone,
        # The type's name (Cinder's volume_type) and, from 3.63, its id.
        'volume_type': (volume.volume_type.name
                        if volume.volume_type is not None else None),
        'volume_type_id': volume.volume_type_id,
        'bootable': volume.bootable,
        'snapshot_id': volume.source_snapshot_id,
        'group_id': volume.group_id,
        'metadata': {m.key: m.value for m in volume.metadata_items},
        'attachments': [attachment(a) for a in volume.attachments],
        'created_at': _iso(volume.created_at),
        'updated_at': _iso(volume.updated_at),
    }


def attachment(att):
    """Cinder's shape of an attachment."""
    return {
        'id': att.volume_id,
        'attachment_id': att.id,
        'volume_id': att.volume_id,
        'server_id': att.instance_id,
        'host_name': att.host,
        'device': att.device,
        'attached_at': _iso(att.attached_at),
    }


def snapshot(snapshot):
    return {
        'id': snapshot.id,
        'project_id': snapshot.project_id,
        'user_id': snapshot.user_id,
        'volume_id': snapshot.volume_id,
        'name': snapshot.name,
        'description': snapshot.description,
        'size': snapshot.volume_size,
        'status': snapshot.status,
        'progress': snapshot.progress,
        'group_snapshot_id': snapshot.group_snapshot_id,
        'metadata': {m.key: m.value for m in snapshot.metadata_items},
        'created_at': _iso(snapshot.created_at),
        'updated_at': _iso(snapshot.updated_at),
    }


def group(group):
    """A group; ``volumes`` are the ids of its live volumes, oldest
    first."""
    return {
        'id': group.id,
        'project_id': group.project_id,
        'user_id': group.user_id,
        'name': group.name,
        'description': group.description,
        'status': group.status,
        'group_type_id': group.group_type_id,
        'volume_types': list(group.volume_types or []),
        'availability_zone': group.availability_zone,
        'volumes': [v.id for v in group.volumes],
        'group_snapshot_id': group.group_snapshot_id,
        'source_group_id': group.source_group_id,
        'created_at': _iso(group.created_at),
    }


def group_snapshot(group_snapshot):
    """A group snapshot; ``snapshots`` are the ids of its live member
    snapshots, by volume id."""
    return {
        'id': group_snapshot.id,
        'group_id': group_snapshot.group_id,
        'project_id': group_snapshot.project_id,
        'user_id': group_snapshot.user_id,
        'name': group_snapshot.name,
        'description': group_snapshot.description,
        'status': group_snapshot.status,
        'group_type_id': group_snapshot.group_type_id,
        'instance_id': group_snapshot.instance_id,
        'snapshots': [s.id for s in group_snapshot.snapshots],
        'created_at': _iso(group_snapshot.created_at),
    }


def transfer(transfer):
    return {
        'id': transfer.id,
        'name': transfer.name,
        'volume_id': transfer.volume_id,
        'project_id': transfer.project_id,
        'destination_project_id': transfer.destination_project_id,
        'accepted': transfer.accepted,
        'no_snapshots': transfer.no_snapshots,
        'created_at': _iso(transfer.created_at),
    }


def message(message):
    return {
        'id': message.id,
        'project_id': message.project_id,
        'request_id': message.request_id,
        'resource_type': message.resource_type,
        'resource_uuid': message.resource_uuid,
        'event_id': message.event_id,
        'message_level': message.message_level,
        'user_message': message.user_message,
        'created_at': _iso(message.created_at),
        'expires_at': _iso(message.expires_at),
    }


def volume_type(vtype):
    """Cinder's shape of a volume type (snapvol has no QoS specs)."""
    return {
        'id': vtype.id,
        'name': vtype.name,
        'description': vtype.description,
        'is_public': vtype.is_public,
        'extra_specs': {s.key: s.value for s in vtype.extra_specs_items},
        'qos_specs_id': None,
    }


def default_type(default):
    """A project's own default volume type (Cinder 3.62)."""
    return {'project_id': default.project_id,
            'volume_type_id': default.volume_type_id}


def backup(backup):
    """A backup; ``metadata`` is Cinder 3.43's."""
    return {
        'id': backup.id,
        'project_id': backup.project_id,
        'user_id': backup.user_id,
        'volume_id': backup.volume_id,
        'snapshot_id': backup.snapshot_id,
        'parent_id': backup.parent_id,
        'name': backup.name,
        'description': backup.description,
        'status': backup.status,
        'fail_reason': backup.fail_reason,
        'size': backup.size,
        'object_count': backup.object_count,
        'container': backup.container,
        'availability_zone': backup.availability_zone,
        'is_incremental': backup.parent_id is not None,
        'has_dependent_backups': bool(backup.has_dependents),
        'data_timestamp': _iso(backup.data_timestamp),
        'metadata': dict(backup.meta or {}),
        'created_at': _iso(backup.created_at),
        'updated_at': _iso(backup.updated_at),
    }
