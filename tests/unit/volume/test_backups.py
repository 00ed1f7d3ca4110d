"""Backups and exports on a local share with real qemu-img and the posix
backup driver: what is backed up is a point in time's guest data,
restores are byte for byte, deletes that would change what a read goes
through are refused (409), and a crash leaves nothing half-made."""

import hashlib
import json
import os
import stat
import uuid

import pytest

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_volume import service
from snapvol_volume.db import api as db
from snapvol_volume.db import common
from snapvol_volume.db import models
from tests import imagedata
from tests.imagedata import GiB
from tests.imagedata import KiB
from tests.imagedata import MiB
from tests.unit.volume.helpers import ADMIN
from tests.unit.volume.helpers import ALICE
from tests.unit.volume.helpers import BOB
from tests.unit.volume.helpers import ManualWorkers
from tests.unit.volume.helpers import create_snapshot
from tests.unit.volume.helpers import create_volume
from tests.unit.volume.helpers import delete_snapshot
from tests.unit.volume.helpers import read_info
from tests.unit.volume.helpers import share_of
from tests.unit.volume.helpers import wait_status


def _file(share, volume_id, name=None):
    return os.path.join(share, name or read_info(share, volume_id)['active'])


def _fmt(name):
    return 'qcow2' if '.' in name.split('volume-', 1)[1] else 'raw'


class Data:
    """A volume with data at snapshots s1 and s2, and more after s2; the
    model of each point in time."""

    def __init__(self, manager, share, tmp_path):
        self.manager, self.share = manager, share
        self.volume = create_volume(manager)['id']
        self.model = imagedata.ImageModel(tmp_path / 'model.raw', GiB)
        self.write(0x11, 0, 64 * KiB)
        self.write(0x12, 700 * MiB, 96 * KiB)
        self.s1 = create_snapshot(manager, self.volume)['id']
        self.at_s1 = self.model.checkpoint('s1')
        self.write(0x21, 32 * KiB, 64 * KiB)
        self.s2 = create_snapshot(manager, self.volume)['id']
        self.at_s2 = self.model.checkpoint('s2')
        self.write(0x31, 0, 4 * KiB)

    def write(self, pattern, offset, length):
        name = read_info(self.share, self.volume)['active']
        self.model.write_image(os.path.join(self.share, name), _fmt(name),
                               pattern, offset, length)

    def assert_volume_holds(self, volume_id, model):
        name = read_info(self.share, volume_id)['active']
        model.assert_matches(os.path.join(self.share, name), _fmt(name))


@pytest.fixture
def data(manager, share, tmp_path):
    return Data(manager, share, tmp_path)


def wait_backup(manager, backup_id, status='available', ctxt=ALICE):
    wait_status(lambda: manager.get_backup(ctxt, backup_id), status)
    return manager.get_backup(ctxt, backup_id)


def backup_of(manager, volume_id, snapshot_id=None, ctxt=ALICE, **kwargs):
    backup = manager.create_backup(
        ctxt, volume_id, kwargs.pop('name', 'b'), None, snapshot_id,
        kwargs.pop('incremental', False), kwargs.pop('force', False),
        kwargs.pop('container', None), kwargs.pop('metadata', {}),
        kwargs.pop('availability_zone', None))
    assert backup['status'] == 'creating'
    return backup


def objects_of(backup):
    """{name: entry} of the backup's metadata objects, and the files in
    its container."""
    container = os.path.join(CONF.backup.posix_path, backup['container'])
    prefix = [n for n in os.listdir(container)
              if n.endswith('_metadata')][0][:-len('_metadata')]
    with open(os.path.join(container, prefix + '_metadata')) as f:
        metadata = json.load(f)
    return metadata, prefix, container


def test_a_snapshot_backup_restores_its_point_in_time(manager, data):
    backup = backup_of(manager, data.volume, data.s1)
    wait_backup(manager, backup['id'])
    shown = manager.get_backup(ALICE, backup['id'])
    assert (shown['snapshot_id'], shown['size'], shown['is_incremental'],
            shown['has_dependent_backups']) == (data.s1, 1, False, False)
    # A full backup of 1 GiB in backup_file_size objects.
    assert shown['object_count'] == GiB // CONF.backup.backup_file_size
    assert manager.get_snapshot(ALICE, data.s1)['status'] == 'available'
    assert shown['data_timestamp'] == manager.get_snapshot(
        ALICE, data.s1)['created_at']

    restore = manager.restore_backup(ALICE, backup['id'], None, 'back')
    assert restore['backup_id'] == backup['id']
    assert restore['volume_name'] == 'back'
    wait_status(lambda: manager.get_volume(ALICE, restore['volume_id']),
                'available')
    wait_backup(manager, backup['id'])
    data.assert_volume_holds(restore['volume_id'], data.at_s1)


def test_the_objects_are_cinders_chunked_format(manager, data):
    backup = backup_of(manager, data.volume, data.s2,
                       container='mine/backups')
    backup = wait_backup(manager, backup['id'])
    assert backup['container'] == 'mine/backups'
    metadata, prefix, container = objects_of(backup)
    assert prefix.startswith('volume_%s_' % data.volume)
    assert prefix.endswith('_backup_%s' % backup['id'])
    size = CONF.backup.backup_file_size
    assert [list(o) for o in metadata['objects']] == [
        ['%s-%05d' % (prefix, i + 1)] for i in range(GiB // size)]
    assert [o[n]['offset'] for o in metadata['objects'] for n in o] == list(
        range(0, GiB, size))
    assert {o[n]['compression'] for o in metadata['objects']
            for n in o} == {'zlib'}
    assert (metadata['version'], metadata['backup_id'],
            metadata['volume_id'], metadata['parent_id']) == (
        '1.0.0', backup['id'], data.volume, None)
    with open(os.path.join(container, prefix + '_sha256file')) as f:
        sha256file = json.load(f)
    assert sha256file['chunk_size'] == 32768
    assert len(sha256file['sha256s']) == GiB // 32768
    # Guest data, not the qcow2 container: the blocks' hashes are those
    # of the snapshot's point in time.
    with open(data.at_s2.path, 'rb') as f:
        first = f.read(32768)
    assert sha256file['sha256s'][0] == hashlib.sha256(first).hexdigest()
    # Files 0600 in directories 0700, up to posix_path.
    for path in [container, os.path.dirname(container),
                 CONF.backup.posix_path]:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o700, path
    for name in os.listdir(container):
        assert stat.S_IMODE(os.stat(os.path.join(
            container, name)).st_mode) == 0o600, name


def test_an_incremental_backup_writes_only_the_blocks_that_changed(
        manager, data, share):
    full = backup_of(manager, data.volume, data.s1)
    wait_backup(manager, full['id'])
    # Of s2, the data written after s1: 64 KiB at 32 KiB, two 32 KiB
    # blocks, in one object.
    incremental = backup_of(manager, data.volume, data.s2, incremental=True)
    incremental = wait_backup(manager, incremental['id'])
    assert incremental['is_incremental']
    assert manager.get_backup(ALICE, full['id'])['has_dependent_backups']
    metadata, _prefix, _container = objects_of(incremental)
    assert metadata['parent_id'] == full['id']
    ((name, entry),) = [item for o in metadata['objects']
                        for item in o.items()]
    assert (entry['offset'], entry['length']) == (32 * KiB, 64 * KiB)
    assert incremental['object_count'] == 1

    # Restored into an existing volume (whose own data is overwritten):
    # the full backup, then the incremental one.
    target = create_volume(manager, name='target')['id']
    imagedata.write_pattern(_file(share, target), 'raw', 0x77, 0, 1 * MiB)
    manager.restore_backup(ALICE, incremental['id'], target, None)
    assert manager.get_volume(ALICE, target)['status'] == 'restoring-backup'
    wait_status(lambda: manager.get_volume(ALICE, target), 'available')
    wait_backup(manager, incremental['id'])
    data.assert_volume_holds(target, data.at_s2)

    # A backup others build on is not deleted.
    with pytest.raises(exception.InvalidBackup, match='Incremental'):
        manager.delete_backup(ALICE, full['id'], False)
    manager.delete_backup(ALICE, incremental['id'], False)
    wait_status(lambda: manager.get_backup(ALICE, incremental['id']),
                'gone')
    manager.delete_backup(ALICE, full['id'], False)
    wait_status(lambda: manager.get_backup(ALICE, full['id']), 'gone')
    # Their objects and containers are gone; the root stays.
    assert os.listdir(CONF.backup.posix_path) in ([], ['.scratch'])


def test_a_restore_into_a_volume_with_snapshots_keeps_theirs(
        manager, data, share, tmp_path):
    backup = backup_of(manager, data.volume)
    wait_backup(manager, backup['id'])
    at_backup = data.model.checkpoint('backup')
    target = create_volume(manager, name='target')['id']
    imagedata.write_pattern(_file(share, target), 'raw', 0x55, 0, 2 * MiB)
    target_model = imagedata.ImageModel(tmp_path / 't.raw', GiB)
    target_model.write(0x55, 0, 2 * MiB)
    snap = create_snapshot(manager, target)['id']
    manager.restore_backup(ALICE, backup['id'], target, None)
    wait_status(lambda: manager.get_volume(ALICE, target), 'available')
    data.assert_volume_holds(target, at_backup)
    # The snapshot's point in time did not move.
    info = read_info(share, target)
    below = imagedata.image_chain(os.path.join(share, info[snap]), 'qcow2')[
        0]['backing-filename']
    target_model.assert_matches(os.path.join(share, below), _fmt(below))


def test_reads_refuse_the_deletes_that_would_change_what_they_read(
        conf, compute, locks, tmp_path):
    workers = ManualWorkers()
    mgr = service.build_manager(compute=compute, compute_rpc=compute,
                                locks=locks, workers=workers)
    mgr.init_host()
    share = share_of(mgr)
    volume = mgr.create_volume(ALICE, 1, 'v', None, {}, None)['id']
    workers.run()
    snaps = []
    for _ in range(3):
        snaps.append(mgr.create_snapshot(ALICE, volume, 's', None, {},
                                         False)['id'])
        workers.run()
    s0, s1, s2 = snaps
    backup = backup_of(mgr, volume, s1)
    assert mgr.get_snapshot(ALICE, s1)['status'] == 'backing-up'
    for older_or_itself in (s0, s1):
        with pytest.raises(exception.BeingRead) as refused:
            mgr.delete_snapshot(ALICE, older_or_itself)
        assert refused.value.code == 409
        assert 'backup %s' % backup['id'] in str(refused.value)
    assert mgr.get_snapshot(ALICE, s0)['status'] == 'available'
    # A newer one's merge changes only files above: it goes on.
    mgr.delete_snapshot(ALICE, s2)
    assert mgr.get_snapshot(ALICE, s2)['status'] == 'deleting'
    # A backup of the volume itself is not begun while a merge runs.
    with pytest.raises(exception.InvalidSnapshot, match='being deleted'):
        backup_of(mgr, volume)
    workers.run()                       # the merge of s2
    workers.run()                       # the backup of s1
    wait_backup(mgr, backup['id'])
    assert mgr.get_snapshot(ALICE, s1)['status'] == 'available'

    # A read of the volume's own data refuses every snapshot delete.
    whole = backup_of(mgr, volume)
    assert mgr.get_volume(ALICE, volume)['status'] == 'backing-up'
    with pytest.raises(exception.BeingRead, match='current data'):
        mgr.delete_snapshot(ALICE, s1)
    # ... and what needs the volume available.
    with pytest.raises(exception.InvalidVolume):
        mgr.create_snapshot(ALICE, volume, 's', None, {}, False)
    with pytest.raises(exception.InvalidVolume):
        mgr.delete_volume(ALICE, volume, cascade=True)
    workers.run()
    wait_backup(mgr, whole['id'])
    assert mgr.get_volume(ALICE, volume)['status'] == 'available'
    mgr.delete_snapshot(ALICE, s1)
    workers.run()
    assert [s['id'] for s in mgr.list_snapshots(
        ALICE, {}, None, None, [], None)] == [s0]
    assert os.path.isdir(share)
    mgr.stop()


def test_what_a_backup_is_refused(manager, data):
    other = create_volume(manager)['id']
    with pytest.raises(exception.InvalidVolume, match='does not match'):
        backup_of(manager, other, data.s1)
    with pytest.raises(exception.VolumeNotFound):
        backup_of(manager, data.volume, data.s1, ctxt=BOB)
    with pytest.raises(exception.InvalidBackup, match='No backups'):
        backup_of(manager, data.volume, incremental=True)
    with pytest.raises(exception.InvalidInput, match='container'):
        backup_of(manager, data.volume, container='../../etc')
    with pytest.raises(exception.InvalidAvailabilityZone):
        backup_of(manager, data.volume, availability_zone='elsewhere')
    manager.attach_volume(ADMIN, other, 'instance-1', 'compute-1',
                          '/dev/vdb')
    with pytest.raises(exception.InvalidVolume, match='force flag'):
        backup_of(manager, other)
    with pytest.raises(exception.InvalidVolume, match='snapshot_id'):
        backup_of(manager, other, force=True)
    assert manager.list_backups(ALICE, {}, None, None, [], None) == []


def test_backups_are_their_projects_and_counted_by_its_quota(manager, data):
    manager.update_quotas(ADMIN, ALICE.project_id, {'backups': 1})
    backup = backup_of(manager, data.volume, data.s1)
    with pytest.raises(exception.BackupLimitExceeded):
        backup_of(manager, data.volume, data.s2)
    assert manager.get_snapshot(ALICE, data.s2)['status'] == 'available'
    assert manager.get_quotas(ALICE, ALICE.project_id, True)['backups'][
        'in_use'] == 1
    manager.update_quotas(ADMIN, ALICE.project_id, {'backups': 5,
                                                    'backup_gigabytes': 1})
    with pytest.raises(exception.VolumeBackupSizeExceedsAvailableQuota):
        backup_of(manager, data.volume, data.s2)
    wait_backup(manager, backup['id'])

    with pytest.raises(exception.BackupNotFound):
        manager.get_backup(BOB, backup['id'])
    assert manager.list_backups(BOB, {}, None, None, [], None) == []
    for call in (lambda: manager.delete_backup(BOB, backup['id'], False),
                 lambda: manager.restore_backup(BOB, backup['id'], None,
                                                None),
                 lambda: manager.update_backup(BOB, backup['id'],
                                               {'name': 'x'})):
        with pytest.raises(exception.BackupNotFound):
            call()
    bobs = create_volume(manager, ctxt=BOB)['id']
    with pytest.raises(exception.VolumeNotFound):
        manager.restore_backup(ALICE, backup['id'], bobs, None)
    assert [b['id'] for b in manager.list_backups(
        ADMIN, {'all_tenants': True}, None, None, [], None)] == [
        backup['id']]
    with pytest.raises(exception.Forbidden):
        manager.reset_backup_status(ALICE, backup['id'], 'error')
    assert manager.reset_backup_status(ADMIN, backup['id'], 'error')[
        'status'] == 'error'
    with pytest.raises(exception.InvalidBackup, match='must be available'):
        manager.restore_backup(ALICE, backup['id'], None, None)


def test_a_force_delete_stops_a_backup_being_made(conf, compute, locks):
    workers = ManualWorkers()
    mgr = service.build_manager(compute=compute, compute_rpc=compute,
                                locks=locks, workers=workers)
    mgr.init_host()
    volume = mgr.create_volume(ALICE, 1, 'v', None, {}, None)['id']
    workers.run()
    backup = backup_of(mgr, volume)
    with pytest.raises(exception.InvalidBackup, match='available or error'):
        mgr.delete_backup(ALICE, backup['id'], False)
    with pytest.raises(exception.Forbidden):
        mgr.delete_backup(ALICE, backup['id'], True)
    mgr.delete_backup(ADMIN, backup['id'], True)
    workers.run()                       # the build: it stops at once
    assert mgr.get_volume(ALICE, volume)['status'] == 'available'
    workers.run()                       # the delete
    with pytest.raises(exception.BackupNotFound):
        mgr.get_backup(ALICE, backup['id'])
    assert not os.path.exists(os.path.join(CONF.backup.posix_path,
                                           backup['container']))
    mgr.stop()


def test_a_backup_a_crash_interrupted_ends_in_error_without_objects(
        conf, compute, locks):
    workers = ManualWorkers()
    dead = service.build_manager(compute=compute, compute_rpc=compute,
                                 locks=locks, workers=workers)
    dead.init_host()
    volume = dead.create_volume(ALICE, 1, 'v', None, {}, None)['id']
    workers.run()
    snapshot = dead.create_snapshot(ALICE, volume, 's', None, {},
                                    False)['id']
    workers.run()
    backup = backup_of(dead, volume, snapshot)
    # Objects it had written when it died.
    container = os.path.join(CONF.backup.posix_path, backup['container'])
    os.makedirs(container)
    prefix = db.backup_get(backup['id']).service_metadata
    with open(os.path.join(container, prefix + '-00001'), 'wb') as f:
        f.write(b'partial')
    restarted = service.build_manager(compute=compute, compute_rpc=compute,
                                      locks=locks)
    restarted.init_host()
    wait_backup(restarted, backup['id'], 'error')
    shown = restarted.get_backup(ALICE, backup['id'])
    assert 'stopped' in shown['fail_reason']
    assert restarted.get_snapshot(ALICE, snapshot)['status'] == 'available'
    assert not os.path.exists(container)
    # The dead run's worker, were it to go on, finds it is not its work.
    workers.run()
    assert restarted.get_backup(ALICE, backup['id'])['status'] == 'error'
    restarted.delete_backup(ALICE, backup['id'], False)
    wait_status(lambda: restarted.get_backup(ALICE, backup['id']), 'gone')
    restarted.stop()


def test_exports_are_standalone_images_of_the_data(manager, data, share):
    root = CONF.export.path
    manager.upload_volume_image(ALICE, data.volume, 'now.qcow2', 'qcow2',
                                'bare', False)
    answer = manager.upload_snapshot_image(ALICE, data.s1, 'at-s1.raw',
                                           'raw', 'bare')
    assert answer['status'] == 'backing-up'
    wait_status(lambda: manager.get_snapshot(ALICE, data.s1), 'available')
    wait_status(lambda: manager.get_volume(ALICE, data.volume), 'available')
    project_dir = os.path.join(root, ALICE.project_id)
    assert sorted(os.listdir(project_dir)) == ['at-s1.raw', 'now.qcow2']
    assert stat.S_IMODE(os.stat(project_dir).st_mode) == 0o700
    for name, fmt, model in (('now.qcow2', 'qcow2', data.model),
                             ('at-s1.raw', 'raw', data.at_s1)):
        path = os.path.join(project_dir, name)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        (image,) = imagedata.image_chain(path, fmt)
        assert 'backing-filename' not in image
        model.assert_matches(path, fmt)

    for bad, error in (('../escape', exception.InvalidInput),
                       ('/etc/passwd', exception.InvalidInput),
                       ('.hidden', exception.InvalidInput),
                       ('now.qcow2', exception.ExportExists)):
        with pytest.raises(error):
            manager.upload_volume_image(ALICE, data.volume, bad, 'raw',
                                        'bare', False)
    with pytest.raises(exception.InvalidInput, match='disk_format'):
        manager.upload_volume_image(ALICE, data.volume, 'x', 'vmdk', 'bare',
                                    False)
    with pytest.raises(exception.InvalidInput, match='container_format'):
        manager.upload_volume_image(ALICE, data.volume, 'x', 'raw', 'ova',
                                    False)
    with pytest.raises(exception.VolumeNotFound):
        manager.upload_volume_image(BOB, data.volume, 'x', 'raw', 'bare',
                                    False)
    assert manager.get_volume(ALICE, data.volume)['status'] == 'available'
    delete_snapshot(manager, data.s2)
    assert not [n for n in os.listdir(project_dir) if n.startswith('.')]
    assert states.UPLOADING == 'uploading'


def _backup_in(status):
    """A backup row in ``status``, reached through declared transitions
    from its initial one."""
    path, todo = {states.BACKUP.initial: []}, [states.BACKUP.initial]
    while todo:
        current = todo.pop(0)
        for target in states.BACKUP.transitions[current]:
            if target not in path:
                path[target] = path[current] + [target]
                todo.append(target)
    backup_id = str(uuid.uuid4())
    common.transaction(lambda session: common.add(
        session, states.BACKUP, models.Backup, {
            'id': backup_id, 'project_id': 'p', 'volume_id': 'v',
            'status': states.BACKUP.initial, 'size': 1}))
    for step in path[status]:
        db.backup_transition(backup_id, step)
    return backup_id


@pytest.mark.parametrize('current', [
    s for s in states.BACKUP.statuses if s not in states.BACKUP.terminal])
def test_the_db_allows_exactly_the_declared_backup_transitions(conf,
                                                               current):
    for target in states.BACKUP.statuses:
        backup_id = _backup_in(current)
        if states.BACKUP.allows(current, target):
            db.backup_transition(backup_id, target)
            if target in states.BACKUP.terminal:
                with pytest.raises(exception.BackupNotFound):
                    db.backup_get(backup_id)
            else:
                assert db.backup_get(backup_id).status == target
        else:
            with pytest.raises(exception.InvalidBackupStatus):
                db.backup_transition(backup_id, target)
            assert db.backup_get(backup_id).status == current
    # An administrator's reset: to available or error only.
    backup_id = _backup_in(current)
    with pytest.raises(exception.InvalidInput):
        db.backup_transition(backup_id, states.RESTORING, reset=True)
    assert db.backup_transition(backup_id, states.ERROR,
                                reset=True).status == states.ERROR


def test_exports_and_restores_a_crash_interrupted_are_ended(
        conf, compute, locks):
    workers = ManualWorkers()
    dead = service.build_manager(compute=compute, compute_rpc=compute,
                                 locks=locks, workers=workers)
    dead.init_host()
    volume = dead.create_volume(ALICE, 1, 'v', None, {}, None)['id']
    target = dead.create_volume(ALICE, 1, 't', None, {}, None)['id']
    workers.run()
    workers.run()
    snapshot = dead.create_snapshot(ALICE, volume, 's', None, {},
                                    False)['id']
    workers.run()
    backup = backup_of(dead, volume, snapshot)
    workers.run()
    wait_backup(dead, backup['id'])
    dead.upload_snapshot_image(ALICE, snapshot, 'img', 'raw', 'bare')
    partial = os.path.join(CONF.export.path, ALICE.project_id,
                           '.partial-%s' % snapshot)
    os.makedirs(os.path.dirname(partial))
    with open(partial, 'wb') as f:
        f.write(b'half an image')
    dead.restore_backup(ALICE, backup['id'], target, None)
    assert dead.get_volume(ALICE, target)['status'] == 'restoring-backup'

    restarted = service.build_manager(compute=compute, compute_rpc=compute,
                                      locks=locks)
    restarted.init_host()
    assert restarted.get_snapshot(ALICE, snapshot)['status'] == 'available'
    assert not os.path.exists(partial)
    assert restarted.get_volume(ALICE, target)['status'] == 'error_restoring'
    assert restarted.get_backup(ALICE, backup['id'])['status'] == 'available'
    # The volume a restore left half written is the user's to delete.
    restarted.delete_volume(ALICE, target)
    wait_status(lambda: restarted.get_volume(ALICE, target), 'gone')
    restarted.stop()
