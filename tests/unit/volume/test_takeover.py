"""Taking over the work of dead managers: work in flight is left to a
live owner, resumed once its owner is dead (by one manager only), and no
file is removed while anyone's work is in flight on the volume."""

import datetime
import os

import pytest
import sqlalchemy as sa

from snapvol_api import states
from snapvol_volume import service
from snapvol_volume.db import api as db
from snapvol_volume.db import common
from snapvol_volume.db import models
from tests.unit.volume.helpers import ALICE
from tests.unit.volume.helpers import ManualWorkers
from tests.unit.volume.helpers import create_volume
from tests.unit.volume.helpers import read_info
from tests.unit.volume.helpers import share_of

OTHER = 'other-host/run1'


class Runs:
    """The live runs as the services table would say: changed by the
    test."""

    def __init__(self, *live):
        self.live = set(live)

    def __call__(self):
        return set(self.live)


@pytest.fixture
def volume(manager):
    volume = create_volume(manager)
    manager.stop()
    return volume


def member(compute, locks, runs):
    """A manager of the cluster whose reconciles run only when told."""
    workers, recovery = ManualWorkers(), ManualWorkers()
    mgr = service.build_manager(compute=compute, compute_rpc=compute,
                                locks=locks, workers=workers,
                                recovery_workers=recovery, live_runs=runs)
    compute.manager = mgr
    compute.share = share_of(mgr)
    return mgr, recovery


def interrupted_create(volume_id, owner):
    return db.snapshot_create({'volume_id': volume_id, 'project_id': 'proj-a',
                               'volume_size': 1, 'status': states.CREATING,
                               'owner': owner}).id


def test_work_of_a_live_manager_is_taken_only_once_it_is_dead(
        conf, compute, locks, volume, share):
    snapshot_id = interrupted_create(volume['id'], OTHER)
    runs = Runs(OTHER)
    mgr, recovery = member(compute, locks, runs)
    mgr.init_host()
    # At start: the volume is looked at, its live owner's work is not.
    assert [(v, [w.id for w in work]) for v, work in
            ((c[1][0], c[1][1]) for c in recovery.calls)] == [
        (volume['id'], [])]
    recovery.run()
    mgr.recovery.takeover()
    assert recovery.calls == []
    assert db.snapshot_get(snapshot_id).owner == OTHER

    runs.live.clear()       # its heartbeat stopped
    mgr.recovery.takeover()
    [(_, (volume_id, work))] = recovery.calls
    assert (volume_id, [w.id for w in work]) == (volume['id'], [snapshot_id])
    recovery.run()
    snapshot = db.snapshot_get(snapshot_id)
    assert (snapshot.status, snapshot.owner) == (states.AVAILABLE,
                                                 mgr.snapshots.owner)
    assert read_info(share, volume['id'])[snapshot_id] == \
        'volume-%s.%s' % (volume['id'], snapshot_id)
    mgr.stop()


def test_two_members_resume_dead_work_once(conf, compute, locks, volume,
                                           share):
    """Both see the dead owner's create; the claim lets only one do it."""
    snapshot_id = interrupted_create(volume['id'], OTHER)
    first, first_recovery = member(compute, locks, Runs())
    second, second_recovery = member(compute, locks, Runs())
    for mgr in (first, second):
        mgr.init_host()
    first_recovery.run()
    assert db.snapshot_get(snapshot_id).owner == first.snapshots.owner
    second_recovery.run()
    assert db.snapshot_get(snapshot_id).owner == first.snapshots.owner
    assert first.get_snapshot(ALICE, snapshot_id)['status'] == 'available'
    for mgr in (first, second):
        mgr.stop()


def test_no_file_is_removed_while_work_is_in_flight(conf, compute, locks,
                                                    volume, share):
    """A live manager's create may have written its overlay and not yet
    its .info: the file is not an orphan until that work is settled."""
    snapshot_id = interrupted_create(volume['id'], OTHER)
    overlay = os.path.join(share, 'volume-%s.%s' % (volume['id'],
                                                    snapshot_id))
    with open(overlay, 'wb') as f:
        f.write(b'being made')
    runs = Runs(OTHER)
    mgr, recovery = member(compute, locks, runs)
    mgr.init_host()
    recovery.run()
    assert os.path.exists(overlay)

    db.snapshot_transition(snapshot_id, states.ERROR, reset=True)
    mgr.recovery.start()
    recovery.run()
    assert not os.path.exists(overlay)
    mgr.stop()


def _age_reports(seconds):
    with common.session() as session:
        for row in session.scalars(sa.select(models.ComputeReport)):
            row.created_at -= datetime.timedelta(seconds=seconds)


def test_reports_expected_by_dead_runs_are_forgotten(conf, compute, locks,
                                                      volume):
    """What a dead run's worker expected goes at the next takeover, once
    older than service_down_time; a live run's, and this manager's own,
    stay."""
    runs = Runs(OTHER)
    mgr, _ = member(compute, locks, runs)
    for key, owner in (('of-other', OTHER), ('of-dead', 'dead-host/run9'),
                       ('mine', mgr.recovery.owner)):
        db.report_expect(key, owner)
    mgr.recovery.takeover()
    assert db.report_get('of-dead') is not None     # too recent yet
    _age_reports(conf.conf.service_down_time + 1)
    mgr.recovery.takeover()
    assert [k for k in ('of-other', 'of-dead', 'mine')
            if db.report_get(k) is not None] == ['of-other', 'mine']
    runs.live.clear()
    mgr.recovery.takeover()
    assert [k for k in ('of-other', 'mine')
            if db.report_get(k) is not None] == ['mine']

