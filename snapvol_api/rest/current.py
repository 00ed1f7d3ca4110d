"""The request being served, as the controllers of every API need it.

Each API's ``controllers/current.py`` adds what is its own (links, the
default policy target) to these.
"""

import uuid

import pecan
import webob

from snapvol_api import exception


def context():
    return pecan.request.context


def call(method, *args, **kwargs):
    """One call of the RPC API behind the API."""
    return getattr(pecan.request.rpcapi, method)(context(), *args, **kwargs)


def require_authenticated():
    """The auth middleware lets nothing else through; keystone's
    delay_auth_decision would, so check rather than assume."""
    if pecan.request.environ.get('HTTP_X_IDENTITY_STATUS') != 'Confirmed':
        raise exception.NotAuthorized()


def set_status(code):
    pecan.response.status = code


def canonical_id(value, not_found):
    """``value`` as a lowercase UUID; else raises ``not_found(value)`` (a
    404), as Cinder and Nova answer for an id that cannot exist."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise not_found(value)


def empty_response(status):
    """A body-less answer, also a 200 one (Cinder's metadata and quota
    deletes): pecan turns an empty 200 into a 204 unless the body is a
    generator that yields, so it yields one empty chunk."""
    response = webob.Response(status=status)
    del response.content_type
    if response.status_int == 200:
        response.app_iter = (chunk for chunk in (b'',))
        response.content_length = 0
    return response
