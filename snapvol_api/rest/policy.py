"""Policy defaults of the volume API (oslo.policy), and the check.

Operators override rules in the file named by [oslo_policy] policy_file;
``oslopolicy-sample-generator --namespace snapvol`` lists them.
"""

from oslo_policy import policy

from snapvol_api.conf import CONF
from snapvol_api import exception

ADMIN_OR_OWNER = 'rule:admin_or_owner'
ADMIN_API = 'rule:admin_api'

_BASE_RULES = [
    policy.RuleDefault('context_is_admin', 'role:admin',
                       description='Who is an administrator.'),
    policy.RuleDefault('admin_or_owner',
                       'is_admin:True or project_id:%(project_id)s',
                       description='An administrator or a member of the '
                                   'project that owns the resource.'),
    policy.RuleDefault('admin_api', 'is_admin:True',
                       description='Administrators only.'),
]


def _api(name, check, description, *operations):
    return policy.DocumentedRuleDefault(
        name, check, description,
        [{'method': method, 'path': path} for method, path in operations])


_VOLUMES = '/v3/{project_id}/volumes'
_SNAPSHOTS = '/v3/{project_id}/snapshots'

_API_RULES = [
    _api('volume:create', ADMIN_OR_OWNER, 'Create a volume.',
         ('POST', _VOLUMES)),
    _api('volume:get', ADMIN_OR_OWNER, 'Show a volume.',
         ('GET', _VOLUMES + '/{volume_id}')),
    _api('volume:get_all', ADMIN_OR_OWNER, 'List volumes.',
         ('GET', _VOLUMES), ('GET', _VOLUMES + '/detail')),
    _api('volume:get_all_projects', ADMIN_API,
         'List the volumes of every project (all_tenants; ignored when '
         'not allowed, as in Cinder).',
         ('GET', _VOLUMES), ('GET', _VOLUMES + '/detail')),
    _api('volume:update', ADMIN_OR_OWNER, 'Update a volume.',
         ('PUT', _VOLUMES + '/{volume_id}')),
    _api('volume:delete', ADMIN_OR_OWNER, 'Delete a volume.',
         ('DELETE', _VOLUMES + '/{volume_id}')),
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
    _api('volume_extension:extended_snapshot_attributes', ADMIN_OR_OWNER,
         'Show the os-extended-snapshot-attributes:* fields.',
         ('GET', _SNAPSHOTS + '/{snapshot_id}'),
         ('GET', _SNAPSHOTS + '/detail')),
]

_ENFORCER = None


def list_rules():
    return _BASE_RULES + _API_RULES


def get_enforcer():
    global _ENFORCER
    if _ENFORCER is None:
        _ENFORCER = policy.Enforcer(CONF)
        _ENFORCER.register_defaults(list_rules())
    return _ENFORCER


def init():
    """Loads the rules now, so that a broken policy file stops the
    service at startup rather than failing requests."""
    get_enforcer().load_rules()


def reset():
    """Forget the enforcer, so the next check reads config again."""
    global _ENFORCER
    _ENFORCER = None


def _credentials(context):
    creds = dict(context.to_policy_values())
    # oslo.context leaves is_admin out; our admin rules test it.
    creds['is_admin'] = context.is_admin
    return creds


def allowed(rule, context, target):
    return get_enforcer().authorize(rule, target, _credentials(context))


def authorize(rule, context, target):
    """Raises Forbidden (403) unless ``rule`` allows the request."""
    get_enforcer().authorize(rule, target, _credentials(context),
                             do_raise=True, exc=exception.Forbidden,
                             action=rule)
