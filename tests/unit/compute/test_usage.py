"""What a project's instances use (GET /v2.1/limits), counted in a real
compute database through the manager's RPC method."""

from snapvol_api import context
from snapvol_api import states
from snapvol_compute import manager as compute_manager
from tests.unit.compute.conftest import add_instance

CTXT = context.RequestContext(project_id='p1', user_id='u1')


def _usage(db, project_id):
    # Only the database is used; the other collaborators are never called.
    manager = compute_manager.ComputeManager(
        host='node1', driver=None, volume_api=None, db=db, workers=None,
        thaw_watch=None, scheduler=None, compute_rpc=None)
    return manager.get_project_usage(CTXT, project_id)


def test_a_project_without_instances_uses_nothing(db):
    assert _usage(db, 'p1') == {'instances': 0, 'cores': 0, 'ram': 0}


def test_live_instances_of_the_project_count_in_any_status(db):
    add_instance(db, status=states.ACTIVE, vcpus=1, memory_mb=64)
    add_instance(db, status=states.INSTANCE_ERROR, vcpus=2, memory_mb=1024)
    add_instance(db, status=states.SHUTOFF, host='node2', vcpus=1,
                 memory_mb=256)
    add_instance(db, project_id='p2', vcpus=2, memory_mb=1024)
    gone = add_instance(db, vcpus=2, memory_mb=1024)
    db.instance_destroy(gone.id)
    assert _usage(db, 'p1') == {'instances': 3, 'cores': 4, 'ram': 1344}
    assert _usage(db, 'p2') == {'instances': 1, 'cores': 2, 'ram': 1024}
