"""Pecan hooks every snapvol API uses."""

from pecan import hooks

from snapvol_api import context


class ContextHook(hooks.PecanHook):
    """``request.context``, from the headers the auth middleware set.

    Runs at on_route, before any controller lookup, so that lookups can
    already check the caller's project.
    """

    def on_route(self, state):
        state.request.context = context.RequestContext.from_environ(
            state.request.environ)


class RPCHook(hooks.PecanHook):
    """``request.rpcapi``: the RPC client of the manager behind the API.

    Tests hand in a fake here.
    """

    def __init__(self, rpcapi):
        self.rpcapi = rpcapi

    def on_route(self, state):
        state.request.rpcapi = self.rpcapi


class JSONOnlyHook(hooks.PecanHook):
    """Answers JSON whatever the client accepts, as Cinder and Nova do,
    instead of pecan's 406 to, say, "Accept: text/plain"."""

    def on_route(self, state):
        state.request.environ['HTTP_ACCEPT'] = 'application/json'


class FaultHook(hooks.PecanHook):
    """Every error raised while routing or in a controller as a fault of
    ``faults`` (a ``snapvol_api.rest.faults.Faults``)."""

    def __init__(self, faults):
        self.faults = faults

    def on_error(self, state, exc):
        return self.faults.from_exception(exc)


class MicroversionHook(hooks.PecanHook):
    """``request.api_version`` for requests under ``prefix``; echoes it.

    ``microversions`` is the API's ``snapvol_api.rest.microversion
    .Microversions``.
    """

    def __init__(self, microversions, prefix):
        self.microversions = microversions
        self.prefix = prefix

    def _applies(self, request):
        return (request.path_info + '/').startswith(self.prefix + '/')

    def on_route(self, state):
        request = state.request
        request.api_version = None
        if self._applies(request):
            request.api_version = self.microversions.requested(
                request.headers)

    def after(self, state):
        version = getattr(state.request, 'api_version', None)
        if version is not None:
            state.response.headers.update(
                self.microversions.response_headers(version))
