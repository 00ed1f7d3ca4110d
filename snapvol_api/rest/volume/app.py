"""The volume API as one WSGI application."""

import pecan

from snapvol_api.conf import CONF
from snapvol_api.rest import auth
from snapvol_api.rest import faults
from snapvol_api.rest import hooks
from snapvol_api.rest import policy
from snapvol_api.rest import request_log
from snapvol_api.rest.volume.controllers import root
from snapvol_api.rest.volume import hooks as volume_hooks
from snapvol_api.rest.volume import versions

BACKEND = 'volume'


def setup_app(rpcapi=None):
    """The WSGI app, outermost first: access log and request id, faults
    for anything that escapes, identity headers stripped, authentication
    (CONF.auth_strategy) except for the version documents, pecan.

    ``rpcapi`` defaults to the real volume manager client (which needs
    ``snapvol_api.rpc.init``); tests pass a fake.
    """
    if rpcapi is None:
        from snapvol_api.rpc import volume_rpcapi
        rpcapi = volume_rpcapi.VolumeAPI()
    policy.init()
    app = pecan.make_app(
        root.RootController(),
        hooks=[
            hooks.JSONOnlyHook(),
            hooks.ContextHook(),
            volume_hooks.RPCHook(rpcapi),
            hooks.MicroversionHook(versions.SERVICE_TYPE, '/v3',
                                   versions.MIN_VERSION,
                                   versions.MAX_VERSION),
            hooks.FaultHook(BACKEND),
        ],
        # Ids and metadata keys may hold dots: ".json" is not a format.
        guess_content_type_from_ext=False,
        # /v3 answers as /v3/ does, without a redirect.
        force_canonical=False,
    )
    app = auth.wrap(app, CONF, public_paths=root.PUBLIC_PATHS)
    app = faults.FaultWrapper(app, BACKEND)
    return request_log.RequestLog(app)
