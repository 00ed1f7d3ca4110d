"""Fixtures of the volume manager's tests: a configuration with its own
state path, lock path and SQLite database, and a started manager."""

from oslo_config import fixture as config_fixture
import pytest

from snapvol_api.conf import CONF
from snapvol_volume import locks as locks_mod
from snapvol_volume.db import api as db
from snapvol_volume.db import migration
from tests.unit.volume import helpers


@pytest.fixture
def conf(tmp_path):
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    fixture.config(state_path=str(tmp_path), host='unit-host')
    fixture.config(lock_path=str(tmp_path / 'locks'),
                   group='oslo_concurrency')
    url = 'sqlite:///%s' % (tmp_path / 'snapvol.sqlite')
    fixture.config(connection=url, group='database')
    migration.upgrade(url)
    yield fixture
    db.dispose()
    fixture.cleanUp()


@pytest.fixture
def compute():
    return helpers.FakeCompute()


@pytest.fixture
def locks():
    return locks_mod.Locks()


@pytest.fixture
def manager(conf, compute, locks):
    mgr = helpers.start_manager(compute, locks)
    yield mgr
    mgr.stop()


@pytest.fixture
def share(manager):
    return helpers.share_of(manager)
