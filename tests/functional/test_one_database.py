"""Both services' schemas in ONE database: ``snapvol-manage db sync`` and
``compute_db sync`` against the same URL, and the upgrade of a compute
database made before the compute attachment table was renamed (its name
was the volume service's ``volume_attachments``)."""

import threading

import pytest
import sqlalchemy as sa

from snapvol_api import exception
from snapvol_compute.db import migration as compute_migration

from . import harness

VOLUME_TABLES = {'volumes', 'snapshots', 'volume_metadata',
                 'snapshot_metadata', 'volume_attachments', 'groups',
                 'group_snapshots', 'alembic_version_volume'}
COMPUTE_TABLES = {'instances', 'instance_metadata',
                  'instance_volume_attachments', 'volume_operations',
                  'images', 'alembic_version_compute'}
INSTANCE = '6d0c3b8e-0000-4000-8000-000000000001'
VOLUME = '6d0c3b8e-0000-4000-8000-0000000000aa'


@pytest.fixture(params=['postgresql', 'sqlite'])
def database_url(request, tmp_path):
    if request.param == 'sqlite':
        yield 'sqlite:///%s' % (tmp_path / 'one.sqlite')
        return
    pg_databases = request.getfixturevalue('pg_databases')
    url = pg_databases.create()
    yield url
    pg_databases.drop(url)


def _make_old_compute_schema(url):
    """The compute database as revision 0001 made it before 0002 existed:
    the attachment table named volume_attachments (its create_table call
    then, so its index and key names are the ones that had)."""
    compute_migration.upgrade(url, '0001')
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text('DROP TABLE instance_volume_attachments'))
            metadata = sa.MetaData()
            sa.Table('instances', metadata, autoload_with=conn)
            sa.Table(
                'volume_attachments', metadata,
                sa.Column('instance_id', sa.String(36),
                          sa.ForeignKey('instances.id'), primary_key=True),
                sa.Column('volume_id', sa.String(36), primary_key=True,
                          index=True),
                sa.Column('device', sa.String(32)),
                sa.Column('boot_index', sa.Integer),
                sa.Column('connection_info', sa.Text),
            ).create(conn)
    finally:
        engine.dispose()


def _manage(tmp_path, url, *args):
    """snapvol-manage with both services' databases at ``url``."""
    conf = tmp_path / 'snapvol.conf'
    conf.write_text('[DEFAULT]\nstate_path = %s\n[database]\nconnection = '
                    '%s\n[compute]\nconnection = %s\n' % (tmp_path, url, url))
    return harness.run([str(harness.console_script('snapvol-manage')),
                        '--config-file', str(conf), *args], timeout=120)


def _inspect(url, what):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return what(sa.inspect(conn), conn)
    finally:
        engine.dispose()


def _tables(url):
    return set(_inspect(url, lambda inspector, _: inspector.get_table_names()))


def test_both_schemas_in_one_database(database_url, tmp_path):
    """Volume first: the compute schema's fresh sync must not make a
    second volume_attachments (the upgrade test below does the other
    order)."""
    _manage(tmp_path, database_url, 'db', 'sync')
    _manage(tmp_path, database_url, 'compute_db', 'sync')
    assert _tables(database_url) >= VOLUME_TABLES | COMPUTE_TABLES
    assert compute_migration.current_revision(database_url) == \
        compute_migration.head_revision()
    indexes = _inspect(database_url, lambda inspector, _: {
        i['name'] for i in inspector.get_indexes(
            'instance_volume_attachments')})
    assert indexes == {'ix_instance_volume_attachments_volume_id'}


def test_upgrade_renames_the_attachment_table(database_url, tmp_path):
    """A compute database at 0001 with an attachment: after compute_db
    sync the row is in instance_volume_attachments, and the volume
    schema then fits beside it."""
    _make_old_compute_schema(database_url)
    assert compute_migration.current_revision(database_url) == '0001'
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO instances (id, name, host, status, flavor_id, "
                "vcpus, memory_mb, created_at, deleted) VALUES (:id, 'vm', "
                "'node1', 'SHUTOFF', '1', 1, 64, CURRENT_TIMESTAMP, false)"),
                {'id': INSTANCE})
            conn.execute(sa.text(
                "INSERT INTO volume_attachments (instance_id, volume_id, "
                "device, boot_index, connection_info) VALUES (:i, :v, "
                "'vda', 0, '{}')"), {'i': INSTANCE, 'v': VOLUME})
    finally:
        engine.dispose()

    _manage(tmp_path, database_url, 'compute_db', 'sync')
    assert compute_migration.current_revision(database_url) == \
        compute_migration.head_revision()
    tables = _tables(database_url)
    assert 'volume_attachments' not in tables
    rows = _inspect(database_url, lambda _, conn: [tuple(r) for r in (
        conn.execute(sa.text(
            'SELECT instance_id, volume_id, device, boot_index '
            'FROM instance_volume_attachments')))])
    assert rows == [(INSTANCE, VOLUME, 'vda', 0)]

    # The renamed table kept its keys: an attachment of an unknown
    # instance is refused, and the volume service's own
    # volume_attachments (with its indexes) can be made beside it.
    _manage(tmp_path, database_url, 'db', 'sync')
    assert _tables(database_url) >= VOLUME_TABLES | COMPUTE_TABLES
    engine = sa.create_engine(database_url)
    try:
        with pytest.raises(sa.exc.IntegrityError):
            with engine.begin() as conn:
                if database_url.startswith('sqlite'):
                    conn.execute(sa.text('PRAGMA foreign_keys=ON'))
                conn.execute(sa.text(
                    "INSERT INTO instance_volume_attachments (instance_id, "
                    "volume_id, device, connection_info) VALUES "
                    "('nobody', :v, 'vdb', '{}')"), {'v': VOLUME})
    finally:
        engine.dispose()


def test_a_type_is_not_deleted_under_a_volume_being_made_with_it(
        database_url):
    """A volume create holds its type's row (FOR UPDATE on PostgreSQL,
    SQLite's one writer) from its check to its commit: a deletion of the
    type that starts meanwhile waits, then finds the new volume and is
    refused. Without the lock the deletion's check would pass and the
    volume would be left with a deleted type."""
    from oslo_config import fixture as config_fixture

    from snapvol_api.conf import CONF
    from snapvol_volume.db import api as db
    from snapvol_volume.db import common
    from snapvol_volume.db import migration as volume_migration
    from snapvol_volume.db import models
    from snapvol_volume.db import volume_types

    volume_migration.upgrade(database_url)
    config = config_fixture.Config(CONF)
    config.setUp()
    config.config(connection=database_url, group='database')
    db.dispose()
    try:
        gold = db.volume_type_create({'name': 'gold', 'is_public': True})
        outcome = []

        def delete_type():
            try:
                db.volume_type_destroy(gold.id)
                outcome.append('deleted')
            except Exception as exc:
                outcome.append(exc)

        with common.session() as session:
            volume_types.lock_live(session, gold.id)
            deleting = threading.Thread(target=delete_type)
            deleting.start()
            deleting.join(1)
            session.add(models.Volume(
                id=VOLUME, project_id='p1', size=1, status='creating',
                volume_type_id=gold.id))
        deleting.join(60)
        assert not deleting.is_alive()
        (result,) = outcome
        if database_url.startswith('sqlite'):
            # SQLite's one writer: the deletion waited, or gave up busy.
            assert not isinstance(result, str), result
        else:
            assert isinstance(result, exception.VolumeTypeInUse), result
        assert db.volume_type_get(gold.id).deleted is False
    finally:
        db.dispose()
        config.cleanUp()
