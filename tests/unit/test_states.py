"""Every state table is well formed, and the volume database allows
exactly the transitions the tables declare."""

import itertools

from oslo_config import fixture as config_fixture
import pytest

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_volume.db import api as db
from snapvol_volume.db import migration

MACHINES = [states.VOLUME, states.SNAPSHOT, states.GROUP,
            states.GROUP_SNAPSHOT, states.BACKUP, states.INSTANCE]


@pytest.mark.parametrize('machine', MACHINES, ids=lambda m: m.kind)
def test_every_target_is_a_declared_status(machine):
    for status, targets in machine.transitions.items():
        assert set(targets) <= set(machine.statuses), status
        assert status not in targets, 'no status goes to itself'


@pytest.mark.parametrize('machine', MACHINES, ids=lambda m: m.kind)
def test_every_status_is_reachable_from_the_initial_one(machine):
    seen, todo = set(), [machine.initial]
    while todo:
        status = todo.pop()
        if status not in seen:
            seen.add(status)
            todo.extend(machine.transitions[status])
    assert seen == set(machine.statuses) - set(machine.parked)


@pytest.mark.parametrize('machine', MACHINES, ids=lambda m: m.kind)
def test_terminal_states_have_no_exits(machine):
    assert machine.terminal
    for status in machine.terminal:
        assert not machine.transitions[status]
        assert machine.sources(status), '%s is never reached' % status
        assert status not in machine.reset_to
    for status in (set(machine.statuses) - set(machine.terminal)
                   - set(machine.parked)):
        assert machine.transitions[status], status


@pytest.mark.parametrize('machine', MACHINES, ids=lambda m: m.kind)
def test_parked_statuses_are_reached_and_left_by_reset_only(machine):
    for status in machine.parked:
        assert status not in machine.transitions
        assert status in machine.reset_to
        assert not machine.sources(status)
        assert status not in machine.terminal


@pytest.mark.parametrize('machine', MACHINES, ids=lambda m: m.kind)
def test_reset_to_are_statuses(machine):
    assert machine.reset_to
    assert set(machine.reset_to) <= set(machine.statuses)


def test_sources_and_allows_agree():
    for machine in MACHINES:
        for current, target in itertools.product(machine.statuses,
                                                 repeat=2):
            assert machine.allows(current, target) == (
                current in machine.sources(target))


def test_compute_reports_need_statuses_of_snapshots():
    for report, needed in states.COMPUTE_REPORTS.items():
        assert set(needed) <= set(states.SNAPSHOT.statuses), report
        assert set(needed) <= set(states.IN_FLIGHT)


def test_what_the_manager_relies_on():
    volume, snapshot = states.VOLUME, states.SNAPSHOT
    group, group_snapshot = states.GROUP, states.GROUP_SNAPSHOT
    assert not volume.allows(states.IN_USE, states.DELETING)
    assert volume.allows(states.IN_USE, states.AVAILABLE)
    assert volume.allows(states.CREATING, states.ERROR)
    # Volumes join or leave a group only while it is updating, which
    # ends available (the change is all or nothing).
    assert group.transitions[states.UPDATING] == {states.AVAILABLE}
    assert group.sources(states.UPDATING) == (states.AVAILABLE,)
    assert not group.allows(states.UPDATING, states.DELETING)
    assert states.UPDATING not in group.reset_to
    # No group snapshot is reverted to or read whole.
    own = {states.RESTORING, states.BACKING_UP}
    assert {s: t - own for s, t in snapshot.transitions.items()
            if s not in own} == group_snapshot.transitions
    assert set(group_snapshot.reset_to) == (
        set(snapshot.reset_to) - set(snapshot.parked) - own)
    for machine in (volume, snapshot, group, group_snapshot):
        assert machine.initial == states.CREATING
        assert machine.terminal == (states.DELETED,)
        assert machine.allows(states.ERROR_DELETING, states.DELETING)
        assert machine.allows(states.CREATING, states.ERROR)
        assert machine.allows(states.DELETING, states.ERROR_DELETING)
        assert not machine.allows(states.DELETING, states.ERROR)


# The database's door: a real SQLite database --------------------------------

@pytest.fixture
def database(tmp_path):
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    url = 'sqlite:///%s' % (tmp_path / 'states.sqlite')
    fixture.config(connection=url, group='database')
    migration.upgrade(url)
    yield
    db.dispose()
    fixture.cleanUp()


def _volume():
    return db.volume_create({'project_id': 'p', 'size': 1, 'host': 'h',
                             'status': states.CREATING})


def _group():
    return db.group_create({'project_id': 'p', 'status': states.CREATING})


KINDS = [('volume', states.VOLUME), ('snapshot', states.SNAPSHOT),
         ('group', states.GROUP), ('group_snapshot', states.GROUP_SNAPSHOT)]


def _in(kind, status):
    """A live row of ``kind`` in ``status`` (through the door: reset, or
    a transition from a status reset reaches)."""
    volume = _volume()
    if kind == 'volume':
        row_id, get = volume.id, db.volume_get
        transition = db.volume_transition
        machine = states.VOLUME
    elif kind == 'group':
        row_id, get = _group().id, db.group_get
        transition, machine = db.group_transition, states.GROUP
    elif kind == 'group_snapshot':
        row_id = db.group_snapshot_create(
            {'group_id': _group().id, 'project_id': 'p',
             'status': states.CREATING}, []).id
        get = db.group_snapshot_get
        transition = db.group_snapshot_transition
        machine = states.GROUP_SNAPSHOT
    else:
        row_id = db.snapshot_create({'volume_id': volume.id,
                                     'project_id': 'p', 'volume_size': 1,
                                     'status': states.CREATING}).id
        get, transition = db.snapshot_get, db.snapshot_transition
        machine = states.SNAPSHOT
    if status in machine.terminal:
        transition(row_id, states.DELETING, reset=True)
        transition(row_id, status)
    elif status in machine.reset_to:
        transition(row_id, status, reset=True)
        assert get(row_id).status == status
    elif status != machine.initial:
        # Not one an administrator may force (a group's updating): from
        # one that leads to it.
        transition(row_id, next(s for s in machine.sources(status)
                                if s in machine.reset_to), reset=True)
        transition(row_id, status)
        assert get(row_id).status == status
    return row_id, get, transition


CONFLICT = (exception.InvalidVolumeStatus, exception.InvalidSnapshotStatus,
            exception.InvalidGroupStatus,
            exception.InvalidGroupSnapshotStatus,
            exception.VolumeNotFound, exception.SnapshotNotFound,
            exception.GroupNotFound, exception.GroupSnapshotNotFound)


def _columns(row):
    return {column.name: getattr(row, column.name)
            for column in row.__table__.columns}


@pytest.mark.parametrize('kind,machine', KINDS)
def test_the_db_allows_exactly_the_declared_transitions(database, kind,
                                                        machine):
    for current in machine.statuses:
        row_id = None
        for target in machine.statuses:
            if row_id is None:
                row_id, get, transition = _in(kind, current)
                if current not in machine.terminal:
                    fresh = _columns(get(row_id))
            if machine.allows(current, target):
                transition(row_id, target)
                if target not in machine.terminal:
                    assert get(row_id).status == target
                else:
                    with pytest.raises(exception.NotFound):
                        get(row_id)
                row_id = None       # the next target needs a fresh row
                continue
            with pytest.raises(CONFLICT):
                transition(row_id, target)
            if current not in machine.terminal:
                # Refused: not a column changed, so the row serves the
                # next target as a fresh one would.
                row = _columns(get(row_id))
                assert row['status'] == current, (current, target)
                assert row == fresh, (current, target)


@pytest.mark.parametrize('kind,machine', KINDS)
def test_expected_and_owner_narrow_a_transition(database, kind, machine):
    row_id, get, transition = _in(kind, states.CREATING)
    with pytest.raises(CONFLICT, match='one of: none'):
        transition(row_id, states.ERROR, expected=[states.DELETING])
    transition(row_id, states.CREATING, reset=True,
               values={'owner': 'run-1'})
    with pytest.raises(CONFLICT, match='as the work of run-2'):
        transition(row_id, states.ERROR, owner='run-2')
    assert get(row_id).status == states.CREATING
    transition(row_id, states.ERROR, expected=[states.CREATING],
               owner='run-1')
    assert get(row_id).status == states.ERROR


def test_reset_goes_only_to_reset_to(database):
    row_id, get, transition = _in('volume', states.AVAILABLE)
    with pytest.raises(exception.InvalidInput, match='status must be one'):
        transition(row_id, states.DELETED, reset=True)
    with pytest.raises(exception.InvalidInput):
        transition(row_id, 'bogus', reset=True)
    for status in states.VOLUME.reset_to:
        transition(row_id, status, reset=True)
        assert get(row_id).status == status


def test_plain_updates_cannot_change_a_status(database):
    volume = _volume()
    with pytest.raises(ValueError):
        db.volume_update(volume.id, {'status': states.AVAILABLE})
    with pytest.raises(ValueError):
        db.volume_update(volume.id, {'owner': 'me'})


def test_claims_are_compare_and_swap(database):
    volume = _volume()
    assert db.volume_claim(volume.id, states.CREATING, None, 'run-2')
    assert not db.volume_claim(volume.id, states.CREATING, None, 'run-3')
    assert not db.volume_claim(volume.id, states.DELETING, 'run-2', 'run-3')
    assert db.volume_get(volume.id).owner == 'run-2'
