"""The compute database's services table (compute_services), the
compute manager's list of it, and the compute service's heartbeat."""

import datetime

from alembic import autogenerate
from alembic import migration as alembic_migration
from oslo_messaging import opts as messaging_opts
import pytest
import sqlalchemy as sa

from snapvol_api import exception
from snapvol_api import rpc
from snapvol_compute import bootstrap
from snapvol_compute import manager as manager_mod
from snapvol_compute import service as service_mod
from snapvol_compute import services
from snapvol_compute.db import api as db_api
from snapvol_compute.db import models

COMPUTE = 'snapvol-compute'


def _beat(db, host='node1', binary=COMPUTE, run_id='r1'):
    return db.service_heartbeat(host, binary, 'snapvol-compute', None,
                                'nova', run_id)


def _last_seen(db, host, seconds_ago):
    moment = models.utcnow() - datetime.timedelta(seconds=seconds_ago)
    with db._session() as session:
        session.execute(sa.update(models.Service).where(
            models.Service.host == host).values(updated_at=moment))


def test_heartbeats_make_then_count_the_row(db):
    first = _beat(db)
    assert (first.report_count, first.run_id, first.availability_zone) == (
        1, 'r1', 'nova')
    again = _beat(db, run_id='r2')
    assert (again.id, again.report_count, again.run_id) == (first.id, 2,
                                                            'r2')
    with pytest.raises(exception.ServiceNotFound):
        db.service_get('node2', COMPUTE)


def test_up_and_down_and_live_runs(db, conf):
    conf.config(service_down_time=60)
    _beat(db, 'node1', run_id='a')
    _beat(db, 'node2', run_id='b')
    _beat(db, 'node1', 'snapvol-compute-api', run_id='c')
    _last_seen(db, 'node2', 61)
    assert db.service_live_runs(COMPUTE) == {'node1/a'}
    listed = services.list_services(db, {'binary': COMPUTE, 'id': 1})
    assert [(s['host'], s['state']) for s in listed] == [
        ('node1', 'up'), ('node2', 'down')]
    with pytest.raises(exception.InvalidInput):
        db.service_get_all({'run_id': 'a'})


def test_the_manager_lists_them(db):
    _beat(db)
    manager = manager_mod.ComputeManager(
        'node1', driver=None, volume_api=None, db=db, workers=None,
        thaw_watch=None, scheduler=None, compute_rpc=None)
    (listed,) = manager.list_services(None, {'host': 'node1'})
    assert (listed['binary'], listed['state']) == (COMPUTE, 'up')


def test_the_migrated_schema_is_the_model(db, conf):
    engine = sa.create_engine(conf.conf.compute.connection)
    try:
        with engine.connect() as connection:
            diff = autogenerate.compare_metadata(
                alembic_migration.MigrationContext.configure(
                    connection, opts={'version_table':
                                      'alembic_version_compute'}),
                models.Base.metadata)
    finally:
        engine.dispose()
    assert [d for d in diff if 'compute_services' in repr(d)] == []


class FakeManager:

    target = manager_mod.ComputeManager.target

    def __init__(self, db):
        self.db = db
        self.seen_at_start = None

    def init_host(self):
        self.seen_at_start = self.db.service_get_all()

    def stop(self):
        pass

    def capacity(self):
        return {'vcpus': 2, 'memory_mb': 1024}


def test_the_compute_service_beats_before_it_serves(db, conf, monkeypatch):
    for group, opts in messaging_opts.list_opts():
        if group is None:
            conf.register_opts(opts)
    conf.config(transport_url='fake:', host='node7', report_interval=3600)
    fake = FakeManager(db_api)
    monkeypatch.setattr(bootstrap, 'compute_manager', lambda host: fake)
    rpc.init(conf.conf)
    try:
        svc = service_mod.ComputeService()
        svc.start()
        svc.stop()
    finally:
        rpc.cleanup()
    (row,) = fake.seen_at_start
    assert (row.host, row.binary, row.topic, row.availability_zone) == (
        'node7', COMPUTE, 'snapvol-compute', 'nova')
    # With the host's capacity, for the scheduler.
    assert (row.vcpus, row.memory_mb) == (2, 1024)
