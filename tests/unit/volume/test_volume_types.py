"""Volume types in the volume database, through the manager: migration
0007's ``__DEFAULT__``, administrators' changes, extra specs choosing the
share a volume goes to, and projects' own default types (3.62)."""

from alembic import autogenerate
from alembic import migration as alembic_migration
import pytest
import sqlalchemy as sa

from snapvol_api import exception
from snapvol_volume import volume_types
from snapvol_volume.db import migration
from snapvol_volume.db import models
from tests.unit.volume import helpers
from tests.unit.volume.helpers import ADMIN
from tests.unit.volume.helpers import ALICE
from tests.unit.volume.helpers import BOB

DEFAULT = volume_types.DEFAULT_ID


@pytest.fixture
def two_shares(conf, tmp_path, compute, locks):
    """A manager with two local shares, a and b."""
    shares = tmp_path / 'shares.conf'
    paths = [tmp_path / 'a', tmp_path / 'b']
    shares.write_text(''.join('local:%s\n' % p for p in paths))
    conf.config(shares_config=str(shares), group='volume')
    manager = helpers.start_manager(compute, locks)
    yield manager, ['local:%s' % p for p in paths]
    manager.stop()


def _type(manager, name='gold', **specs):
    return manager.create_volume_type(ADMIN, name, None, True, specs)


def _create(manager, volume_type=None, ctxt=ALICE, snapshot_id=None):
    volume = manager.create_volume(ctxt, 1, 'v', None, {}, snapshot_id,
                                   volume_type=volume_type)
    helpers.wait_status(lambda: manager.get_volume(ctxt, volume['id']),
                        'available')
    return manager.get_volume(ctxt, volume['id'])


# Migration 0007 -------------------------------------------------------------

def test_0007_gives_every_volume_the_default_type(tmp_path):
    url = 'sqlite:///%s' % (tmp_path / 'old.sqlite')
    migration.upgrade(url, '0006')
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO volumes (id, project_id, size, status, "
                "bootable, created_at, deleted) VALUES ('v1', 'p', 1, "
                "'available', 0, '2026-12-01 00:00:00', 0)")
        migration.upgrade(url)
        with engine.connect() as connection:
            assert connection.exec_driver_sql(
                'SELECT id, volume_type_id FROM volumes').all() == [
                    ('v1', DEFAULT)]
            assert connection.exec_driver_sql(
                'SELECT name, description, is_public FROM volume_types'
            ).all() == [('__DEFAULT__', 'Default Volume Type', 1)]
            connection.exec_driver_sql('PRAGMA foreign_keys=ON')
            with pytest.raises(sa.exc.IntegrityError):
                connection.exec_driver_sql(
                    "UPDATE volumes SET volume_type_id = 'no-such-type'")
            diff = autogenerate.compare_metadata(
                alembic_migration.MigrationContext.configure(connection),
                models.Base.metadata)
    finally:
        engine.dispose()
    ours = {'volume_types', 'volume_type_extra_specs',
            'volume_type_projects', 'default_volume_types', 'volume_type_id',
            'ix_volumes_volume_type_id'}
    assert [d for d in diff if ours & set(map(str, _names(d)))] == []


def _names(diff):
    for item in (diff if isinstance(diff, list) else [diff]):
        for part in item:
            name = getattr(part, 'name', None)
            if name is not None:
                yield name
            if isinstance(part, str):
                yield part


# Types ----------------------------------------------------------------------

def test_the_default_type_and_a_new_one(manager):
    (default,) = manager.list_volume_types(ALICE)
    assert default == {'id': DEFAULT, 'name': '__DEFAULT__',
                       'description': 'Default Volume Type',
                       'is_public': True, 'extra_specs': {},
                       'qos_specs_id': None}
    gold = _type(manager, volume_backend_name='local')
    assert gold['extra_specs'] == {'volume_backend_name': 'local'}
    assert manager.get_volume_type(ALICE, 'gold') == gold
    assert manager.get_volume_type(ALICE, gold['id']) == gold
    assert manager.get_volume_type(BOB, 'default')['id'] == DEFAULT
    assert [t['name'] for t in manager.list_volume_types(ALICE)] == [
        'gold', '__DEFAULT__']


def test_names_are_unique_among_live_types(manager):
    gold = _type(manager)
    silver = _type(manager, 'silver')
    with pytest.raises(exception.VolumeTypeExists):
        _type(manager)
    with pytest.raises(exception.VolumeTypeExists):
        manager.update_volume_type(ADMIN, silver['id'], {'name': 'gold'})
    manager.delete_volume_type(ADMIN, gold['id'])
    assert _type(manager)['id'] != gold['id']


def test_update_changes_what_is_given(manager):
    gold = _type(manager)
    updated = manager.update_volume_type(ADMIN, 'gold', {
        'name': 'platinum', 'description': 'fast', 'is_public': None})
    assert (updated['id'], updated['name'], updated['description'],
            updated['is_public']) == (gold['id'], 'platinum', 'fast', True)
    with pytest.raises(exception.InvalidInput):
        manager.update_volume_type(ADMIN, DEFAULT, {'name': 'other'})
    assert manager.update_volume_type(ADMIN, DEFAULT, {
        'description': 'd'})['name'] == '__DEFAULT__'


def test_only_administrators_change_types(manager):
    with pytest.raises(exception.Forbidden):
        manager.create_volume_type(ALICE, 'x', None, True, {})
    with pytest.raises(exception.Forbidden):
        manager.delete_volume_type(ALICE, DEFAULT)
    with pytest.raises(exception.Forbidden):
        manager.set_volume_type_extra_specs(ALICE, DEFAULT, {'a': 'b'})
    with pytest.raises(exception.Forbidden):
        manager.set_default_type(ALICE, ALICE.project_id, DEFAULT)
    assert len(manager.list_volume_types(ADMIN, is_public=None)) == 1


def test_private_types_are_for_administrators(manager):
    private = manager.create_volume_type(ADMIN, 'hidden', None, False, {})
    assert [t['name'] for t in manager.list_volume_types(
        ALICE, is_public=None)] == ['__DEFAULT__']
    assert [t['name'] for t in manager.list_volume_types(
        ADMIN, is_public=False)] == ['hidden']
    assert len(manager.list_volume_types(ADMIN, is_public=None)) == 2
    with pytest.raises(exception.VolumeTypeNotFound):
        manager.get_volume_type(ALICE, private['id'])
    with pytest.raises(exception.VolumeTypeNotFound):
        manager.create_volume(ALICE, 1, 'v', None, {}, None,
                              volume_type='hidden')
    assert manager.list_volumes(ALICE, {}, None, None, [], 0) == []


def test_a_private_type_shared_with_a_project(manager):
    hidden = manager.create_volume_type(ADMIN, 'hidden', None, False, {})
    assert manager.list_volume_type_access(ADMIN, 'hidden') == []
    manager.add_volume_type_access(ADMIN, 'hidden', ALICE.project_id)
    with pytest.raises(exception.VolumeTypeAccessExists):
        manager.add_volume_type_access(ADMIN, hidden['id'],
                                       ALICE.project_id)
    assert manager.list_volume_type_access(ADMIN, hidden['id']) == [
        {'volume_type_id': hidden['id'], 'project_id': ALICE.project_id}]
    assert [t['name'] for t in manager.list_volume_types(ALICE)] == [
        'hidden', '__DEFAULT__']
    assert [t['name'] for t in manager.list_volume_types(BOB)] == [
        '__DEFAULT__']
    assert _create(manager, 'hidden')['volume_type'] == 'hidden'
    with pytest.raises(exception.VolumeTypeNotFound):
        manager.get_volume_type(BOB, 'hidden')
    with pytest.raises(exception.Forbidden):
        manager.add_volume_type_access(ALICE, 'hidden', BOB.project_id)
    with pytest.raises(exception.InvalidInput):
        manager.add_volume_type_access(ADMIN, DEFAULT, BOB.project_id)
    manager.remove_volume_type_access(ADMIN, 'hidden', ALICE.project_id)
    with pytest.raises(exception.VolumeTypeAccessNotFound):
        manager.remove_volume_type_access(ADMIN, 'hidden',
                                          ALICE.project_id)
    with pytest.raises(exception.VolumeTypeNotFound):
        manager.get_volume_type(ALICE, 'hidden')


def test_extra_specs_and_the_filter_on_them(manager):
    gold = _type(manager, volume_backend_name='local')
    _type(manager, 'silver')
    assert manager.set_volume_type_extra_specs(ADMIN, 'silver', {
        'volume_backend_name': 'nfs', 'k': 'v'}) == {
            'volume_backend_name': 'nfs', 'k': 'v'}
    manager.set_volume_type_extra_specs(ADMIN, 'silver', {'k': 'w'})
    assert manager.get_volume_type(ADMIN, 'silver')['extra_specs'] == {
        'volume_backend_name': 'nfs', 'k': 'w'}
    manager.delete_volume_type_extra_spec(ADMIN, 'silver', 'k')
    with pytest.raises(exception.VolumeTypeExtraSpecsNotFound):
        manager.delete_volume_type_extra_spec(ADMIN, 'silver', 'k')
    found = manager.list_volume_types(
        ADMIN, extra_specs={'volume_backend_name': 'local'})
    assert [t['id'] for t in found] == [gold['id']]
    assert manager.list_volume_types(
        ADMIN, extra_specs={'volume_backend_name': 'local', 'x': 'y'}) == []


# Volumes of a type -----------------------------------------------------------

def test_a_volume_has_its_type_by_name_and_id(manager):
    gold = _type(manager)
    volume = _create(manager, 'gold')
    assert (volume['volume_type'], volume['volume_type_id']) == (
        'gold', gold['id'])
    plain = _create(manager)
    assert (plain['volume_type'], plain['volume_type_id']) == (
        '__DEFAULT__', DEFAULT)
    with pytest.raises(exception.VolumeTypeNotFound):
        manager.create_volume(ALICE, 1, 'v', None, {}, None,
                              volume_type='nonesuch')


def test_a_volume_from_a_snapshot_keeps_the_type_of_its_source(manager):
    _type(manager)
    source = _create(manager, 'gold')
    snapshot = helpers.create_snapshot(manager, source['id'])
    clone = _create(manager, snapshot_id=snapshot['id'])
    assert clone['volume_type'] == 'gold'


def test_extra_specs_choose_the_share(two_shares):
    manager, (share_a, share_b) = two_shares
    for share in (share_a, share_b):
        name = share.rsplit('/', 1)[1]
        _type(manager, name, volume_backend_name='local',
              **{'snapvol:share': share})
        for _ in range(2):
            assert _create(manager, name)['share'] == share


def test_a_type_no_share_suits_is_refused_before_anything_is_made(manager):
    _type(manager, 'gold', volume_backend_name='nfs')
    _type(manager, 'silver', **{'snapvol:share': 'local:/nowhere'})
    for name in ('gold', 'silver'):
        with pytest.raises(exception.NoShareForVolumeType) as raised:
            manager.create_volume(ALICE, 1, 'v', None, {}, None,
                                  volume_type=name)
        assert raised.value.code == 400
        assert name in str(raised.value)
    assert manager.list_volumes(ALICE, {}, None, None, [], 0) == []
    assert manager.get_absolute_limits(ALICE, ALICE.project_id)[
        'totalVolumesUsed'] == 0


def test_a_type_in_use_is_not_deleted(manager):
    gold = _type(manager)
    volume = _create(manager, 'gold')
    with pytest.raises(exception.VolumeTypeInUse):
        manager.delete_volume_type(ADMIN, gold['id'])
    manager.delete_volume(ALICE, volume['id'])
    helpers.wait_status(lambda: manager.get_volume(ALICE, volume['id']),
                        'gone')
    manager.delete_volume_type(ADMIN, 'gold')
    with pytest.raises(exception.VolumeTypeNotFound):
        manager.get_volume_type(ADMIN, gold['id'])
    with pytest.raises(exception.VolumeTypeDefaultDeletionError):
        manager.delete_volume_type(ADMIN, DEFAULT)


# Projects' default types (3.62) ---------------------------------------------

def test_a_projects_default_type(manager):
    gold = _type(manager)
    with pytest.raises(exception.VolumeTypeProjectDefaultNotFound):
        manager.get_default_type(ADMIN, ALICE.project_id)
    assert manager.set_default_type(ADMIN, ALICE.project_id, 'gold') == {
        'project_id': ALICE.project_id, 'volume_type_id': gold['id']}
    assert manager.get_default_type(ADMIN, ALICE.project_id)[
        'volume_type_id'] == gold['id']
    assert manager.list_default_types(ADMIN) == [
        {'project_id': ALICE.project_id, 'volume_type_id': gold['id']}]
    assert manager.get_volume_type(ALICE, 'default')['id'] == gold['id']
    assert manager.get_volume_type(BOB, 'default')['id'] == DEFAULT
    assert _create(manager)['volume_type'] == 'gold'
    assert _create(manager, ctxt=BOB)['volume_type'] == '__DEFAULT__'
    with pytest.raises(exception.VolumeTypeDefaultDeletionError):
        manager.delete_volume_type(ADMIN, gold['id'])
    manager.set_default_type(ADMIN, ALICE.project_id, DEFAULT)
    assert manager.get_volume_type(ALICE, 'default')['id'] == DEFAULT
    manager.unset_default_type(ADMIN, ALICE.project_id)
    manager.unset_default_type(ADMIN, ALICE.project_id)
    assert manager.list_default_types(ADMIN) == []
    with pytest.raises(exception.VolumeTypeNotFound):
        manager.set_default_type(ADMIN, ALICE.project_id, 'nonesuch')
