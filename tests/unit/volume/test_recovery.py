"""Start-up that cannot race: recovery resumes only the work an earlier
run left, acts first on the volumes it holds, and never undoes what new
requests did meanwhile. Interleavings are chosen by running the workers
by hand (ManualWorkers)."""

import os
import subprocess
import uuid

import pytest

from snapvol_api import states
from snapvol_volume import info as info_store
from snapvol_volume import recovery as recovery_mod
from snapvol_volume import service
from snapvol_volume.db import api as db
from tests import imagedata
from tests.unit.volume.helpers import ADMIN
from tests.unit.volume.helpers import ALICE
from tests.unit.volume.helpers import ManualWorkers
from tests.unit.volume.helpers import create_snapshot
from tests.unit.volume.helpers import create_volume
from tests.unit.volume.helpers import read_info
from tests.unit.volume.helpers import share_of
from tests.unit.volume.helpers import start_manager
from tests.unit.volume.helpers import wait_status
from tests.unit.volume.helpers import wait_until


def overlay(volume_id, snapshot_id):
    return 'volume-%s.%s' % (volume_id, snapshot_id)


def backing(share, name):
    out = subprocess.run(['qemu-img', 'info', '-U', '-f', 'qcow2', name],
                         cwd=share, capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        if line.startswith('backing file:'):
            return line.split(':', 1)[1].strip()
    return None


@pytest.fixture
def volume(manager):
    """An available detached volume, made by a run that then stopped."""
    volume = create_volume(manager)
    manager.stop()
    return volume


def interrupted_create(volume_id, owner='earlier-run/0'):
    """A snapshot create an earlier run recorded and never did."""
    return db.snapshot_create({'volume_id': volume_id, 'project_id': 'proj-a',
                               'volume_size': 1, 'status': states.CREATING,
                               'owner': owner}).id


def manual_manager(compute, locks):
    """A manager whose workers and recovery run only when told."""
    workers, recovery = ManualWorkers(), ManualWorkers()
    mgr = service.build_manager(compute=compute, compute_rpc=compute,
                                locks=locks, workers=workers,
                                recovery_workers=recovery)
    compute.manager = mgr
    compute.share = share_of(mgr)
    return mgr, workers, recovery


def test_a_create_recorded_after_start_is_never_resumed(conf, compute, locks,
                                                        volume):
    old = interrupted_create(volume['id'])
    mgr, workers, recovery = manual_manager(compute, locks)
    mgr.init_host()
    new = mgr.create_snapshot(ALICE, volume['id'], None, None, {}, False)
    [(_, (volume_id, work))] = recovery.calls
    assert volume_id == volume['id']
    assert [w.id for w in work] == [old]
    # Planned again now, the new create is still not recovery's.
    assert [w.id for w in mgr.recovery.plan()[volume_id]] == [old]
    recovery.run()
    workers.run()
    assert mgr.get_snapshot(ALICE, old)['status'] == 'available'
    assert mgr.get_snapshot(ALICE, new['id'])['status'] == 'available'


def test_new_work_waits_for_recovery_of_its_volume(conf, compute, locks,
                                                   volume, share):
    """The new create's worker runs first, but waits at the volume's gate
    until recovery has resumed the old create: one chain, in order."""
    old = interrupted_create(volume['id'])
    mgr, workers, recovery = manual_manager(compute, locks)
    mgr.init_host()
    new = mgr.create_snapshot(ALICE, volume['id'], None, None, {}, False)
    thread = workers.start()
    thread.join(0.5)
    assert thread.is_alive(), 'the new create waits for recovery'
    assert read_info(share, volume['id']) == {
        'active': 'volume-%s' % volume['id']}
    recovery.run()
    thread.join(60)
    assert not thread.is_alive()
    names = [overlay(volume['id'], s) for s in (old, new['id'])]
    assert read_info(share, volume['id']) == {
        old: names[0], new['id']: names[1], 'active': names[1]}
    assert backing(share, names[1]) == names[0]
    assert backing(share, names[0]) == 'volume-%s' % volume['id']
    for snapshot_id in (old, new['id']):
        assert mgr.get_snapshot(ALICE, snapshot_id)['status'] == 'available'


def test_a_stale_resume_changes_nothing(conf, compute, locks, volume, share):
    """The failure this guards against: a reconcile that listed a snapshot
    creating, while a new request's worker made and activated it, and
    then newer overlays went on top. Resuming it again must neither move
    the active file back nor mark it error."""
    mgr = start_manager(compute, locks)
    try:
        first = mgr.create_snapshot(ALICE, volume['id'], None, None, {},
                                    False)
        second = mgr.create_snapshot(ALICE, volume['id'], None, None, {},
                                     False)
        for snap in (first, second):
            wait_status(lambda s=snap: mgr.get_snapshot(ALICE, s['id']),
                        'available')
        info = read_info(share, volume['id'])
        # The stale listing, as the old reconcile had it.
        item = recovery_mod.Work('snapshot', first['id'], states.CREATING,
                                 None)
        mgr.recovery.reconcile(volume['id'], [item])
        # And the worker's own step run again, as the old code did.
        mgr.snapshots.build(first['id'], mgr.snapshots.owner)
        assert read_info(share, volume['id']) == info
        for snap in (first, second):
            assert mgr.get_snapshot(ALICE, snap['id'])['status'] == \
                'available'
    finally:
        mgr.stop()


def test_activating_an_overlay_again_never_moves_the_active_file_back(
        conf, compute, locks, volume, share):
    mgr = start_manager(compute, locks)
    mgr.stop()
    chain = mgr.shares.chain(db.volume_get(volume['id']))
    chain.create_overlay('11111111-1111-1111-1111-111111111111', 1)
    chain.create_overlay('22222222-2222-2222-2222-222222222222', 1)
    chain.create_overlay('11111111-1111-1111-1111-111111111111', 1)
    assert chain.read_info()[info_store.ACTIVE] == overlay(
        volume['id'], '22222222-2222-2222-2222-222222222222')


def test_a_worker_leaves_work_that_is_no_longer_its_own(conf, compute, locks,
                                                        volume, share):
    """An administrator reset the snapshot before its worker ran: the
    worker re-reads it under the chain lock and does nothing."""
    mgr, workers, recovery = manual_manager(compute, locks)
    mgr.init_host()
    recovery.run()
    snap = mgr.create_snapshot(ALICE, volume['id'], None, None, {}, False)
    mgr.reset_snapshot_status(ADMIN, snap['id'], 'error')
    workers.run()
    assert mgr.get_snapshot(ALICE, snap['id'])['status'] == 'error'
    assert not os.path.exists(os.path.join(share, overlay(volume['id'],
                                                          snap['id'])))


def test_a_late_failure_does_not_overwrite_a_reset(conf, compute, locks,
                                                   manager, share):
    """The compute service fails the create after an administrator reset
    the snapshot: the worker's error is logged, not recorded."""
    conf.config(assisted_snapshot_create_timeout=1, group='volume')
    volume = create_volume(manager)
    manager.attach_volume(ADMIN, volume['id'], 'inst', 'h', '/dev/vdb')
    compute.outcome = 'error'
    compute.before_answer = lambda snapshot_id: manager.reset_snapshot_status(
        ADMIN, snapshot_id, 'available')
    snap = manager.create_snapshot(ALICE, volume['id'], None, None, {}, True)
    wait_status(lambda: {'status': 'done' if compute.answered else 'no'},
                'done')
    manager.stop()
    assert manager.get_snapshot(ALICE, snap['id'])['status'] == 'available'
    assert read_info(share, volume['id']) == {
        'active': 'volume-%s' % volume['id']}


def test_recovery_finishes_interrupted_work(conf, compute, tmp_path):
    """Simulates a crash at each point of a create and a delete, then
    starts a new manager: every snapshot ends in a final state, the info
    store matches the chain and no file is left over."""
    mgr = start_manager(compute)
    share = share_of(mgr)
    volume = create_volume(mgr)
    base = 'volume-%s' % volume['id']
    expected = imagedata.ImageModel(tmp_path / 'expected.raw', 1024 ** 3)
    expected.write_image(os.path.join(share, base), 'raw', 0x11, 0,
                         65536)
    s1 = create_snapshot(mgr, volume['id'])
    expected.write_image(os.path.join(share, '%s.%s' % (base, s1['id'])),
                         'qcow2',
                   0x22, 65536, 65536)
    at_s2 = expected.checkpoint('at_s2')
    s2 = create_snapshot(mgr, volume['id'])
    expected.write_image(os.path.join(share, '%s.%s' % (base, s2['id'])),
                         'qcow2',
                   0x33, 0, 4096)
    mgr.stop()

    # A delete of s1 that died after its commit, and a create that died
    # after its overlay file was written but before the info store.
    subprocess.run(['qemu-img', 'commit', '-q', '-f', 'qcow2', '-d',
                    os.path.join(share, '%s.%s' % (base, s1['id']))],
                   check=True)
    db.snapshot_transition(s1['id'], states.DELETING)
    s3 = db.snapshot_create({'volume_id': volume['id'],
                             'project_id': 'proj-a', 'volume_size': 1,
                             'status': states.CREATING})
    with open(os.path.join(share, '%s.%s' % (base, s3.id)), 'wb') as f:
        f.write(b'partial')
    stray = os.path.join(share, '%s.%s' % (base, uuid.uuid4()))
    with open(stray, 'wb') as f:
        f.write(b'orphan')

    mgr = start_manager(compute)
    try:
        wait_status(lambda: mgr.get_snapshot(ALICE, s1['id']), 'gone')
        wait_status(lambda: mgr.get_snapshot(ALICE, s3.id), 'available')
        wait_until(lambda: not os.path.exists(stray),
                   'recovery to remove the orphan %s' % stray)
    finally:
        mgr.stop()

    info = read_info(share, volume['id'])
    assert info == {s2['id']: '%s.%s' % (base, s2['id']),
                    s3.id: '%s.%s' % (base, s3.id),
                    'active': '%s.%s' % (base, s3.id)}
    assert sorted(os.listdir(share)) == sorted(
        [base, base + '.info'] + list(set(info.values())))
    assert db.volume_files(volume['id']) == {
        base: 'raw', info[s2['id']]: 'qcow2', info[s3.id]: 'qcow2'}
    at_s2.assert_matches(os.path.join(share, base), 'raw')
    expected.assert_matches(os.path.join(share, info['active']), 'qcow2')


@pytest.mark.parametrize('grown', [False, True])
def test_an_interrupted_extend_ends_at_the_size_of_its_file(
        conf, compute, manager, grown):
    """An extend an earlier run recorded: the file says whether it grew
    (the requested size is not recorded), and the volume is available at
    that size, never in error with good data."""
    volume = create_volume(manager)
    base = os.path.join(share_of(manager), 'volume-%s' % volume['id'])
    manager.stop()
    db.volume_transition(volume['id'], states.EXTENDING,
                         values={'owner': 'earlier-run/0'})
    if grown:
        subprocess.run(['qemu-img', 'resize', '-q', '-f', 'raw', base,
                        str(4 * 1024 ** 3)], check=True)
    mgr = start_manager(compute)
    try:
        wait_status(lambda: mgr.get_volume(ALICE, volume['id']), 'available')
        assert mgr.get_volume(ALICE, volume['id'])['size'] == (
            4 if grown else 1)
        assert os.path.getsize(base) == (4 if grown else 1) * 1024 ** 3
    finally:
        mgr.stop()
