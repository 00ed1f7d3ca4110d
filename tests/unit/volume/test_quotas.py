"""Quotas and capacity in the manager, on SQLite: limits hold under
concurrent creates, snapshots and extends count, and a share refuses
what it cannot hold."""

import os
import threading

import pytest

from snapvol_api import exception
from tests.unit.volume.helpers import ADMIN
from tests.unit.volume.helpers import ALICE
from tests.unit.volume.helpers import BOB
from tests.unit.volume.helpers import create_snapshot
from tests.unit.volume.helpers import create_volume
from tests.unit.volume.helpers import wait_status


def _set(manager, **limits):
    return manager.update_quotas(ADMIN, ALICE.project_id, limits)


def test_defaults_are_cinders_and_usage_counts_live_rows(manager):
    assert manager.get_quotas(ALICE, ALICE.project_id, False) == {
        'volumes': 10, 'snapshots': 10, 'gigabytes': 1000, 'groups': 10,
        'backups': 10, 'backup_gigabytes': 1000, 'per_volume_gigabytes': -1}
    volume = create_volume(manager, size=2)
    create_snapshot(manager, volume['id'])
    quota = manager.get_quotas(ALICE, ALICE.project_id, True)
    assert quota['volumes'] == {'limit': 10, 'in_use': 1, 'reserved': 0,
                                'allocated': 0}
    assert quota['snapshots']['in_use'] == 1
    assert quota['gigabytes']['in_use'] == 4     # the snapshot counts too
    assert quota['backups']['in_use'] == 0
    limits = manager.get_absolute_limits(ALICE, ALICE.project_id)
    assert limits == {
        'maxTotalVolumes': 10, 'maxTotalSnapshots': 10,
        'maxTotalVolumeGigabytes': 1000, 'maxTotalBackups': 10,
        'maxTotalBackupGigabytes': 1000, 'totalVolumesUsed': 1,
        'totalSnapshotsUsed': 1, 'totalGigabytesUsed': 4,
        'totalBackupsUsed': 0, 'totalBackupGigabytesUsed': 0}


def test_only_admins_change_quotas_and_projects_read_their_own(manager):
    with pytest.raises(exception.Forbidden):
        manager.update_quotas(ALICE, ALICE.project_id, {'volumes': 100})
    with pytest.raises(exception.Forbidden):
        manager.get_quotas(BOB, ALICE.project_id, False)
    with pytest.raises(exception.InvalidInput, match='bananas'):
        _set(manager, bananas=3)
    assert _set(manager, volumes=1)['volumes'] == 1
    create_volume(manager)
    with pytest.raises(exception.InvalidQuotaValue, match='volumes'):
        _set(manager, volumes=0)
    manager.delete_quotas(ADMIN, ALICE.project_id)
    assert manager.get_quotas(ALICE, ALICE.project_id, False)[
        'volumes'] == 10


def test_volume_count_and_size_limits(manager, share):
    _set(manager, volumes=1, gigabytes=3, per_volume_gigabytes=2)
    with pytest.raises(exception.VolumeSizeExceedsLimit):
        manager.create_volume(ALICE, 3, 'v', None, {}, None)
    volume = create_volume(manager, size=2)
    with pytest.raises(exception.VolumeLimitExceeded) as refused:
        manager.create_volume(ALICE, 1, 'v', None, {}, None)
    assert refused.value.code == 413
    # A snapshot counts its volume's size.
    with pytest.raises(exception.VolumeSizeExceedsAvailableQuota,
                       match='Requested 2G, quota is 3G and 2G'):
        manager.create_snapshot(ALICE, volume['id'], 's', None, {}, False)
    assert len(os.listdir(share)) == 2      # the base and its .info
    # Another project has its own quota.
    create_volume(manager, ctxt=BOB)
    # Deleting frees the quota.
    manager.delete_volume(ALICE, volume['id'])
    wait_status(lambda: manager.get_volume(ALICE, volume['id']), 'gone')
    create_volume(manager, size=2)


def test_an_extend_counts_its_new_size(manager):
    _set(manager, gigabytes=3)
    volume = create_volume(manager, size=1)
    with pytest.raises(exception.VolumeSizeExceedsAvailableQuota):
        manager.extend_volume(ALICE, volume['id'], 4)
    assert manager.get_volume(ALICE, volume['id'])['status'] == 'available'
    manager.extend_volume(ALICE, volume['id'], 3)
    wait_status(lambda: manager.get_volume(ALICE, volume['id']),
                'available')
    assert manager.get_volume(ALICE, volume['id'])['size'] == 3
    assert manager.get_quotas(ALICE, ALICE.project_id, True)[
        'gigabytes']['in_use'] == 3


def test_concurrent_creates_never_pass_the_limit(manager):
    _set(manager, volumes=5)
    results, start = [], threading.Barrier(12)

    def create():
        start.wait()
        try:
            results.append(manager.create_volume(ALICE, 1, 'v', None, {},
                                                 None)['id'])
        except exception.VolumeLimitExceeded:
            results.append(None)
    threads = [threading.Thread(target=create) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = [r for r in results if r]
    assert len(made) == 5 and len(results) == 12
    for volume_id in made:
        wait_status(lambda v=volume_id: manager.get_volume(ALICE, v),
                    'available')
    assert manager.get_quotas(ALICE, ALICE.project_id, True)[
        'volumes']['in_use'] == 5


def test_a_share_refuses_what_it_cannot_hold(manager, conf, share):
    volume = create_volume(manager)
    conf.config(reserved_percentage=100, group='volume')
    with pytest.raises(exception.InsufficientCapacity, match='reserve'):
        manager.create_volume(ALICE, 1, 'v', None, {}, None)
    with pytest.raises(exception.InsufficientCapacity):
        manager.extend_volume(ALICE, volume['id'], 2)
    conf.config(reserved_percentage=0, max_over_subscription_ratio=1.0,
                max_volume_size=10 ** 6, group='volume')
    total = os.statvfs(share).f_blocks * os.statvfs(share).f_frsize
    too_big = total // 1024 ** 3 + 1
    with pytest.raises(exception.InsufficientCapacity,
                       match='max_over_subscription_ratio'):
        manager.create_volume(ALICE, too_big, 'v', None, {}, None)
    assert [v['id'] for v in manager.list_volumes(
        ALICE, {}, None, None, [], 0)] == [volume['id']]
    assert manager.get_volume(ALICE, volume['id'])['size'] == 1
