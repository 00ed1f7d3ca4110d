"""The depth limit of a volume's chain and the snapshots a volume keeps."""

import datetime
import types

from oslo_config import fixture as config_fixture
import pytest

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_volume import retention


@pytest.fixture
def conf():
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    yield fixture
    fixture.cleanUp()


def item(key, value):
    return types.SimpleNamespace(key=key, value=value)


def volume(metadata=None, type_specs=None):
    volume_type = None if type_specs is None else types.SimpleNamespace(
        extra_specs_items=[item(k, v) for k, v in type_specs.items()])
    return types.SimpleNamespace(
        id='vol-1', volume_type=volume_type,
        metadata_items=[item(k, v) for k, v in (metadata or {}).items()])


def snapshot(n, status='available', group=None):
    return types.SimpleNamespace(
        id='snap-%d' % n, status=status, group_snapshot_id=group,
        created_at=datetime.datetime(2026, 1, 1, 0, n))


def test_depth_counts_the_info_stores_snapshots():
    assert retention.depth({'active': 'volume-v'}) == 0
    assert retention.depth({'active': 'volume-v.b', 'a': 'volume-v.a',
                            'b': 'volume-v.b'}) == 2


def test_a_snapshot_past_the_limit_is_refused_naming_depth_and_limit(conf):
    conf.config(max_chain_depth=3, group='volume')
    with pytest.raises(exception.InvalidVolume) as raised:
        retention.refuse_deeper('vol-1', 3)
    assert raised.value.code == 400
    message = str(raised.value)
    assert 'volume vol-1 has 3 snapshots in its chain' in message
    assert 'max_chain_depth is 3' in message


@pytest.mark.parametrize('limit, current, refused', [
    (3, 2, False), (3, 3, True), (3, 7, True), (1, 0, False), (1, 1, True),
    # 0: no limit.
    (0, 1000, False),
])
def test_the_limit_counts_snapshots_already_in_the_chain(conf, limit,
                                                         current, refused):
    conf.config(max_chain_depth=limit, group='volume')
    try:
        retention.refuse_deeper('vol-1', current)
    except exception.InvalidVolume:
        assert refused
    else:
        assert not refused


@pytest.mark.parametrize('metadata, type_specs, keep', [
    ({}, None, None),
    ({retention.KEEP_SNAPSHOTS: '3'}, None, 3),
    ({}, {retention.KEEP_SNAPSHOTS: '5'}, 5),
    # The volume's own metadata wins over its type's.
    ({retention.KEEP_SNAPSHOTS: '2'}, {retention.KEEP_SNAPSHOTS: '5'}, 2),
    ({'other': '1'}, {'other': '1'}, None),
])
def test_keep_count_from_metadata_or_type(metadata, type_specs, keep):
    assert retention.keep_count(volume(metadata, type_specs)) == keep


@pytest.mark.parametrize('value', ['0', '-1', 'two', '1.5', ''])
def test_a_bad_keep_count_keeps_everything(value, caplog):
    assert retention.keep_count(
        volume({retention.KEEP_SNAPSHOTS: value})) is None
    assert 'all its snapshots are kept' in caplog.text


def test_beyond_takes_the_oldest_available_ones():
    snapshots = [snapshot(1), snapshot(2, 'error'), snapshot(3),
                 snapshot(4, 'deleting'), snapshot(5), snapshot(6),
                 snapshot(7, 'creating')]
    # Four are available: 1, 3, 5 and 6.
    assert retention.beyond(snapshots, 5) == []
    assert [s.id for s in retention.beyond(snapshots, 2)] == [
        'snap-1', 'snap-3']
    assert [s.id for s in retention.beyond(snapshots, 1)] == [
        'snap-1', 'snap-3', 'snap-5']


def test_beyond_leaves_group_snapshot_members():
    snapshots = [snapshot(1, group='gs-1'), snapshot(2), snapshot(3)]
    assert [s.id for s in retention.beyond(snapshots, 1)] == ['snap-2']


class FakeDb:

    def __init__(self, volume, snapshots):
        self.volume, self.snapshots = volume, snapshots

    def volume_get(self, volume_id):
        assert volume_id == self.volume.id
        return self.volume

    def snapshot_get_all_for_volume(self, volume_id):
        assert volume_id == self.volume.id
        return self.snapshots


def test_prune_deletes_through_the_delete_path_oldest_first(caplog):
    caplog.set_level('INFO')
    db = FakeDb(volume({retention.KEEP_SNAPSHOTS: '2'}),
                [snapshot(n) for n in range(1, 6)])
    deleted = []

    def delete(ctxt, snapshot_id):
        assert ctxt.is_admin
        deleted.append(snapshot_id)

    assert retention.prune(db, delete, 'vol-1') == [
        'snap-1', 'snap-2', 'snap-3']
    assert deleted == ['snap-1', 'snap-2', 'snap-3']
    assert 'Volume vol-1 keeps 2 snapshots: deleting snapshot snap-1' in \
        caplog.text


def test_prune_skips_a_snapshot_that_cannot_go_now(caplog):
    db = FakeDb(volume({retention.KEEP_SNAPSHOTS: '1'}),
                [snapshot(n) for n in range(1, 4)])

    def delete(ctxt, snapshot_id):
        if snapshot_id == 'snap-1':
            raise exception.BeingRead(snapshot_id=snapshot_id,
                                      reader='backup b', what='it',
                                      volume_id='vol-1')

    assert retention.prune(db, delete, 'vol-1') == ['snap-2']
    assert 'snapshot snap-1 stays for now' in caplog.text


def test_prune_without_a_keep_count_deletes_nothing():
    db = FakeDb(volume(), [snapshot(n) for n in range(1, 4)])

    def delete(ctxt, snapshot_id):
        raise AssertionError('nothing is deleted')

    assert retention.prune(db, delete, 'vol-1') == []
