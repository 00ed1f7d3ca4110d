"""The WSGI pipeline every snapvol API is served through."""

import threading

import pecan

from snapvol_api.conf import CONF
from snapvol_api.rest import auth
from snapvol_api.rest import faults as faults_mod
from snapvol_api.rest import hooks
from snapvol_api.rest import policy
from snapvol_api.rest import request_log

# pecan.request and pecan.response read pecan.core.state, a thread-local
# that every Pecan() replaces with a fresh one by default: a request served
# while another app is built (snapvol-all builds two) loses its state in
# mid-flight and fails with a 500. Every app gets this same thread-local, so
# building one never touches another's requests; each request still has its
# own state, as a thread serves one request at a time and pecan clears the
# state when the request ends.
_REQUEST_STATE = threading.local()


def _request_state():
    return _REQUEST_STATE


def build(root, rpcapi, microversions, prefix, faults, public_paths,
          internal_token=None):
    """The WSGI app, outermost first: access log and request id, faults
    for anything that escapes, identity headers stripped, authentication
    (CONF.auth_strategy) except for GETs of ``public_paths``, pecan with
    ``root`` as its root controller.

    ``microversions`` apply under the URL ``prefix``; ``faults`` (a
    ``faults.Faults``) is how the API reports errors; ``rpcapi`` is the
    client of the manager behind the API; requests with the
    ``internal_token`` are an internal administrator's (``auth.wrap``).
    """
    policy.init()
    app = pecan.make_app(
        root,
        hooks=[
            hooks.JSONOnlyHook(),
            hooks.ContextHook(),
            hooks.RPCHook(rpcapi),
            hooks.MicroversionHook(microversions, prefix),
            hooks.FaultHook(faults),
        ],
        # Ids and metadata keys may hold dots: ".json" is not a format.
        guess_content_type_from_ext=False,
        # /v3 answers as /v3/ does (and /v2.1 as /v2.1/), without a
        # redirect.
        force_canonical=False,
        context_local_factory=_request_state,
    )
    app = auth.wrap(app, CONF, public_paths=public_paths,
                    internal_token=internal_token)
    app = faults_mod.FaultWrapper(app, faults)
    return request_log.RequestLog(app)
