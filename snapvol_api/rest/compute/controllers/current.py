"""The request being served, as the compute controllers need it."""

import pecan

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.rest import policy
from snapvol_api.rest.compute import links as links_mod

# The helpers both APIs share, used here as current.call() and so on.
from snapvol_api.rest.current import call  # noqa: F401
from snapvol_api.rest.current import canonical_id  # noqa: F401
from snapvol_api.rest.current import context  # noqa: F401
from snapvol_api.rest.current import empty_response  # noqa: F401
from snapvol_api.rest.current import require_authenticated  # noqa: F401
from snapvol_api.rest.current import set_status  # noqa: F401


def links():
    return links_mod.Links(pecan.request)


def _own_project():
    return {'project_id': context().project_id}


def authorize(rule):
    """403 unless policy allows ``rule``. Checked first, before anything
    is looked up, so a caller who may not learns nothing (see
    ``compute.policies``)."""
    policy.authorize(rule, context(), _own_project())


def allowed(rule):
    return policy.allowed(rule, context(), _own_project())


def server_id(value):
    """The server id in a URL as a canonical UUID; 404 if it cannot be
    one."""
    return canonical_id(
        value, lambda v: exception.InstanceNotFound(instance_id=v))


def instance(server_id_in_url):
    """The instance a URL names, as ComputeAPI.get_instance returns it."""
    return call('get_instance', server_id(server_id_in_url))


def live_host(found):
    """The host of ``found`` (an instance or a volume attachment, with
    its host_status), to send it a call; a 503 at once when that host is
    down, as the call would only wait out its RPC timeout."""
    if found.get('host_status') == states.HOST_DOWN:
        raise exception.ComputeHostUnavailable(host=found['host'])
    return found['host']
