"""The RestController every controller of the snapvol APIs derives from."""

import inspect

import pecan
from pecan import rest
import webob.exc

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY,
               inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _arguments_fit(handler, request, remainder):
    """Whether the URL supplies every positional argument of ``handler``.

    Pecan would otherwise call, say, delete(volume_id) for a DELETE on
    the collection and fail with a TypeError, or fill the missing
    argument from the query string.
    """
    given = (len(request.pecan.get('routing_args', []))
             + len([part for part in remainder if part]))
    parameters = inspect.signature(handler).parameters.values()
    positional = [p for p in parameters if p.kind in _POSITIONAL]
    required = [p for p in positional if p.default is p.empty]
    takes_more = any(p.kind == p.VAR_POSITIONAL for p in parameters)
    return len(required) <= given and (takes_more
                                       or given <= len(positional))


class Controller(rest.RestController):
    """Routes URL segments only to handlers and sub-controllers, and only
    when the URL holds the arguments the handler takes; 404 otherwise."""

    @pecan.expose()
    def _route(self, args, request=None):
        handler, remainder = super()._route(args, request)
        if not _arguments_fit(handler, request, remainder):
            raise webob.exc.HTTPNotFound()
        return handler, remainder

    def _lookup_child(self, remainder):
        # Pecan follows any attribute a segment names: /volumes/__class__
        # would reach the class itself.
        child = super()._lookup_child(remainder)
        if isinstance(child, rest.RestController) or inspect.ismethod(child):
            return child
        return None
