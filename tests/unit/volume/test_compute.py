"""The volume manager's compute client: which compute API it reaches, how,
and whether a separate volume manager may start with its [nova] options."""

import logging
import uuid

from keystoneauth1 import loading as ks_loading
from keystonemiddleware import auth_token
from keystonemiddleware.auth_token import _exceptions as ksm_exceptions
from oslo_config import fixture as config_fixture
import pytest

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_api.rest import policy
from snapvol_api.rest.compute import app as compute_app
from snapvol_api.runtime import service
from snapvol_api.runtime import wsgi
from snapvol_volume import compute
from snapvol_volume.cmd import volume as volume_cmd
from tests.unit.api.compute import fakes
from tests.unit.api.helpers import write_htpasswd

TOKEN = 'in-process-secret-' + 'y' * 30


@pytest.fixture
def config():
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    CONF([], project='snapvol', default_config_files=[],
         default_config_dirs=[])
    policy.reset()
    yield fixture
    fixture.cleanUp()
    policy.reset()


def nova(config, auth_type=None, **values):
    if auth_type is not None:
        # Registered by keystoneauth when it loads the plugin; here first,
        # so that the fixture removes them again (the required ones would
        # break every later configuration parse).
        config.register_opts(ks_loading.get_auth_plugin_conf_options(
            auth_type), group='nova')
        config.config(group='nova', auth_type=auth_type)
    config.config(group='nova', **values)


# Startup check of snapvol-volume -------------------------------------------

def test_no_auth_type_is_missing(config):
    assert compute.missing_options() == ['[nova] auth_type is not set']


@pytest.mark.parametrize('auth_type, values, missing', [
    ('http_basic', {}, 'endpoint, username, password are'),
    ('http_basic', {'endpoint': 'http://c:8774/v2.1', 'username': 'a'},
     'password is'),
    ('admin_token', {'token': 'admin'}, 'endpoint is'),
    ('none', {}, 'endpoint is'),
])
def test_the_plugin_options_that_are_missing(config, auth_type, values,
                                             missing):
    nova(config, auth_type, **values)
    assert compute.missing_options() == [
        '[nova] %s not set (auth_type %s)' % (missing, auth_type)]


def test_keystone_plugins_name_their_required_options(config):
    nova(config, auth_type='password')
    (problem,) = compute.missing_options()
    assert 'auth_url' in problem


def test_an_unknown_plugin(config):
    config.config(group='nova', auth_type='no-such-plugin')
    assert compute.missing_options() == [
        '[nova] auth_type no-such-plugin is no keystoneauth1 plugin']


@pytest.mark.parametrize('auth_type, values', [
    ('http_basic', {'endpoint': 'http://c:8774/v2.1', 'username': 'a',
                    'password': 'p'}),
    ('admin_token', {'endpoint': 'http://c:8774/v2.1', 'token': 'admin'}),
])
def test_usable_options(config, auth_type, values):
    nova(config, auth_type, **values)
    assert compute.missing_options() == []
    compute.check_startup()


def test_startup_is_refused_naming_the_options(config):
    with pytest.raises(exception.ConfigInvalid) as caught:
        compute.check_startup()
    message = str(caught.value)
    for words in ('[nova] auth_type is not set', 'endpoint', 'username',
                  'password', 'token', 'compute_api_required = false'):
        assert words in message


def test_startup_warns_when_compute_is_optional(config, caplog):
    config.config(group='volume', compute_api_required=False)
    with caplog.at_level(logging.WARNING):
        compute.check_startup()
    assert ('snapshots of attached volumes will fail'
            in caplog.records[-1].getMessage())


def test_snapvol_volume_exits_before_serving(config, monkeypatch, capsys):
    monkeypatch.setattr(service, 'prepare', lambda argv: None)
    monkeypatch.setattr(volume_cmd.volume_service, 'VolumeService',
                        lambda: pytest.fail('the service was started'))
    assert volume_cmd.main() == 1
    assert '[nova] auth_type is not set' in capsys.readouterr().err


# Talking to the compute API ------------------------------------------------

def test_without_options_requests_fail_clearly(config):
    client = compute.ComputeClient()
    with pytest.raises(exception.ComputeUnavailable) as caught:
        client.create_snapshot(str(uuid.uuid4()), {})
    assert '[nova] auth_type is not set' in str(caught.value)


def _keystone_refuses(self, token, **kwargs):
    raise ksm_exceptions.InvalidToken('no keystone here')


@pytest.fixture
def compute_api(config, tmp_path, monkeypatch):
    """Serves the compute API with the in-memory manager and the internal
    TOKEN, as snapvol-all does; yields (backend, /v2.1 URL)."""
    monkeypatch.setattr(auth_token.AuthProtocol, 'fetch_token',
                        _keystone_refuses)
    config.config(http_basic_auth_user_file=str(
        write_htpasswd(tmp_path / 'htpasswd')))
    config.config(group='keystone_authtoken',
                  www_authenticate_uri='http://keystone.invalid/v3')
    servers = []

    def serve(auth_strategy):
        config.config(auth_strategy=auth_strategy)
        backend = fakes.FakeComputeAPI()
        server = wsgi.serve(compute_app.setup_app(
            rpcapi=backend, internal_token=TOKEN), '127.0.0.1', 0, 2,
            name='test-compute-api')
        servers.append(server)
        return backend, server.local_url + '/v2.1'

    yield serve
    for server in servers:
        server.stop()


@pytest.mark.parametrize('strategy', ['noauth', 'http_basic', 'keystone'])
def test_in_process_client_is_an_administrator(compute_api, strategy):
    backend, endpoint = compute_api(strategy)
    instance = backend.add_instance()
    volume_id, snapshot_id = str(uuid.uuid4()), str(uuid.uuid4())
    backend.attach(instance['id'], volume_id)
    client = compute.ComputeClient.in_process(endpoint, TOKEN)

    client.create_snapshot(volume_id, {
        'snapshot_id': snapshot_id, 'type': 'qcow2',
        'new_file': 'volume-%s.%s' % (volume_id, snapshot_id)})
    client.delete_snapshot(snapshot_id, {
        'type': 'qcow2', 'volume_id': volume_id,
        'file_to_merge': 'volume-%s.%s' % (volume_id, snapshot_id),
        'merge_target_file': None})

    assert backend.call_names()[-2:] == ['find_volume_attachment',
                                         'volume_snapshot_delete']
    assert 'volume_snapshot_create' in backend.call_names()
    assert backend.last_context.is_admin


@pytest.mark.parametrize('strategy', ['noauth', 'http_basic', 'keystone'])
def test_a_wrong_secret_is_refused(compute_api, strategy):
    backend, endpoint = compute_api(strategy)
    client = compute.ComputeClient.in_process(endpoint, TOKEN[:-1] + 'z')
    with pytest.raises(exception.ComputeRequestFailed) as caught:
        client.create_snapshot(str(uuid.uuid4()), {
            'snapshot_id': str(uuid.uuid4()), 'type': 'qcow2',
            'new_file': 'x'})
    assert ('HTTP 403' if strategy == 'noauth' else 'HTTP 401') in str(
        caught.value)
    assert 'volume_snapshot_create' not in backend.call_names()

