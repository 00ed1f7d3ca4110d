"""The volume database's groups and group snapshots (Cinder 3.13/3.14):
membership changes all or nothing, guarded transitions, a group snapshot
and its member snapshots created in one transaction, and their views."""

from alembic import autogenerate
from alembic import migration as alembic_migration
import pytest
import sqlalchemy as sa

from snapvol_api import exception
from snapvol_api import states
from snapvol_volume import group_types
from snapvol_volume import views
from snapvol_volume.db import api as db
from snapvol_volume.db import migration
from snapvol_volume.db import models

PROJECT = 'proj-a'


def _volume(project_id=PROJECT, status=states.CREATING):
    volume = db.volume_create({'project_id': project_id, 'size': 1,
                               'host': 'h', 'status': states.CREATING})
    if status != states.CREATING:
        db.volume_transition(volume.id, status, reset=True)
    return volume.id


def _group(volume_ids=(), project_id=PROJECT, **values):
    values = {'project_id': project_id, 'user_id': 'alice',
              'status': states.GROUP.initial, 'name': 'g',
              'group_type_id': group_types.CONSISTENT_ID,
              'volume_types': ['fast', 'slow'], **values}
    return db.group_create(values, volume_ids)


def _member(volume_id, project_id=PROJECT, **values):
    return ({'volume_id': volume_id, 'project_id': project_id,
             'user_id': 'alice', 'volume_size': 1,
             'status': states.SNAPSHOT.initial, **values},
            {'k': volume_id[:8]})


def _group_snapshot(group, members, **values):
    values = {'group_id': group.id, 'project_id': group.project_id,
              'user_id': 'alice', 'name': 'gs',
              'status': states.GROUP_SNAPSHOT.initial,
              'group_type_id': group.group_type_id, **values}
    return db.group_snapshot_create(values, members)


def _group_of(volume_id):
    return db.volume_get(volume_id).group_id


def _count(model):
    with db.session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


# Group types ----------------------------------------------------------------

def test_the_one_group_type_is_the_default():
    by_id = group_types.get(group_types.CONSISTENT_ID)
    assert by_id == group_types.get('consistent') == group_types.default()
    assert group_types.get_all() == [by_id]
    assert set(by_id) == {'id', 'name', 'description', 'is_public',
                          'group_specs'}
    assert by_id['is_public'] is True
    assert by_id['group_specs'] == {
        'consistent_group_snapshot_enabled': '<is> True'}
    by_id['group_specs']['x'] = 'y'
    assert 'x' not in group_types.default()['group_specs']
    with pytest.raises(exception.GroupTypeNotFound, match='nonesuch'):
        group_types.get('nonesuch')


# Schema ---------------------------------------------------------------------

def test_the_migrated_schema_is_the_models(conf):
    engine = sa.create_engine(conf.conf.database.connection)
    try:
        with engine.connect() as connection:
            context = alembic_migration.MigrationContext.configure(
                connection)
            diff = autogenerate.compare_metadata(context,
                                                 models.Base.metadata)
    finally:
        engine.dispose()
    ours = {'groups', 'group_snapshots', 'ix_volumes_group_id',
            'ix_snapshots_group_snapshot_id', 'group_id',
            'group_snapshot_id'}
    assert [d for d in diff if ours & set(map(str, _names(d)))] == []


def _names(diff):
    """The names of tables, columns and indexes one autogenerate
    difference is about."""
    for item in (diff if isinstance(diff, list) else [diff]):
        for part in item:
            name = getattr(part, 'name', None)
            if name is not None:
                yield name
            if isinstance(part, str):
                yield part


def test_upgrade_to_0004_keeps_rows_and_enforces_foreign_keys(tmp_path):
    url = 'sqlite:///%s' % (tmp_path / 'old.sqlite')
    migration.upgrade(url, '0003')
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO volumes (id, project_id, size, status, "
                "created_at, deleted) VALUES ('v1', 'p', 1, 'available', "
                "'2026-12-01 00:00:00', 0)")
            connection.exec_driver_sql(
                "INSERT INTO snapshots (id, volume_id, project_id, "
                "volume_size, status, created_at, deleted) VALUES "
                "('s1', 'v1', 'p', 1, 'available', '2026-12-01 00:00:00', "
                "0)")
        migration.upgrade(url)
        assert migration.current_revision(url) == migration.head_revision()
        with engine.connect() as connection:
            assert connection.exec_driver_sql(
                'SELECT id, group_id FROM volumes').all() == [('v1', None)]
            assert connection.exec_driver_sql(
                'SELECT id, group_snapshot_id FROM snapshots'
            ).all() == [('s1', None)]
            inspector = sa.inspect(connection)
            fks = {(fk['constrained_columns'][0], fk['referred_table'])
                   for table in ('volumes', 'snapshots')
                   for fk in inspector.get_foreign_keys(table)}
            assert ('group_id', 'groups') in fks
            assert ('group_snapshot_id', 'group_snapshots') in fks
            connection.exec_driver_sql('PRAGMA foreign_keys=ON')
            with pytest.raises(sa.exc.IntegrityError):
                connection.exec_driver_sql(
                    "UPDATE volumes SET group_id = 'no-such-group'")
    finally:
        engine.dispose()


# Groups ---------------------------------------------------------------------

def test_create_a_group_with_volumes(conf):
    v1, v2 = _volume(), _volume(status=states.AVAILABLE)
    outside = _volume()
    group = _group([v2, v1, v2], description='two')
    assert group.status == states.CREATING
    assert group.availability_zone == 'nova'
    assert group.volume_types == ['fast', 'slow']
    assert [v.id for v in group.volumes] == [v1, v2]   # oldest first
    assert _group_of(v1) == _group_of(v2) == group.id
    assert _group_of(outside) is None
    again = db.group_get(group.id, project_id=PROJECT)
    assert (again.name, again.description) == ('g', 'two')
    with pytest.raises(exception.GroupNotFound):
        db.group_get(group.id, project_id='proj-b')
    assert [v.id for v in _group().volumes] == []


@pytest.mark.parametrize('case', ['missing', 'deleted', 'other project',
                                  'in a group'])
def test_group_create_refuses_a_volume_and_creates_nothing(conf, case):
    good = _volume()
    if case == 'missing':
        bad, match = 'no-such-volume', 'not found in project'
    elif case == 'deleted':
        bad, match = _volume(), 'not found in project'
        db.volume_transition(bad, states.DELETING, reset=True)
        db.volume_transition(bad, states.DELETED)
    elif case == 'other project':
        bad, match = _volume(project_id='proj-b'), 'not found in project'
    else:
        bad, match = _volume(), 'already in group'
        _group([bad])
    groups_before = _count(models.Group)
    with pytest.raises(exception.InvalidVolume, match=match) as raised:
        _group([good, bad])
    assert bad in str(raised.value)
    assert _count(models.Group) == groups_before
    assert _group_of(good) is None


def test_group_create_takes_only_a_new_status_and_types_as_a_list(conf):
    with pytest.raises(ValueError):
        _group(status=states.AVAILABLE)
    with pytest.raises(exception.InvalidInput, match='volume_types'):
        _group(volume_types='fast')
    with pytest.raises(exception.InvalidInput, match='volume_types'):
        _group(volume_types=['fast', 3])
    assert _count(models.Group) == 0


def test_add_and_remove_volumes(conf):
    v1, v2, v3 = _volume(), _volume(), _volume()
    group = _group([v1])
    group = db.group_add_volumes(group.id, [v2, v3])
    assert [v.id for v in group.volumes] == [v1, v2, v3]
    group = db.group_remove_volumes(group.id, [v1, v3])
    assert [v.id for v in group.volumes] == [v2]
    assert _group_of(v1) is None and _group_of(v3) is None
    # A volume that left may join another group.
    other = _group([v1])
    assert _group_of(v1) == other.id


def test_add_refuses_and_changes_nothing(conf):
    group, other = _group(), _group()
    free, theirs = _volume(), _volume(project_id='proj-b')
    mine, elsewhere = _volume(), _volume()
    db.group_add_volumes(group.id, [mine])
    db.group_add_volumes(other.id, [elsewhere])
    refusals = [([free, theirs], 'not found in project'),
                ([free, 'no-such-volume'], 'not found in project'),
                ([free, elsewhere], 'already in group %s' % other.id),
                ([free, mine], 'already in group %s' % group.id)]
    for volume_ids, match in refusals:
        with pytest.raises(exception.InvalidVolume, match=match):
            db.group_add_volumes(group.id, volume_ids)
        assert _group_of(free) is None
        assert [v.id for v in db.group_get(group.id).volumes] == [mine]
    with pytest.raises(exception.GroupNotFound):
        db.group_add_volumes('no-such-group', [free])


def test_remove_refuses_a_volume_not_in_that_group(conf):
    group, other = _group(), _group()
    mine, elsewhere, free = _volume(), _volume(), _volume()
    db.group_add_volumes(group.id, [mine])
    db.group_add_volumes(other.id, [elsewhere])
    for bad in (elsewhere, free, 'no-such-volume'):
        with pytest.raises(exception.InvalidVolume, match=bad):
            db.group_remove_volumes(group.id, [mine, bad])
        assert _group_of(mine) == group.id
    assert _group_of(elsewhere) == other.id


def test_membership_changes_only_through_the_group_functions(conf):
    volume = _volume()
    group = _group()
    with pytest.raises(ValueError):
        db.volume_update(volume, {'group_id': group.id})
    assert _group_of(volume) is None


def test_volumes_filter_by_group(conf):
    v1, v2, free = _volume(), _volume(), _volume()
    group = _group([v1, v2])
    assert {v.id for v in db.volume_get_all({'group_id': group.id})} == {
        v1, v2}
    assert [v.id for v in db.volume_get_all({'group_id': None})] == [free]


def test_group_transitions_are_guarded(conf):
    group = _group()
    group = db.group_transition(group.id, states.AVAILABLE,
                                expected=[states.CREATING])
    assert group.status == states.AVAILABLE
    with pytest.raises(exception.InvalidGroupStatus,
                       match='is available; .*one of: creating') as raised:
        db.group_transition(group.id, states.ERROR)
    assert raised.value.kwargs['status'] == states.AVAILABLE
    assert db.group_get(group.id).status == states.AVAILABLE
    db.group_transition(group.id, states.UPDATING)
    with pytest.raises(exception.InvalidGroupStatus):
        db.group_transition(group.id, states.DELETING)
    assert db.group_transition(group.id, states.AVAILABLE).status == (
        states.AVAILABLE)
    with pytest.raises(exception.GroupNotFound):
        db.group_transition('no-such-group', states.DELETING)


def test_group_reset_and_owner(conf):
    group = _group()
    with pytest.raises(exception.InvalidInput):
        db.group_transition(group.id, states.UPDATING, reset=True)
    db.group_transition(group.id, states.ERROR_DELETING, reset=True)
    assert db.group_get(group.id).status == states.ERROR_DELETING
    db.group_transition(group.id, states.DELETING, reset=True,
                        values={'owner': 'run-1'})
    with pytest.raises(exception.InvalidGroupStatus,
                       match='as the work of run-2'):
        db.group_transition(group.id, states.ERROR_DELETING, owner='run-2')
    assert db.group_claim(group.id, states.DELETING, 'run-1', 'run-2')
    assert not db.group_claim(group.id, states.DELETING, 'run-1', 'run-3')
    assert db.group_get(group.id).owner == 'run-2'
    with pytest.raises(ValueError):
        db.group_update(group.id, {'status': states.AVAILABLE})
    assert db.group_update(group.id, {'name': 'renamed'}).name == 'renamed'


def test_deleting_a_group_soft_deletes_it_once_it_is_empty(conf):
    volume = _volume()
    group = _group([volume])
    db.group_transition(group.id, states.DELETING, reset=True)
    with pytest.raises(exception.InvalidGroup, match='still has volume'):
        db.group_transition(group.id, states.DELETED)
    assert db.group_get(group.id).status == states.DELETING
    db.volume_transition(volume, states.DELETING, reset=True)
    db.volume_transition(volume, states.DELETED)
    assert db.group_get(group.id).volumes == []
    assert db.group_transition(group.id, states.DELETED) is None
    with pytest.raises(exception.GroupNotFound):
        db.group_get(group.id)
    assert db.group_get_all() == []
    with db.session() as session:
        row = session.get(models.Group, group.id)
        assert (row.deleted, row.status) == (True, states.DELETED)
        assert row.deleted_at is not None
    with pytest.raises(exception.GroupNotFound):
        db.group_add_volumes(group.id, [_volume()])


def test_a_group_with_group_snapshots_is_not_deleted(conf):
    group = _group()
    group_snapshot = _group_snapshot(group, [])
    db.group_transition(group.id, states.DELETING, reset=True)
    with pytest.raises(exception.InvalidGroup,
                       match='still has group snapshot'):
        db.group_transition(group.id, states.DELETED)
    db.group_snapshot_transition(group_snapshot.id, states.DELETING,
                                 reset=True)
    db.group_snapshot_transition(group_snapshot.id, states.DELETED)
    assert db.group_transition(group.id, states.DELETED) is None


def test_group_get_all_filters_sorts_and_pages(conf):
    a = _group(name='a')
    b = _group(name='b', project_id='proj-b')
    c = _group(name='c')
    db.group_transition(c.id, states.AVAILABLE)
    assert [g.id for g in db.group_get_all()] == [c.id, b.id, a.id]
    assert [g.id for g in db.group_get_all({'project_id': PROJECT})] == [
        c.id, a.id]
    assert [g.id for g in db.group_get_all(
        {'status': states.AVAILABLE})] == [c.id]
    names = db.group_get_all(sort=[('name', 'asc')], limit=2)
    assert [g.name for g in names] == ['a', 'b']
    after = db.group_get_all(sort=[('name', 'asc')], marker=names[-1].id)
    assert [g.name for g in after] == ['c']
    with pytest.raises(exception.InvalidInput, match='cannot sort'):
        db.group_get_all(sort=[('size', 'asc')])
    with pytest.raises(exception.InvalidInput, match='no metadata'):
        db.group_get_all({'metadata': {'k': 'v'}})
    with pytest.raises(exception.InvalidInput, match='marker'):
        db.group_get_all(marker='no-such-group')


# Group snapshots ------------------------------------------------------------

def test_group_snapshot_create_makes_every_member_in_one_go(conf):
    v1, v2, v3 = _volume(), _volume(), _volume()
    group = _group([v1, v2, v3])
    group_snapshot = _group_snapshot(
        group, [_member(v3, name='three'), _member(v1), _member(v2)],
        instance_id='inst-1')
    assert group_snapshot.status == states.CREATING
    assert group_snapshot.instance_id == 'inst-1'
    members = group_snapshot.snapshots
    assert [s.volume_id for s in members] == sorted([v1, v2, v3])
    for snapshot in members:
        assert snapshot.group_snapshot_id == group_snapshot.id
        assert snapshot.status == states.SNAPSHOT.initial
        # Loaded before the session closed, with their metadata.
        assert {m.key: m.value for m in snapshot.metadata_items} == {
            'k': snapshot.volume_id[:8]}
    assert db.snapshot_get(
        next(s.id for s in members if s.volume_id == v3)).name == 'three'
    again = db.group_snapshot_get(group_snapshot.id, project_id=PROJECT)
    assert [s.id for s in again.snapshots] == [s.id for s in members]
    with pytest.raises(exception.GroupSnapshotNotFound):
        db.group_snapshot_get(group_snapshot.id, project_id='proj-b')


@pytest.mark.parametrize('case', ['missing volume', 'volume of no group',
                                  'volume of another group', 'twice',
                                  'deleted volume'])
def test_group_snapshot_create_is_all_or_nothing(conf, case):
    v1, v2 = _volume(), _volume()
    group = _group([v1, v2])
    if case == 'missing volume':
        bad = 'no-such-volume'
    elif case == 'volume of no group':
        bad = _volume()
    elif case == 'volume of another group':
        bad = _volume()
        _group([bad])
    elif case == 'twice':
        bad = v1
    else:
        bad = v2
        db.volume_transition(v2, states.DELETING, reset=True)
        db.volume_transition(v2, states.DELETED)
    members = [_member(v1)] + ([_member(v2)] if bad != v2 else []) + [
        _member(bad)]
    with pytest.raises(exception.InvalidGroupSnapshot, match=bad):
        _group_snapshot(group, members)
    assert _count(models.GroupSnapshot) == 0
    assert _count(models.Snapshot) == 0
    assert _count(models.SnapshotMetadata) == 0


def test_a_bad_member_after_good_ones_creates_nothing(conf):
    v1, v2 = _volume(), _volume()
    group = _group([v1, v2])
    with pytest.raises(ValueError):
        _group_snapshot(group, [_member(v1),
                                _member(v2, status=states.AVAILABLE)])
    with pytest.raises(ValueError):
        _group_snapshot(group, [_member(v1), _member(v2,
                                                     project_id='proj-b')])
    with pytest.raises(ValueError):
        _group_snapshot(group, [_member(v1)], status=states.AVAILABLE)
    assert _count(models.GroupSnapshot) == 0
    assert _count(models.Snapshot) == 0


def test_group_snapshot_of_a_missing_group(conf):
    group = _group()
    db.group_transition(group.id, states.DELETING, reset=True)
    db.group_transition(group.id, states.DELETED)
    with pytest.raises(exception.GroupNotFound):
        _group_snapshot(group, [])
    assert _count(models.GroupSnapshot) == 0


def test_snapshots_filter_by_group_snapshot(conf):
    v1, v2 = _volume(), _volume()
    group = _group([v1, v2])
    first = _group_snapshot(group, [_member(v1), _member(v2)])
    second = _group_snapshot(group, [_member(v1)])
    alone = db.snapshot_create(_member(v1)[0])
    assert {s.id for s in db.snapshot_get_all(
        {'group_snapshot_id': first.id})} == {s.id for s in first.snapshots}
    assert [s.id for s in db.snapshot_get_all(
        {'group_snapshot_id': second.id})] == [second.snapshots[0].id]
    assert [s.id for s in db.snapshot_get_all(
        {'group_snapshot_id': None})] == [alone.id]
    assert [g.id for g in db.group_snapshot_get_all(
        {'group_id': group.id}, sort=[('created_at', 'asc')])] == [
        first.id, second.id]
    assert db.group_snapshot_get_all({'group_id': 'other'}) == []
    with pytest.raises(ValueError):
        db.snapshot_update(alone.id, {'group_snapshot_id': first.id})


def test_group_snapshot_transitions_and_delete(conf):
    volume = _volume()
    group = _group([volume])
    group_snapshot = _group_snapshot(group, [_member(volume)])
    member = group_snapshot.snapshots[0]
    with pytest.raises(exception.InvalidGroupSnapshotStatus,
                       match='is creating'):
        db.group_snapshot_transition(group_snapshot.id, states.DELETING)
    group_snapshot = db.group_snapshot_transition(
        group_snapshot.id, states.AVAILABLE, expected=[states.CREATING])
    assert group_snapshot.status == states.AVAILABLE
    # The members keep their own statuses.
    assert db.snapshot_get(member.id).status == states.CREATING
    db.group_snapshot_transition(group_snapshot.id, states.DELETING,
                                 values={'owner': 'run-1'})
    assert not db.group_snapshot_claim(group_snapshot.id, states.DELETING,
                                       None, 'run-2')
    assert db.group_snapshot_claim(group_snapshot.id, states.DELETING,
                                   'run-1', 'run-2')
    with pytest.raises(exception.InvalidGroupSnapshot,
                       match='still has snapshot'):
        db.group_snapshot_transition(group_snapshot.id, states.DELETED)
    db.snapshot_transition(member.id, states.DELETING, reset=True)
    db.snapshot_transition(member.id, states.DELETED)
    assert db.group_snapshot_get(group_snapshot.id).snapshots == []
    assert db.group_snapshot_transition(group_snapshot.id,
                                        states.DELETED) is None
    with pytest.raises(exception.GroupSnapshotNotFound):
        db.group_snapshot_get(group_snapshot.id)
    with pytest.raises(exception.GroupSnapshotNotFound):
        db.group_snapshot_update(group_snapshot.id, {'name': 'x'})


def test_group_snapshot_update(conf):
    group = _group()
    group_snapshot = _group_snapshot(group, [])
    assert db.group_snapshot_update(
        group_snapshot.id, {'description': 'd'}).description == 'd'
    with pytest.raises(ValueError):
        db.group_snapshot_update(group_snapshot.id, {'owner': 'me'})


# Views ----------------------------------------------------------------------

def test_views(conf):
    v1, v2 = _volume(), _volume()
    group = _group([v1, v2], description='d', source_group_id='src')
    group_snapshot = _group_snapshot(group, [_member(v1), _member(v2)],
                                     instance_id='inst-1')
    view = views.group(db.group_get(group.id))
    assert view == {
        'id': group.id, 'project_id': PROJECT, 'user_id': 'alice',
        'name': 'g', 'description': 'd', 'status': states.CREATING,
        'group_type_id': group_types.CONSISTENT_ID,
        'volume_types': ['fast', 'slow'], 'availability_zone': 'nova',
        'volumes': [v1, v2], 'group_snapshot_id': None,
        'source_group_id': 'src',
        'created_at': group.created_at.isoformat()}
    snapshot_ids = [s.id for s in group_snapshot.snapshots]
    assert views.group_snapshot(group_snapshot) == {
        'id': group_snapshot.id, 'group_id': group.id,
        'project_id': PROJECT, 'user_id': 'alice', 'name': 'gs',
        'description': None, 'status': states.CREATING,
        'group_type_id': group_types.CONSISTENT_ID,
        'instance_id': 'inst-1', 'snapshots': snapshot_ids,
        'created_at': group_snapshot.created_at.isoformat()}
    assert views.volume(db.volume_get(v1))['group_id'] == group.id
    assert views.snapshot(db.snapshot_get(snapshot_ids[0]))[
        'group_snapshot_id'] == group_snapshot.id
    alone = db.snapshot_create(_member(_volume())[0])
    assert views.snapshot(alone)['group_snapshot_id'] is None
    assert views.volume(db.volume_get(_volume()))['group_id'] is None
