"""Pecan hooks of the volume API only."""

from pecan import hooks


class RPCHook(hooks.PecanHook):
    """``request.rpcapi``: the volume manager's RPC client.

    Tests hand in a fake here.
    """

    def __init__(self, rpcapi):
        self.rpcapi = rpcapi

    def on_route(self, state):
        state.request.rpcapi = self.rpcapi
