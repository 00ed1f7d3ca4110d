"""The response bodies of the volume API (Cinder v3's shapes), as its
views build them: the named schemas of its OpenAPI document."""

from snapvol_api.rest.openapi import builder as b


def define(doc):
    """Adds the named resource schemas to ``doc``; returns their $refs
    by name."""
    s = {}
    s['Attachment'] = doc.schema('Attachment', b.obj({
        'id': b.uuid, 'attachment_id': b.uuid, 'volume_id': b.uuid,
        'server_id': b.uuid, 'host_name': b.nullable_string,
        'device': b.nullable_string,
        'attached_at': b.nullable_string}))
    volume_properties = {
        'id': b.uuid,
        'name': b.nullable_string,
        'description': b.nullable_string,
        'size': b.integer,
        'status': b.string,
        'availability_zone': b.nullable_string,
        'created_at': b.string,
        'updated_at': b.nullable_string,
        'attachments': b.array(s['Attachment']),
        'bootable': {'enum': ['true', 'false']},
        'encrypted': b.boolean,
        'multiattach': b.boolean,
        'metadata': b.string_map,
        'snapshot_id': b.nullable_uuid,
        'source_volid': b.nullable_uuid,
        'volume_type': b.nullable_string,
        'user_id': b.string,
        'replication_status': b.nullable_string,
        'consistencygroup_id': b.nullable_uuid,
        'links': b.links,
        # Each where policy shows it.
        'os-vol-tenant-attr:tenant_id': b.string,
        'os-vol-host-attr:host': b.nullable_string,
        'migration_status': b.nullable_string,
        'os-vol-mig-status-attr:migstat': b.nullable_string,
        'os-vol-mig-status-attr:name_id': b.nullable_uuid,
        # 3.13
        'group_id': b.nullable_uuid,
        # 3.21, administrators
        'provider_id': b.nullable_string,
        # 3.48 (3.69: shared_targets may be null)
        'shared_targets': b.nullable_boolean,
        'service_uuid': b.nullable_string,
        # 3.61, administrators
        'cluster_name': b.nullable_string,
        # 3.63
        'volume_type_id': b.nullable_uuid,
        # 3.64
        'encryption_key_id': b.nullable_uuid,
        # 3.65
        'consumes_quota': b.boolean,
    }
    s['Volume'] = doc.schema('Volume', b.obj(volume_properties, required=[
        'id', 'name', 'description', 'size', 'status', 'availability_zone',
        'created_at', 'updated_at', 'attachments', 'bootable', 'encrypted',
        'multiattach', 'metadata', 'snapshot_id', 'source_volid',
        'volume_type', 'user_id', 'replication_status',
        'consistencygroup_id', 'links']))
    s['VolumeSummary'] = doc.schema('VolumeSummary', b.obj(
        {'id': b.uuid, 'name': b.nullable_string, 'links': b.links},
        required=['id', 'name', 'links']))
    s['Snapshot'] = doc.schema('Snapshot', b.obj({
        'id': b.uuid,
        'name': b.nullable_string,
        'description': b.nullable_string,
        'volume_id': b.uuid,
        'status': b.string,
        'size': b.integer,
        'metadata': b.string_map,
        'created_at': b.string,
        'updated_at': b.nullable_string,
        # Where policy shows them (details).
        'os-extended-snapshot-attributes:progress': b.nullable_string,
        'os-extended-snapshot-attributes:project_id': b.string,
        # 3.14
        'group_snapshot_id': b.nullable_uuid,
        # 3.41
        'user_id': b.string,
        # 3.65
        'consumes_quota': b.boolean,
    }, required=['id', 'name', 'description', 'volume_id', 'status', 'size',
                 'metadata', 'created_at', 'updated_at']))
    s['VolumeType'] = doc.schema('VolumeType', b.obj({
        'id': b.string,
        'name': b.string,
        'description': b.nullable_string,
        'is_public': b.boolean,
        'os-volume-type-access:is_public': b.boolean,
        # Where policy shows them.
        'extra_specs': b.string_map,
        'qos_specs_id': b.nullable_string,
    }, required=['id', 'name', 'description', 'is_public']))
    s['DefaultType'] = doc.schema('DefaultType', b.obj(
        {'project_id': b.string, 'volume_type_id': b.string},
        required=['project_id', 'volume_type_id']))
    s['GroupType'] = doc.schema('GroupType', b.obj({
        'id': b.string, 'name': b.string, 'description': b.nullable_string,
        'is_public': b.boolean, 'group_specs': b.string_map,
    }, required=['id', 'name', 'description', 'is_public']))
    s['GroupSummary'] = doc.schema('GroupSummary', b.obj(
        {'id': b.uuid, 'name': b.nullable_string}, required=['id', 'name']))
    s['Group'] = doc.schema('Group', b.obj({
        'id': b.uuid,
        'status': b.string,
        'availability_zone': b.nullable_string,
        'created_at': b.string,
        'name': b.nullable_string,
        'description': b.nullable_string,
        'group_type': b.string,
        'volume_types': b.array(b.string),
        # 3.14
        'group_snapshot_id': b.nullable_uuid,
        'source_group_id': b.nullable_uuid,
        # 3.25, with ?list_volume=true
        'volumes': b.array(b.uuid),
        # 3.58
        'project_id': b.string,
    }, required=['id', 'status', 'availability_zone', 'created_at', 'name',
                 'description', 'group_type', 'volume_types']))
    s['GroupSnapshotSummary'] = doc.schema('GroupSnapshotSummary', b.obj(
        {'id': b.uuid, 'name': b.nullable_string,
         # in the answer to a create
         'group_type_id': b.string},
        required=['id', 'name']))
    s['GroupSnapshot'] = doc.schema('GroupSnapshot', b.obj({
        'id': b.uuid,
        'group_id': b.uuid,
        'group_type_id': b.string,
        'status': b.string,
        'created_at': b.string,
        'name': b.nullable_string,
        'description': b.nullable_string,
        # 3.58
        'project_id': b.string,
    }, required=['id', 'group_id', 'group_type_id', 'status', 'created_at',
                 'name', 'description']))
    s['Message'] = doc.schema('Message', b.obj({
        'id': b.uuid,
        'event_id': b.string,
        'user_message': b.string,
        'message_level': b.string,
        'resource_type': b.nullable_string,
        'resource_uuid': b.nullable_string,
        'request_id': b.nullable_string,
        'created_at': b.string,
        'guaranteed_until': b.nullable_string,
        'links': b.links,
    }, required=['id', 'event_id', 'user_message', 'message_level',
                 'resource_type', 'resource_uuid', 'request_id',
                 'created_at', 'guaranteed_until', 'links']))
    s['TransferSummary'] = doc.schema('TransferSummary', b.obj({
        'id': b.uuid, 'name': b.nullable_string, 'volume_id': b.uuid,
        'links': b.links,
    }, required=['id', 'name', 'volume_id', 'links']))
    s['Transfer'] = doc.schema('Transfer', b.obj({
        'id': b.uuid,
        'name': b.nullable_string,
        'volume_id': b.uuid,
        'created_at': b.string,
        'links': b.links,
        # Only in the answer to a create.
        'auth_key': b.string,
        # 3.55
        'no_snapshots': b.boolean,
        # 3.57
        'source_project_id': b.nullable_string,
        'destination_project_id': b.nullable_string,
        'accepted': b.boolean,
    }, required=['id', 'name', 'volume_id', 'links']))
    s['BackupSummary'] = doc.schema('BackupSummary', b.obj({
        'id': b.uuid, 'name': b.nullable_string, 'links': b.links,
    }, required=['id', 'name', 'links']))
    s['Backup'] = doc.schema('Backup', b.obj({
        'id': b.uuid,
        'name': b.nullable_string,
        'description': b.nullable_string,
        'links': b.links,
        'status': {'enum': ['creating', 'available', 'deleting', 'error',
                            'restoring']},
        'size': b.integer,
        'object_count': b.integer,
        'availability_zone': b.nullable_string,
        'container': b.nullable_string,
        'created_at': b.string,
        'updated_at': b.nullable_string,
        'fail_reason': b.nullable_string,
        'volume_id': b.uuid,
        'snapshot_id': b.nullable_uuid,
        'is_incremental': b.boolean,
        'has_dependent_backups': b.boolean,
        'data_timestamp': b.nullable_string,
        # 3.43
        'metadata': b.string_map,
        # 3.18 and 3.56, where policy shows them
        'os-backup-project-attr:project_id': b.string,
        'user_id': b.nullable_string,
    }, required=['id', 'name', 'description', 'links', 'status', 'size',
                 'object_count', 'availability_zone', 'container',
                 'created_at', 'updated_at', 'fail_reason', 'volume_id',
                 'snapshot_id', 'is_incremental', 'has_dependent_backups',
                 'data_timestamp']))
    s['ImageUpload'] = doc.schema('ImageUpload', b.obj({
        'id': b.uuid,
        'status': b.string,
        'updated_at': b.nullable_string,
        'display_description': b.nullable_string,
        'size': b.integer,
        'volume_type': {'type': ['object', 'null']},
        'image_id': b.uuid,
        'image_name': b.string,
        'disk_format': b.string,
        'container_format': b.string,
        # 3.1
        'visibility': b.string,
        'protected': b.boolean,
    }, required=['id', 'status', 'size', 'image_id', 'image_name',
                 'disk_format', 'container_format']))
    quota_usage = b.obj({'limit': b.integer, 'in_use': b.integer,
                         'reserved': b.integer, 'allocated': b.integer},
                        required=['limit', 'in_use'])
    s['QuotaSet'] = doc.schema('QuotaSet', {
        'type': 'object',
        'properties': {'id': b.string},
        'required': ['id'],
        # A limit, or with ?usage=true the limit and the usage.
        'additionalProperties': {'oneOf': [b.integer, quota_usage]},
    })
    s['VersionList'] = doc.schema('VersionList', b.envelope(
        'versions', b.array(b.obj({
            'id': b.string, 'status': b.string, 'version': b.string,
            'min_version': b.string, 'updated': b.string, 'links': b.links,
            'media-types': b.array(b.obj({'base': b.string,
                                          'type': b.string})),
        }, required=['id', 'status', 'version', 'min_version', 'links'])))
    )
    return s
