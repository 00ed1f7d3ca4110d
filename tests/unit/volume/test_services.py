"""The volume database's services table: heartbeats, up or down by
service_down_time, the live runs whose work is not to be taken over,
os-services' list from the manager, and the manager's own heartbeat."""

import datetime

from alembic import autogenerate
from alembic import migration as alembic_migration
from oslo_messaging import opts as messaging_opts
import pytest
import sqlalchemy as sa

from snapvol_api import exception
from snapvol_api import rpc
from snapvol_volume import service as service_mod
from snapvol_volume import services
from snapvol_volume.db import api as db
from snapvol_volume.db import common
from snapvol_volume.db import models
from tests.unit.volume.helpers import ADMIN
from tests.unit.volume.helpers import ALICE

MANAGER = 'snapvol-volume'


def _beat(host='vol-a', binary=MANAGER, run_id='run-1', cluster='gold'):
    return db.service_heartbeat(host, binary, 'snapvol-volume', cluster,
                                'nova', run_id)


def _last_seen(host, binary, seconds_ago):
    """Moves the last heartbeat of a row into the past."""
    moment = models.utcnow() - datetime.timedelta(seconds=seconds_ago)
    with common.session() as session:
        session.execute(sa.update(models.Service).where(
            models.Service.host == host, models.Service.binary == binary)
            .values(updated_at=moment))


def test_the_first_beat_makes_the_row_and_later_ones_count(conf):
    first = _beat(run_id='run-1')
    assert (first.host, first.binary, first.topic, first.cluster_name,
            first.availability_zone, first.run_id, first.report_count,
            first.disabled) == ('vol-a', MANAGER, 'snapvol-volume', 'gold',
                                'nova', 'run-1', 1, False)
    assert first.updated_at == first.created_at
    _last_seen('vol-a', MANAGER, 30)
    again = _beat(run_id='run-2', cluster='silver')
    assert (again.id, again.report_count, again.run_id,
            again.cluster_name) == (first.id, 2, 'run-2', 'silver')
    assert again.updated_at > first.updated_at
    assert again.created_at == first.created_at
    assert len(db.service_get_all()) == 1


def test_a_service_not_in_the_table_is_not_found(conf):
    _beat()
    with pytest.raises(exception.ServiceNotFound) as caught:
        db.service_get('vol-a', 'snapvol-volume-api')
    assert caught.value.code == 404


def test_lists_filter_on_host_and_binary(conf):
    _beat('vol-a')
    _beat('vol-b')
    _beat('vol-a', 'snapvol-volume-api')
    assert [(s.host, s.binary) for s in db.service_get_all(
        {'host': 'vol-a'})] == [('vol-a', MANAGER),
                                ('vol-a', 'snapvol-volume-api')]
    assert [s.host for s in db.service_get_all({'binary': MANAGER})] == [
        'vol-a', 'vol-b']
    with pytest.raises(exception.InvalidInput):
        db.service_get_all({'run_id': 'x'})


def test_up_within_service_down_time_of_the_clock_given(conf):
    conf.config(service_down_time=60)
    service = _beat()
    seen = service.updated_at
    assert db.service_is_up(service, now=seen + datetime.timedelta(
        seconds=60))
    assert not db.service_is_up(service, now=seen + datetime.timedelta(
        seconds=61))
    # A heartbeat from the future (a clock far off) is no proof of life.
    assert not db.service_is_up(service, now=seen - datetime.timedelta(
        seconds=61))
    assert db.service_is_up(service)


def test_live_runs_are_the_runs_of_services_up(conf):
    conf.config(service_down_time=60)
    _beat('vol-a', run_id='a1')
    _beat('vol-b', run_id='b1')
    _beat('vol-c', run_id='c1', cluster='silver')
    _beat('api-a', 'snapvol-volume-api', run_id='x1')
    assert db.service_live_runs(MANAGER) == {'vol-a/a1', 'vol-b/b1',
                                             'vol-c/c1'}
    assert db.service_live_runs(MANAGER, 'gold') == {'vol-a/a1', 'vol-b/b1'}
    _last_seen('vol-b', MANAGER, 61)
    assert db.service_live_runs(MANAGER, 'gold') == {'vol-a/a1'}
    # vol-a restarted: the work of its first run is a dead run's.
    _beat('vol-a', run_id='a2')
    assert db.service_live_runs(MANAGER, 'gold') == {'vol-a/a2'}


def test_the_migrated_schema_is_the_model(conf):
    engine = sa.create_engine(conf.conf.database.connection)
    try:
        with engine.connect() as connection:
            diff = autogenerate.compare_metadata(
                alembic_migration.MigrationContext.configure(connection),
                models.Base.metadata)
    finally:
        engine.dispose()
    assert [d for d in diff if 'services' in repr(d)] == []


def test_the_manager_lists_them_for_administrators(manager):
    _beat('vol-b', run_id='b1')
    _last_seen('vol-b', MANAGER, 3600)
    _beat('api-a', 'snapvol-volume-api', run_id='x1', cluster=None)
    listed = manager.list_services(ADMIN, {'binary': MANAGER,
                                           'zone': 'ignored'})
    assert [(s['host'], s['state'], s['cluster_name']) for s in listed] == [
        ('vol-b', 'down', 'gold')]
    (api,) = manager.list_services(ADMIN, {'host': 'api-a'})
    assert set(api) == {'id', 'host', 'binary', 'topic', 'cluster_name',
                        'availability_zone', 'disabled', 'disabled_reason',
                        'state', 'report_count', 'created_at',
                        'updated_at'}
    assert (api['state'], api['binary']) == ('up', 'snapvol-volume-api')
    with pytest.raises(exception.Forbidden):
        manager.list_services(ALICE, {})


class FakeManager:

    target = service_mod.manager_mod.VolumeManager.target

    def __init__(self, host):
        self.host = host
        self.seen_at_start = None

    def init_host(self):
        self.seen_at_start = db.service_get_all({'host': self.host})

    def periodic_tasks(self):
        pass

    def stop(self):
        pass


@pytest.fixture
def fake_transport(conf):
    for group, opts in messaging_opts.list_opts():
        if group is None:
            conf.register_opts(opts)
    conf.config(transport_url='fake:')
    rpc.init(conf.conf)
    yield
    rpc.cleanup()


def test_the_volume_service_beats_before_recovery(conf, fake_transport):
    conf.config(cluster='gold', report_interval=3600)
    fake = FakeManager('vol-a')
    svc = service_mod.VolumeService(host='vol-a', manager=fake)
    svc.start()
    svc.stop()
    (row,) = fake.seen_at_start
    assert (row.binary, row.topic, row.cluster_name, row.run_id) == (
        MANAGER, 'snapvol-volume', 'gold', svc.run_id)
    assert svc.heartbeat._thread is None


def test_without_a_cluster_a_manager_is_its_own(conf, fake_transport):
    conf.config(report_interval=3600)
    svc = service_mod.VolumeService(host='vol-a',
                                    manager=FakeManager('vol-a'))
    svc.start()
    svc.stop()
    assert db.service_get('vol-a', MANAGER).cluster_name == 'vol-a'


def test_the_api_heartbeat_names_its_binary(conf):
    conf.config(host='api-a', storage_availability_zone='zone-1')
    beats = services.heartbeat(db, 'api-a', services.API_BINARY, 'x1')
    beats.start()
    beats.stop()
    row = db.service_get('api-a', 'snapvol-volume-api')
    assert (row.topic, row.cluster_name, row.availability_zone,
            row.run_id) == (None, None, 'zone-1', 'x1')
