"""Policy defaults of the volume API, with Cinder's rule names."""

from snapvol_api.rest.policy import ADMIN_API
from snapvol_api.rest.policy import ADMIN_OR_OWNER
from snapvol_api.rest.policy import api_rule as _api

_VOLUMES = '/v3/{project_id}/volumes'
_SNAPSHOTS = '/v3/{project_id}/snapshots'
_TYPES = '/v3/{project_id}/types'
_AZ = '/v3/{project_id}/os-availability-zone'
_GROUP_TYPES = '/v3/{project_id}/group_types'
_GROUPS = '/v3/{project_id}/groups'
_GROUP_SNAPSHOTS = '/v3/{project_id}/group_snapshots'
_MESSAGES = '/v3/{project_id}/messages'

RULES = [
    _api('volume:create', ADMIN_OR_OWNER, 'Create a volume.',
         ('POST', _VOLUMES)),
    _api('volume:get', ADMIN_OR_OWNER, 'Show a volume.',
         ('GET', _VOLUMES + '/{volume_id}')),
    _api('volume:get_all', ADMIN_OR_OWNER, 'List volumes, or sum them up.',
         ('GET', _VOLUMES), ('GET', _VOLUMES + '/detail'),
         ('GET', _VOLUMES + '/summary')),
    _api('volume:get_all_projects', ADMIN_API,
         'List the volumes of every project (all_tenants; ignored when '
         'not allowed, as in Cinder).',
         ('GET', _VOLUMES), ('GET', _VOLUMES + '/detail'),
         ('GET', _VOLUMES + '/summary')),
    _api('volume:update', ADMIN_OR_OWNER,
         'Update a volume, or mark it bootable (os-set_bootable).',
         ('PUT', _VOLUMES + '/{volume_id}'),
         ('POST', _VOLUMES + '/{volume_id}/action')),
    _api('volume:delete', ADMIN_OR_OWNER, 'Delete a volume.',
         ('DELETE', _VOLUMES + '/{volume_id}')),
    _api('volume:extend', ADMIN_OR_OWNER,
         'Extend a detached volume (os-extend).',
         ('POST', _VOLUMES + '/{volume_id}/action')),
    _api('volume:get_volume_metadata', ADMIN_OR_OWNER,
         'Show the metadata of a volume.',
         ('GET', _VOLUMES + '/{volume_id}/metadata'),
         ('GET', _VOLUMES + '/{volume_id}/metadata/{key}')),
    _api('volume:update_volume_metadata', ADMIN_OR_OWNER,
         'Set, merge or replace the metadata of a volume.',
         ('POST', _VOLUMES + '/{volume_id}/metadata'),
         ('PUT', _VOLUMES + '/{volume_id}/metadata'),
         ('PUT', _VOLUMES + '/{volume_id}/metadata/{key}')),
    _api('volume:delete_volume_metadata', ADMIN_OR_OWNER,
         'Delete a metadata item of a volume.',
         ('DELETE', _VOLUMES + '/{volume_id}/metadata/{key}')),
    _api('volume_extension:volume_admin_actions:reset_status', ADMIN_API,
         'Reset the status of a volume (os-reset_status).',
         ('POST', _VOLUMES + '/{volume_id}/action')),
    _api('volume_extension:volume_admin_actions:force_delete', ADMIN_API,
         'Delete a volume whatever its status (os-force_delete, or '
         'DELETE with force from 3.23).',
         ('POST', _VOLUMES + '/{volume_id}/action'),
         ('DELETE', _VOLUMES + '/{volume_id}')),
    _api('volume_extension:volume_host_attribute', ADMIN_API,
         'Show os-vol-host-attr:host in volume details.',
         ('GET', _VOLUMES + '/{volume_id}'), ('GET', _VOLUMES + '/detail')),
    _api('volume_extension:volume_mig_status_attribute', ADMIN_API,
         'Show the migration attributes in volume details.',
         ('GET', _VOLUMES + '/{volume_id}'), ('GET', _VOLUMES + '/detail')),
    _api('volume_extension:volume_tenant_attribute', ADMIN_OR_OWNER,
         'Show os-vol-tenant-attr:tenant_id in volume details.',
         ('GET', _VOLUMES + '/{volume_id}'), ('GET', _VOLUMES + '/detail')),

    _api('volume:create_snapshot', ADMIN_OR_OWNER, 'Create a snapshot.',
         ('POST', _SNAPSHOTS)),
    _api('volume:get_snapshot', ADMIN_OR_OWNER, 'Show a snapshot.',
         ('GET', _SNAPSHOTS + '/{snapshot_id}')),
    _api('volume:get_all_snapshots', ADMIN_OR_OWNER, 'List snapshots.',
         ('GET', _SNAPSHOTS), ('GET', _SNAPSHOTS + '/detail')),
    _api('volume:get_all_projects_snapshots', ADMIN_API,
         'List the snapshots of every project (all_tenants; ignored '
         'when not allowed, as in Cinder).',
         ('GET', _SNAPSHOTS), ('GET', _SNAPSHOTS + '/detail')),
    _api('volume:update_snapshot', ADMIN_OR_OWNER, 'Update a snapshot.',
         ('PUT', _SNAPSHOTS + '/{snapshot_id}')),
    _api('volume:delete_snapshot', ADMIN_OR_OWNER, 'Delete a snapshot.',
         ('DELETE', _SNAPSHOTS + '/{snapshot_id}')),
    _api('volume:get_snapshot_metadata', ADMIN_OR_OWNER,
         'Show the metadata of a snapshot.',
         ('GET', _SNAPSHOTS + '/{snapshot_id}/metadata'),
         ('GET', _SNAPSHOTS + '/{snapshot_id}/metadata/{key}')),
    _api('volume:update_snapshot_metadata', ADMIN_OR_OWNER,
         'Set, merge or replace the metadata of a snapshot.',
         ('POST', _SNAPSHOTS + '/{snapshot_id}/metadata'),
         ('PUT', _SNAPSHOTS + '/{snapshot_id}/metadata'),
         ('PUT', _SNAPSHOTS + '/{snapshot_id}/metadata/{key}')),
    _api('volume:delete_snapshot_metadata', ADMIN_OR_OWNER,
         'Delete a metadata item of a snapshot.',
         ('DELETE', _SNAPSHOTS + '/{snapshot_id}/metadata/{key}')),
    _api('volume_extension:snapshot_admin_actions:reset_status', ADMIN_API,
         'Reset the status of a snapshot (os-reset_status).',
         ('POST', _SNAPSHOTS + '/{snapshot_id}/action')),
    _api('volume_extension:snapshot_admin_actions:force_delete', ADMIN_API,
         'Delete a snapshot whatever its status (os-force_delete).',
         ('POST', _SNAPSHOTS + '/{snapshot_id}/action')),
    _api('snapshot_extension:snapshot_actions:update_snapshot_status',
         ADMIN_OR_OWNER,
         'Report the progress of an assisted snapshot, as a compute '
         'service does (os-update_snapshot_status).',
         ('POST', _SNAPSHOTS + '/{snapshot_id}/action')),
    _api('volume_extension:extended_snapshot_attributes', ADMIN_OR_OWNER,
         'Show the os-extended-snapshot-attributes:* fields.',
         ('GET', _SNAPSHOTS + '/{snapshot_id}'),
         ('GET', _SNAPSHOTS + '/detail')),

    # Volume types: anyone may list and show them, as in Cinder.
    _api('volume_extension:types_manage', ADMIN_API,
         'Create, update or delete a volume type (snapvol has one built-in '
         'type: an administrator is told so, others are refused).',
         ('POST', _TYPES), ('PUT', _TYPES + '/{type_id}'),
         ('DELETE', _TYPES + '/{type_id}')),
    _api('volume_extension:access_types_extra_specs', ADMIN_API,
         'Show extra_specs in volume types.',
         ('GET', _TYPES), ('GET', _TYPES + '/{type_id}')),
    _api('volume_extension:access_types_qos_specs_id', ADMIN_API,
         'Show qos_specs_id in volume types.',
         ('GET', _TYPES), ('GET', _TYPES + '/{type_id}')),
    _api('volume_extension:availability_zone_list', ADMIN_OR_OWNER,
         'List availability zones.', ('GET', _AZ)),

    # Group types (3.11): anyone may list and show them, as in Cinder.
    _api('group:group_types_manage', ADMIN_API,
         'Create, update or delete a group type (snapvol has one built-in '
         'type: an administrator is told so, others are refused).',
         ('POST', _GROUP_TYPES), ('PUT', _GROUP_TYPES + '/{group_type_id}'),
         ('DELETE', _GROUP_TYPES + '/{group_type_id}')),
    _api('group:access_group_types_specs', ADMIN_API,
         'Show group_specs in group types.',
         ('GET', _GROUP_TYPES), ('GET', _GROUP_TYPES + '/{group_type_id}')),

    # Groups (3.13)
    _api('group:create', ADMIN_OR_OWNER,
         'Create a group, also from a group snapshot (create-from-src, '
         'as in Cinder).',
         ('POST', _GROUPS), ('POST', _GROUPS + '/action')),
    _api('group:get', ADMIN_OR_OWNER, 'Show a group.',
         ('GET', _GROUPS + '/{group_id}')),
    _api('group:get_all', ADMIN_OR_OWNER, 'List groups.',
         ('GET', _GROUPS), ('GET', _GROUPS + '/detail')),
    _api('group:update', ADMIN_OR_OWNER,
         'Rename a group, add volumes to it or remove them.',
         ('PUT', _GROUPS + '/{group_id}')),
    _api('group:delete', ADMIN_OR_OWNER,
         'Delete a group (and, with delete-volumes, its volumes).',
         ('POST', _GROUPS + '/{group_id}/action')),
    _api('group:reset_status', ADMIN_API,
         'Reset the status of a group (3.20).',
         ('POST', _GROUPS + '/{group_id}/action')),

    # Group snapshots (3.14)
    _api('group:create_group_snapshot', ADMIN_OR_OWNER,
         'Create a group snapshot.', ('POST', _GROUP_SNAPSHOTS)),
    _api('group:get_group_snapshot', ADMIN_OR_OWNER,
         'Show a group snapshot.',
         ('GET', _GROUP_SNAPSHOTS + '/{group_snapshot_id}')),
    _api('group:get_all_group_snapshots', ADMIN_OR_OWNER,
         'List group snapshots.',
         ('GET', _GROUP_SNAPSHOTS), ('GET', _GROUP_SNAPSHOTS + '/detail')),
    _api('group:delete_group_snapshot', ADMIN_OR_OWNER,
         'Delete a group snapshot and its member snapshots.',
         ('DELETE', _GROUP_SNAPSHOTS + '/{group_snapshot_id}')),
    _api('group:reset_group_snapshot_status', ADMIN_API,
         'Reset the status of a group snapshot (3.19).',
         ('POST', _GROUP_SNAPSHOTS + '/{group_snapshot_id}/action')),

    # User messages (3.3)
    _api('message:get', ADMIN_OR_OWNER, 'Show a user message.',
         ('GET', _MESSAGES + '/{message_id}')),
    _api('message:get_all', ADMIN_OR_OWNER, 'List user messages.',
         ('GET', _MESSAGES)),
    _api('message:delete', ADMIN_OR_OWNER, 'Delete a user message.',
         ('DELETE', _MESSAGES + '/{message_id}')),
]
