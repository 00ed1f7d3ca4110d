from oslo_config import fixture as config_fixture
import pytest

from snapvol_api.conf import CONF
from snapvol_api.rest import policy
from snapvol_api.rest.openapi import volume as volume_openapi
from snapvol_api.rest.volume import app as volume_app
from tests.unit.api import fakes
from tests.unit.api import openapi_check
from tests.unit.api.helpers import Client
from tests.unit.api.helpers import basic_auth
from tests.unit.api.helpers import write_htpasswd

OPENAPI = openapi_check.Document(volume_openapi.document())


@pytest.fixture
def config():
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    # oslo.policy looks for its file through the parsed configuration.
    CONF([], project='snapvol', default_config_files=[],
         default_config_dirs=[])
    policy.reset()
    yield fixture
    fixture.cleanUp()
    policy.reset()


@pytest.fixture
def htpasswd(tmp_path):
    return write_htpasswd(tmp_path / 'htpasswd')


@pytest.fixture
def backend():
    return fakes.FakeVolumeAPI()


@pytest.fixture
def make_app(config, htpasswd, backend):
    def make(auth_strategy='http_basic', **volume_api_opts):
        config.config(auth_strategy=auth_strategy,
                      http_basic_auth_user_file=str(htpasswd))
        if volume_api_opts:
            config.config(group='volume_api', **volume_api_opts)
        # Every answer is checked against the API's OpenAPI document.
        return openapi_check.CheckedTestApp(
            volume_app.setup_app(rpcapi=backend), OPENAPI)
    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def alice(app):
    return Client(app, basic_auth('alice'), 'p1')


@pytest.fixture
def bob(app):
    return Client(app, basic_auth('bob'), 'p2')


@pytest.fixture
def admin(app):
    return Client(app, basic_auth('root'), 'ops')
