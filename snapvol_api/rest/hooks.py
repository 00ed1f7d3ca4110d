"""Pecan hooks every snapvol API uses."""

from pecan import hooks

from snapvol_api import context
from snapvol_api.rest import faults
from snapvol_api.rest import microversion


class ContextHook(hooks.PecanHook):
    """``request.context``, from the headers the auth middleware set.

    Runs at on_route, before any controller lookup, so that lookups can
    already check the caller's project.
    """

    def on_route(self, state):
        state.request.context = context.RequestContext.from_environ(
            state.request.environ)


class JSONOnlyHook(hooks.PecanHook):
    """Answers JSON whatever the client accepts, as Cinder and Nova do,
    instead of pecan's 406 to, say, "Accept: text/plain"."""

    def on_route(self, state):
        state.request.environ['HTTP_ACCEPT'] = 'application/json'


class FaultHook(hooks.PecanHook):
    """Every error raised while routing or in a controller as a fault."""

    def __init__(self, backend):
        self.backend = backend

    def on_error(self, state, exc):
        return faults.exception_to_response(exc, self.backend)


class MicroversionHook(hooks.PecanHook):
    """``request.api_version`` for requests under ``prefix``; echoes it."""

    def __init__(self, service_type, prefix, minimum, maximum):
        self.service_type = service_type
        self.prefix = prefix
        self.minimum = minimum
        self.maximum = maximum

    def _applies(self, request):
        return (request.path_info + '/').startswith(self.prefix + '/')

    def on_route(self, state):
        request = state.request
        request.api_version = None
        if self._applies(request):
            request.api_version = microversion.requested(
                request.headers.get(microversion.HEADER), self.service_type,
                self.minimum, self.maximum)

    def after(self, state):
        version = getattr(state.request, 'api_version', None)
        if version is not None:
            state.response.headers.update(
                microversion.response_headers(self.service_type, version))
