"""Fixtures of the compute API tests; ``config`` and ``htpasswd`` come from
tests/unit/api/conftest.py, and those below replace its volume ones."""

import uuid

import pytest

from snapvol_api.rest.compute import app as compute_app
from snapvol_api.rest.openapi import compute as compute_openapi
from tests.unit.api import openapi_check
from tests.unit.api.compute import fakes
from tests.unit.api.compute.helpers import Client
from tests.unit.api.helpers import basic_auth

OPENAPI = openapi_check.Document(compute_openapi.document())


@pytest.fixture
def backend():
    return fakes.FakeComputeAPI()


@pytest.fixture
def make_app(config, htpasswd, backend):
    def make(auth_strategy='http_basic'):
        config.config(auth_strategy=auth_strategy,
                      http_basic_auth_user_file=str(htpasswd))
        # Every answer is checked against the API's OpenAPI document.
        return openapi_check.CheckedTestApp(
            compute_app.setup_app(rpcapi=backend), OPENAPI)
    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def admin(app):
    return Client(app, basic_auth('root'))


@pytest.fixture
def alice(app):
    """A member of project p1, not an administrator."""
    return Client(app, basic_auth('alice'))


@pytest.fixture
def server(backend):
    """An ACTIVE instance of the admin's project, booted from a volume."""
    instance = backend.add_instance(name='web')
    backend.attach(instance['id'], str(uuid.uuid4()), boot_index=0)
    return backend.instances[instance['id']]
