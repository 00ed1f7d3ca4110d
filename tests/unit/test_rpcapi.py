"""Each rpcapi client and the manager serving it agree: the same version,
and every method the client calls exists on the manager with exactly the
arguments the client sends."""

import inspect
from unittest import mock

import pytest

from snapvol_api import context
from snapvol_api.rpc import compute_rpcapi
from snapvol_api.rpc import volume_rpcapi
from snapvol_compute import manager as compute_manager
from snapvol_volume import manager as volume_manager

PAIRS = [(volume_rpcapi.VolumeAPI, volume_manager.VolumeManager),
         (compute_rpcapi.ComputeAPI, compute_manager.ComputeManager)]


def _sent(api_class, method):
    """(method name, kwargs, version) the client sends for ``method``."""
    with mock.patch('snapvol_api.rpc.get_client') as get_client:
        api = api_class()
    client = get_client.return_value
    prepared = client.prepare.return_value
    sig = inspect.signature(getattr(api, method))
    args = {name: 'x' for name, p in sig.parameters.items()
            if name != 'ctxt' and p.default is inspect.Parameter.empty}
    getattr(api, method)(context.RequestContext(), **args)
    call = (prepared.call.call_args or prepared.cast.call_args)
    return call.args[1], call.kwargs, client.prepare.call_args.kwargs.get(
        'version')


@pytest.mark.parametrize('api_class,manager_class', PAIRS)
def test_versions_agree(api_class, manager_class):
    assert api_class.RPC_API_VERSION == manager_class.RPC_API_VERSION
    assert manager_class.target.version == manager_class.RPC_API_VERSION


@pytest.mark.parametrize('api_class,manager_class', PAIRS)
def test_every_call_fits_the_manager(api_class, manager_class):
    # VolumeAPI.at chooses where calls go; it sends none itself.
    methods = [name for name, _ in inspect.getmembers(
        api_class, inspect.isfunction)
        if not name.startswith('_') and name != 'at']
    assert methods
    for method in methods:
        name, kwargs, version = _sent(api_class, method)
        handler = getattr(manager_class, name, None)
        assert handler is not None, '%s has no %s' % (manager_class, name)
        params = set(inspect.signature(handler).parameters) - {'self',
                                                                'ctxt'}
        assert set(kwargs) == params, (method, set(kwargs) ^ params)
        major, minor = map(int, version.split('.'))
        cap = tuple(map(int, api_class.RPC_API_VERSION.split('.')))
        assert (major, minor) <= cap, method


def test_a_volume_client_at_a_server_sends_there():
    with mock.patch('snapvol_api.rpc.get_client') as get_client:
        api = volume_rpcapi.VolumeAPI()
    api.at('cluster-1').get_volume(context.RequestContext(), 'v1')
    assert get_client.return_value.prepare.call_args.kwargs['server'] == \
        'cluster-1'
    api.get_volume(context.RequestContext(), 'v1')
    assert get_client.return_value.prepare.call_args.kwargs['server'] is None
