"""Policy (oslo.policy): the base rules, the check, and the list of every
rule of both APIs (each keeps its own in its ``policies`` module).

Operators override rules in the file named by [oslo_policy] policy_file;
``oslopolicy-sample-generator --namespace snapvol`` lists them.
"""

from oslo_policy import policy

from snapvol_api import exception
from snapvol_api.conf import CONF

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


def api_rule(name, check, description, *operations):
    return policy.DocumentedRuleDefault(
        name, check, description,
        [{'method': method, 'path': path} for method, path in operations])


_ENFORCER = None


def list_rules():
    # Imported here: the API modules build their rules with api_rule().
    from snapvol_api.rest.compute import policies as compute_policies
    from snapvol_api.rest.volume import policies as volume_policies
    return _BASE_RULES + volume_policies.RULES + compute_policies.RULES


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
