"""oslo.messaging set-up shared by every snapvol process."""

import oslo_messaging as messaging
from oslo_messaging.rpc import dispatcher

from snapvol_api import context
from snapvol_api import exception

# Exceptions from these modules keep their class across RPC.
ALLOWED_EXMODS = ['snapvol_api.exception']

_TRANSPORT = None


def init(conf):
    global _TRANSPORT
    if _TRANSPORT is None:
        _TRANSPORT = messaging.get_rpc_transport(
            conf, allowed_remote_exmods=ALLOWED_EXMODS)
    return _TRANSPORT


def cleanup():
    global _TRANSPORT
    if _TRANSPORT is not None:
        _TRANSPORT.cleanup()
        _TRANSPORT = None


def _transport():
    if _TRANSPORT is None:
        raise RuntimeError('snapvol_api.rpc.init() was not called')
    return _TRANSPORT


class RequestContextSerializer(messaging.NoOpSerializer):
    """Sends the RequestContext along with every message."""

    def serialize_context(self, ctxt):
        return ctxt.to_dict()

    def deserialize_context(self, ctxt):
        return context.RequestContext.from_dict(ctxt)


def get_client(target, version_cap=None):
    return messaging.get_rpc_client(
        _transport(), target, version_cap=version_cap,
        serializer=RequestContextSerializer())


class LocalClient:
    """An RPC client whose calls run ``endpoint``'s methods in this
    process: an rpcapi made with one sends exactly what it would send over
    the broker (its defaults, its argument checks), to a manager here (the
    APIs' reads: snapvol_volume.front, snapvol_compute.front)."""

    def __init__(self, endpoint):
        self._endpoint = endpoint

    def prepare(self, **_options):
        return self

    def call(self, ctxt, method, **kwargs):
        return getattr(self._endpoint, method)(ctxt, **kwargs)


def get_server(target, endpoints):
    return messaging.get_rpc_server(
        _transport(), target, [_ExpectedErrors(e) for e in endpoints],
        executor='threading',
        serializer=RequestContextSerializer(),
        access_policy=dispatcher.DefaultRPCAccessPolicy)



class _ExpectedErrors:
    """An endpoint whose snapvol exceptions are answers to the caller (a
    4xx), so the RPC server logs them briefly instead of as failures with
    a traceback. Direct callers of the endpoint see no difference."""

    def __init__(self, endpoint):
        self._endpoint = endpoint
        self.target = endpoint.target
        self._expected = messaging.expected_exceptions(
            exception.SnapvolException)

    def __getattr__(self, name):
        attr = getattr(self._endpoint, name)
        if name.startswith('_') or not callable(attr):
            return attr
        return self._expected(attr)
