"""The request being served, as the volume controllers need it."""

import pecan
import webob.exc

from snapvol_api import exception
from snapvol_api.rest import policy

# The helpers both APIs share, used here as current.call() and so on.
from snapvol_api.rest.current import call  # noqa: F401
from snapvol_api.rest.current import canonical_id  # noqa: F401
from snapvol_api.rest.current import context  # noqa: F401
from snapvol_api.rest.current import empty_response  # noqa: F401
from snapvol_api.rest.current import require_authenticated  # noqa: F401
from snapvol_api.rest.current import set_status  # noqa: F401
from snapvol_api.rest.volume import links as links_mod


def set_location(collection, resource_id):
    """The Location of a created resource: its self link."""
    pecan.response.headers['Location'] = links().resource(
        collection, resource_id)[0]['href']


def project_id():
    """The project in the URL, which ``root`` checked against the
    credentials."""
    return pecan.request.url_project_id


def require_own_project():
    """For creation: the manager creates in the caller's project, so an
    administrator working in another project's URL would be surprised."""
    own = context().project_id
    if project_id() != own:
        raise exception.Invalid(
            "New resources belong to the project of the credentials; "
            "create them under /v3/%s/, not /v3/%s/." % (own, project_id()))


def links():
    return links_mod.Links(pecan.request, project_id())


def _target(target):
    return target if target is not None else {'project_id': project_id()}


def authorize(rule, target=None):
    """403 unless policy allows ``rule``; the target defaults to the URL's
    project (the manager itself keeps projects from seeing each other)."""
    policy.authorize(rule, context(), _target(target))


def allowed(rule, target=None):
    return policy.allowed(rule, context(), _target(target))


def version_at_least(version):
    """Whether the request asks for microversion ``version`` (a
    ``versions`` constant, such as ``versions.GROUP_VOLUME``) or later."""
    return pecan.request.api_version >= version


def require_version(version):
    """404 below ``version``, as Cinder answers a method of a later
    microversion (VersionNotFoundForAPIMethod)."""
    if not version_at_least(version):
        raise webob.exc.HTTPNotFound()
