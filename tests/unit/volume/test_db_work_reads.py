"""The volume database's reads for work rather than views: a volume or
snapshot with only what its workers and checks read, in one query each,
and a chain's records written in one transaction (issue 13's benchmark
is CPU-bound: each statement a snapshot create or delete saves counts).
"""

import collections

import pytest
import sqlalchemy as sa

from snapvol_api import exception
from snapvol_api import states
from snapvol_volume.db import api as db

PROJECT = 'proj-a'


class Statements:
    """The SQL statements the volume database runs meanwhile, by their
    first words."""

    def __init__(self):
        self.seen = collections.Counter()

    def _count(self, conn, cursor, statement, *args):
        self.seen[' '.join(statement.split()[:4])] += 1

    def __enter__(self):
        sa.event.listen(sa.engine.Engine, 'before_cursor_execute',
                        self._count)
        return self

    def __exit__(self, *exc):
        sa.event.remove(sa.engine.Engine, 'before_cursor_execute',
                        self._count)

    @property
    def total(self):
        return sum(self.seen.values())


def _volume(**values):
    volume = db.volume_create({'project_id': PROJECT, 'size': 1,
                               'host': 'h', 'status': states.CREATING,
                               **values}, {'k': 'v'})
    db.volume_transition(volume.id, states.AVAILABLE, reset=True)
    return volume.id


def test_a_volume_for_work_is_one_query_with_its_attachments(conf):
    volume_id = _volume()
    db.volume_file_set(volume_id, 'volume-%s' % volume_id, 'raw')
    db.volume_attach(volume_id, 'inst-1', 'host-1', 'vdb')
    with Statements() as statements:
        volume = db.volume_get(volume_id, full=False)
    assert statements.total == 1
    assert volume.status == states.IN_USE
    assert [a.instance_id for a in volume.attachments] == ['inst-1']
    # What a view reads is not there, and says so.
    for relation in ('metadata_items', 'files', 'volume_type'):
        with pytest.raises(sa.exc.InvalidRequestError):
            getattr(volume, relation)
    with Statements() as statements:
        full = db.volume_get(volume_id)
    assert statements.total > 1
    assert {m.key: m.value for m in full.metadata_items} == {'k': 'v'}
    assert [f.name for f in full.files] == ['volume-%s' % volume_id]


def test_a_volume_for_work_keeps_the_project_scope(conf):
    volume_id = _volume()
    with pytest.raises(exception.VolumeNotFound):
        db.volume_get(volume_id, 'proj-b', full=False)
    assert db.volume_get(volume_id, PROJECT, full=False).id == volume_id


def test_a_snapshot_for_work_is_one_query(conf):
    volume_id = _volume()
    snapshot = db.snapshot_create(
        {'volume_id': volume_id, 'project_id': PROJECT, 'volume_size': 1,
         'status': states.SNAPSHOT.initial}, {'k': 'v'})
    with Statements() as statements:
        lean = db.snapshot_get(snapshot.id, full=False)
    assert statements.total == 1
    assert (lean.volume_id, lean.status) == (volume_id, states.CREATING)
    with pytest.raises(sa.exc.InvalidRequestError):
        list(lean.metadata_items)
    with pytest.raises(exception.SnapshotNotFound):
        db.snapshot_get(snapshot.id, 'proj-b', full=False)


def test_a_transition_without_read_back_is_one_statement(conf):
    volume_id = _volume()
    snapshot = db.snapshot_create(
        {'volume_id': volume_id, 'project_id': PROJECT, 'volume_size': 1,
         'status': states.SNAPSHOT.initial, 'owner': 'me'})
    with Statements() as statements:
        assert db.snapshot_transition(
            snapshot.id, states.AVAILABLE, expected=[states.CREATING],
            owner='me', read_back=False) is None
    assert statements.total == 1
    assert next(iter(statements.seen)).startswith('UPDATE snapshots SET')
    assert db.snapshot_get(snapshot.id).status == states.AVAILABLE
    # A refusal is the same as with the row read back.
    with pytest.raises(exception.InvalidSnapshotStatus):
        db.snapshot_transition(snapshot.id, states.AVAILABLE,
                               expected=[states.CREATING], read_back=False)


def test_a_chain_record_makes_the_records_exactly_the_chain(conf):
    volume_id = _volume()
    base = 'volume-%s' % volume_id
    top, gone = base + '.top', base + '.gone'
    db.volume_file_set(volume_id, base, 'qcow2')
    db.volume_file_set(volume_id, gone, 'qcow2')
    db.volume_chain_record(volume_id, {base: 'raw', top: 'qcow2'}, top)
    assert db.volume_files(volume_id) == {base: 'raw', top: 'qcow2'}
    assert db.volume_get(volume_id).active_file == top
    # Nothing to change: the records are read, the active file written.
    with Statements() as statements:
        db.volume_chain_record(volume_id, {base: 'raw', top: 'qcow2'}, top)
    assert statements.total == 2
    assert db.volume_files(volume_id) == {base: 'raw', top: 'qcow2'}


def test_a_chain_record_of_a_deleted_volume_changes_nothing(conf):
    volume_id = _volume()
    base = 'volume-%s' % volume_id
    db.volume_file_set(volume_id, base, 'raw')
    db.volume_transition(volume_id, states.DELETING, reset=True)
    db.volume_transition(volume_id, states.DELETED)
    with pytest.raises(exception.VolumeNotFound):
        db.volume_chain_record(volume_id, {base + '.x': 'qcow2'}, base)
    # The delete forgot the file records; the refused record added none.
    assert db.volume_files(volume_id) == {}


def test_an_update_of_a_deleted_row_is_refused(conf):
    volume_id = _volume()
    db.volume_transition(volume_id, states.DELETING, reset=True)
    db.volume_transition(volume_id, states.DELETED)
    with pytest.raises(exception.VolumeNotFound):
        db.volume_update(volume_id, {'name': 'x'})
