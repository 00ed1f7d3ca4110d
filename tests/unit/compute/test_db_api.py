"""The compute database's guarded status transitions, metadata upserts
and transactions run again after a deadlock or a lost connection.

tests/functional/test_db_postgresql.py runs these on PostgreSQL too.
"""

import threading

from oslo_db import exception as db_exc
import pytest

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.runtime import database
from snapvol_compute.db import models
from tests.unit import dbtools
from tests.unit.compute.conftest import add_instance


def test_transition_follows_the_table(db):
    instance = add_instance(db, status=states.ACTIVE)
    after = db.instance_transition(instance.id, states.SHUTOFF)
    assert after.status == states.SHUTOFF
    assert after.updated_at is not None
    with pytest.raises(exception.InstanceStatusConflict) as info:
        db.instance_transition(instance.id, states.REBOOT)
    assert info.value.kwargs['state'] == states.SHUTOFF
    assert info.value.code == 409
    assert db.instance_get(instance.id).status == states.SHUTOFF


def test_transition_from_the_expected_status_only(db):
    instance = add_instance(db, status=states.ACTIVE)
    with pytest.raises(exception.InstanceStatusConflict):
        db.instance_transition(instance.id, states.INSTANCE_ERROR,
                               expected=(states.REBOOT,),
                               values={'fault': 'late'})
    got = db.instance_get(instance.id)
    assert (got.status, got.fault) == (states.ACTIVE, None)
    got = db.instance_transition(instance.id, states.INSTANCE_ERROR,
                                 expected=(states.ACTIVE,),
                                 values={'fault': 'boom'})
    assert (got.status, got.fault) == (states.INSTANCE_ERROR, 'boom')


def test_deleted_is_final_and_drops_attachments(db):
    instance = db.instance_create(
        {'name': 'vm', 'host': 'node1', 'status': states.BUILD,
         'flavor_id': '1', 'vcpus': 1, 'memory_mb': 64}, {},
        [{'volume_id': 'v1', 'device': 'vda', 'boot_index': 0}])
    assert db.attachment_get_by_volume('v1').instance_id == instance.id
    db.instance_destroy(instance.id)
    with pytest.raises(exception.InstanceNotFound):
        db.instance_get(instance.id)
    with pytest.raises(exception.VolumeNotAttached):
        db.attachment_get_by_volume('v1')
    with pytest.raises(exception.InstanceNotFound):
        db.instance_transition(instance.id, states.ACTIVE)


def test_a_refused_delete_keeps_the_attachments(db):
    instance = db.instance_create(
        {'name': 'vm', 'host': 'node1', 'status': states.ACTIVE,
         'flavor_id': '1', 'vcpus': 1, 'memory_mb': 64}, {},
        [{'volume_id': 'v1', 'device': 'vda', 'boot_index': 0}])
    with pytest.raises(exception.InstanceStatusConflict):
        db.instance_destroy(instance.id, expected=(states.SHUTOFF,))
    assert db.attachment_get_by_volume('v1').instance_id == instance.id


def test_status_is_not_a_plain_update(db):
    instance = add_instance(db)
    with pytest.raises(ValueError):
        db.instance_update(instance.id, {'status': states.SHUTOFF})
    assert db.instance_update(instance.id, {'fault': 'x'}).fault == 'x'


def test_every_status_is_reachable_and_deleted_from_all():
    for status in states.INSTANCE.statuses:
        if status != states.BUILD:
            assert states.INSTANCE.sources(status), status
        if status != states.INSTANCE_DELETED:
            assert states.INSTANCE.allows(status, states.INSTANCE_DELETED)
        assert status in states.INSTANCE_NOVA_STATES


def test_two_metadata_sets_of_one_key_at_once_both_succeed(db):
    """The second waits for the first's open transaction, then changes
    the value it wrote (a select-then-insert would have failed on the
    duplicate key)."""
    instance = add_instance(db)
    errors = []

    def second():
        try:
            db.instance_metadata_set(instance.id, {'k': 'second'})
        except Exception as exc:
            errors.append(exc)

    with dbtools.started_elsewhere('INSERT INTO instance_metadata') as seen:
        with db._session() as session:
            database.set_metadata(session, models.InstanceMetadata,
                                  'instance_id', instance.id,
                                  {'k': 'first'}, replace=False)
            thread = threading.Thread(target=second)
            thread.start()
            assert seen.wait(60)
    thread.join(60)
    assert not thread.is_alive()
    assert errors == []
    assert {m.key: m.value for m in db.instance_get(
        instance.id).metadata_items} == {'k': 'second'}


@pytest.mark.parametrize('error', [db_exc.DBDeadlock,
                                   db_exc.DBConnectionError])
def test_a_failed_transaction_is_run_again_and_done_once(db, conf, error):
    conf.config(db_retry_interval=0, group='database')
    with dbtools.failing_once('INSERT INTO instances',
                              dbtools.raising(error)) as inserts:
        instance = add_instance(db, status=states.ACTIVE)
    assert len(inserts) == 2
    assert [i.id for i in db.instance_get_all()] == [instance.id]
    with dbtools.failing_once('UPDATE instances',
                              dbtools.raising(error)) as updates:
        after = db.instance_transition(instance.id, states.SHUTOFF,
                                       expected=(states.ACTIVE,))
    assert len(updates) == 2
    assert after.status == states.SHUTOFF
