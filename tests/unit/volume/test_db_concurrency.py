"""The volume database when transactions meet: two metadata sets of one
key at once both succeed (ON CONFLICT), and a transaction that fails on
a deadlock or a lost connection is run again and done once.

tests/functional/test_db_postgresql.py runs these on PostgreSQL too.
"""

import threading

from oslo_db import exception as db_exc
import pytest
import sqlalchemy as sa

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.runtime import database
from snapvol_volume.db import api as db
from snapvol_volume.db import models
from snapvol_volume.db import quotas as db_quotas
from tests.unit import dbtools

FAILURES = [db_exc.DBDeadlock, db_exc.DBConnectionError]


def _volume(status=states.AVAILABLE):
    volume = db.volume_create({'project_id': 'p1', 'size': 1, 'host': 'h',
                               'status': states.CREATING})
    if status != states.CREATING:
        db.volume_transition(volume.id, status, reset=True)
    return volume.id


def _metadata(volume_id):
    return {m.key: m.value for m in db.volume_get(volume_id).metadata_items}


@pytest.mark.parametrize('kind', ['volume', 'snapshot'])
def test_two_sets_of_one_key_at_once_both_succeed_and_the_last_wins(
        conf, kind):
    """The first writer's transaction is still open when the second
    writes the same new key: the second waits for it, then changes the
    value. (A select-then-insert would have seen no row and failed on
    the duplicate key.)"""
    volume_id = _volume()
    if kind == 'volume':
        owner_id, meta_model, fk_name = volume_id, models.VolumeMetadata, \
            'volume_id'
        set_metadata, get = db.volume_metadata_set, db.volume_get
    else:
        owner_id = db.snapshot_create({
            'volume_id': volume_id, 'project_id': 'p1', 'volume_size': 1,
            'status': states.SNAPSHOT.initial}).id
        meta_model, fk_name = models.SnapshotMetadata, 'snapshot_id'
        set_metadata, get = db.snapshot_metadata_set, db.snapshot_get
    set_metadata(owner_id, {'other': 'x'})
    errors = []

    def second():
        try:
            set_metadata(owner_id, {'k': 'second'})
        except Exception as exc:
            errors.append(exc)

    with dbtools.started_elsewhere(
            'INSERT INTO %s' % meta_model.__tablename__) as started:
        with db.session() as session:
            database.set_metadata(session, meta_model, fk_name, owner_id,
                                  {'k': 'first'}, replace=False)
            thread = threading.Thread(target=second)
            thread.start()
            assert started.wait(60)
    thread.join(60)
    assert not thread.is_alive()
    assert errors == []
    assert {m.key: m.value for m in get(owner_id).metadata_items} == {
        'other': 'x', 'k': 'second'}


def test_many_sets_of_the_same_keys_at_once(conf):
    volume_id = _volume()
    errors = []

    def writer(n):
        try:
            for i in range(5):
                db.volume_metadata_set(volume_id, {'a': '%d.%d' % (n, i),
                                                   'b': str(n)})
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    metadata = _metadata(volume_id)
    assert set(metadata) == {'a', 'b'}
    assert metadata['a'].split('.') == [metadata['b'], '4']


@pytest.mark.parametrize('error', FAILURES)
def test_a_failed_transition_is_run_again_and_done_once(conf, error):
    """The failure comes after the UPDATE ran: had the first attempt been
    kept, the second would find the volume no longer creating."""
    conf.config(db_retry_interval=0, group='database')
    volume_id = _volume(states.CREATING)
    with dbtools.failing_once('UPDATE volumes',
                              dbtools.raising(error)) as runs:
        volume = db.volume_transition(volume_id, states.AVAILABLE,
                                      expected=[states.CREATING])
    assert volume.status == states.AVAILABLE
    assert len(runs) == 2


@pytest.mark.parametrize('error', FAILURES)
def test_a_failed_create_makes_one_row(conf, error):
    conf.config(db_retry_interval=0, group='database')
    volume_id = _volume()
    with dbtools.failing_once('INSERT INTO snapshot_metadata',
                              dbtools.raising(error)) as runs:
        snapshot = db.snapshot_create(
            {'volume_id': volume_id, 'project_id': 'p1', 'volume_size': 1,
             'status': states.SNAPSHOT.initial}, {'k': 'v'})
    assert len(runs) == 2
    assert [s.id for s in db.snapshot_get_all_for_volume(volume_id)] == [
        snapshot.id]
    with db.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(
            models.SnapshotMetadata)) == 1


@pytest.mark.parametrize('error', FAILURES)
def test_a_failed_claim_is_run_again(conf, error):
    conf.config(db_retry_interval=0, group='database')
    volume_id = _volume()
    with dbtools.failing_once('UPDATE volumes',
                              dbtools.raising(error)) as runs:
        assert db.volume_claim(volume_id, states.AVAILABLE, None, 'me')
    assert len(runs) == 2
    assert db.volume_get(volume_id).owner == 'me'


def test_a_refused_transition_is_not_run_again(conf):
    volume_id = _volume()
    with dbtools.failing_once('UPDATE volumes', lambda _: None) as runs:
        with pytest.raises(exception.InvalidVolumeStatus):
            db.volume_transition(volume_id, states.AVAILABLE,
                                 expected=[states.CREATING])
    assert len(runs) == 1


def test_an_attach_meeting_a_snapshot_being_recorded_is_refused(
        conf, monkeypatch):
    """The snapshot's transaction has checked that the volume is
    available and has not committed yet when an attach comes: the attach
    waits for it, then sees the snapshot in flight and is refused. (Two
    checks each before the other's write would both have gone through.)"""
    volume_id = _volume()
    checking, go_on = threading.Event(), threading.Event()

    def checker(*args, **kwargs):
        def check(session):
            checking.set()
            assert go_on.wait(60)
        return check
    monkeypatch.setattr(db_quotas, 'checker', checker)
    outcome = {}

    def create():
        outcome['snapshot'] = db.snapshot_create(
            {'volume_id': volume_id, 'project_id': 'p1', 'volume_size': 1,
             'status': states.SNAPSHOT.initial},
            volume_status=[states.AVAILABLE])

    def attach():
        try:
            db.volume_attach(volume_id, 'inst-1', 'host-1', '/dev/vdb')
            outcome['attach'] = 'attached'
        except exception.InvalidVolume as exc:
            outcome['attach'] = exc
    creating = threading.Thread(target=create)
    creating.start()
    assert checking.wait(60)
    with dbtools.started_elsewhere('UPDATE volumes') as started:
        attaching = threading.Thread(target=attach)
        attaching.start()
        assert started.wait(60)
    go_on.set()
    for thread in (creating, attaching):
        thread.join(60)
    assert outcome['snapshot'].status == states.CREATING
    assert isinstance(outcome['attach'], exception.InvalidVolume), outcome
    assert db.volume_get(volume_id).status == states.AVAILABLE


def test_checks_made_in_the_transaction_of_the_change(conf):
    volume_id = _volume(states.IN_USE)
    snapshot = {'volume_id': volume_id, 'project_id': 'p1',
                'volume_size': 1, 'status': states.SNAPSHOT.initial}
    with pytest.raises(exception.InvalidVolumeStatus):
        db.snapshot_create(snapshot, volume_status=[states.AVAILABLE])
    db.snapshot_create(snapshot, volume_status=[states.AVAILABLE,
                                                states.IN_USE])
    db.volume_transition(volume_id, states.AVAILABLE, reset=True)
    with pytest.raises(exception.VolumeHasSnapshots):
        db.volume_transition(volume_id, states.DELETING, no_snapshots=True)
    assert db.volume_get(volume_id).status == states.AVAILABLE
