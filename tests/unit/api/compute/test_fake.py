"""The fake compute manager keeps ComputeAPI's signatures, so the API
tests call what the real client has."""

import inspect

from snapvol_api.rpc import compute_rpcapi
from tests.unit.api.compute import fakes


def _public_methods(cls):
    return {name: inspect.signature(member)
            for name, member in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith('_')}


def test_fake_has_every_rpc_method_with_its_signature():
    real = _public_methods(compute_rpcapi.ComputeAPI)
    fake = _public_methods(fakes.FakeComputeAPI)
    for name, signature in real.items():
        assert fake.get(name) == signature, name
