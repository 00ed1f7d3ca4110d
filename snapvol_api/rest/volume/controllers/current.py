"""The request being served, as the controllers need it."""

import uuid

import pecan
import webob

from snapvol_api import exception
from snapvol_api.rest import policy
from snapvol_api.rest.volume import links as links_mod


def context():
    return pecan.request.context


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


def call(method, *args, **kwargs):
    """One call of the volume manager's RPC API."""
    return getattr(pecan.request.rpcapi, method)(context(), *args, **kwargs)


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


def set_status(code):
    pecan.response.status = code


def canonical_id(value, not_found):
    """``value`` as a lowercase UUID; else raises ``not_found(value)`` (a
    404), as Cinder answers for an id that cannot exist."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise not_found(value)


def empty_response(status):
    """A body-less answer (Cinder's 202s); pecan turns an empty 200 into
    a 204."""
    response = webob.Response(status=status)
    del response.content_type
    return response
