"""Cinder's administrator and client actions on the manager: cascade and
forced deletes, os-reset_status with attach_status, bootable, upstream
Nova's os-update_snapshot_status, and the user messages failures leave."""

import datetime
import os

import pytest

from snapvol_api import exception
from snapvol_volume import messages
from snapvol_volume import outcome
from snapvol_volume import qemu_img
from snapvol_volume.db import models
from tests.unit.volume.helpers import ADMIN
from tests.unit.volume.helpers import ALICE
from tests.unit.volume.helpers import BOB
from tests.unit.volume.helpers import create_snapshot
from tests.unit.volume.helpers import create_volume
from tests.unit.volume.helpers import read_info
from tests.unit.volume.helpers import wait_status
from tests.unit.volume.helpers import wait_until


def _gone(manager, volume_id):
    wait_status(lambda: manager.get_volume(ALICE, volume_id), 'gone')


def test_cascade_delete_takes_the_snapshots_without_merging(manager, share):
    volume = create_volume(manager)
    snapshots = [create_snapshot(manager, volume['id']) for _ in range(2)]
    manager.delete_volume(ALICE, volume['id'], cascade=True)
    _gone(manager, volume['id'])
    for snapshot in snapshots:
        with pytest.raises(exception.SnapshotNotFound):
            manager.get_snapshot(ALICE, snapshot['id'])
    assert os.listdir(share) == []


def test_cascade_waits_for_snapshots_in_flight(manager, share):
    volume = create_volume(manager)
    snapshot = create_snapshot(manager, volume['id'])
    manager.reset_snapshot_status(ADMIN, snapshot['id'], 'creating')
    before = sorted(os.listdir(share))
    with pytest.raises(exception.InvalidVolume, match='neither available'):
        manager.delete_volume(ALICE, volume['id'], cascade=True)
    assert manager.get_volume(ALICE, volume['id'])['status'] == 'available'
    assert manager.get_snapshot(ALICE, snapshot['id'])['status'] == \
        'creating'
    assert sorted(os.listdir(share)) == before
    # An administrator forces it.
    manager.delete_volume(ADMIN, volume['id'], cascade=True, force=True)
    _gone(manager, volume['id'])
    assert os.listdir(share) == []


def test_force_delete_is_for_administrators_and_any_status(manager, share):
    volume = create_volume(manager)
    manager.reset_volume_status(ADMIN, volume['id'], 'maintenance')
    with pytest.raises(exception.InvalidVolumeStatus):
        manager.delete_volume(ALICE, volume['id'])
    with pytest.raises(exception.Forbidden):
        manager.delete_volume(ALICE, volume['id'], force=True)
    assert manager.get_volume(ALICE, volume['id'])['status'] == \
        'maintenance'
    manager.delete_volume(ADMIN, volume['id'], force=True)
    _gone(manager, volume['id'])
    assert os.listdir(share) == []


def test_force_delete_keeps_snapshots_and_attachments(manager, share):
    volume = create_volume(manager)
    create_snapshot(manager, volume['id'])
    with pytest.raises(exception.VolumeHasSnapshots):
        manager.delete_volume(ADMIN, volume['id'], force=True)
    other = create_volume(manager)
    manager.attach_volume(ADMIN, other['id'], 'inst', 'h', '/dev/vdb')
    with pytest.raises(exception.InvalidVolume, match='attached'):
        manager.delete_volume(ADMIN, other['id'], force=True)
    assert manager.get_volume(ALICE, other['id'])['status'] == 'in-use'


def test_reset_attach_status_forgets_a_lost_instances_attachment(manager):
    volume = create_volume(manager)
    with pytest.raises(exception.InvalidInput, match='no attachment'):
        manager.reset_volume_status(ADMIN, volume['id'], None,
                                    attach_status='attached')
    manager.attach_volume(ADMIN, volume['id'], 'gone-instance', 'h',
                          '/dev/vdb')
    with pytest.raises(exception.Forbidden):
        manager.reset_volume_status(ALICE, volume['id'], None,
                                    attach_status='detached')
    shown = manager.reset_volume_status(ADMIN, volume['id'], None,
                                        attach_status='detached')
    assert shown['attachments'] == []
    assert shown['status'] == 'in-use'
    shown = manager.reset_volume_status(ADMIN, volume['id'], 'available')
    manager.delete_volume(ALICE, volume['id'])
    _gone(manager, volume['id'])


def test_force_deleting_a_snapshot_in_any_status_merges_it(manager, share):
    volume = create_volume(manager)
    snapshot = create_snapshot(manager, volume['id'])
    manager.reset_snapshot_status(ADMIN, snapshot['id'], 'backing-up')
    # As if a backup read it (reads.refuse_delete).
    with pytest.raises(exception.BeingRead):
        manager.delete_snapshot(ALICE, snapshot['id'])
    with pytest.raises(exception.Forbidden):
        manager.delete_snapshot(ALICE, snapshot['id'], force=True)
    manager.delete_snapshot(ADMIN, snapshot['id'], force=True)
    wait_status(lambda: manager.get_snapshot(ALICE, snapshot['id']), 'gone')
    assert read_info(share, volume['id']) == {
        'active': 'volume-%s' % volume['id']}


def test_bootable_is_set_and_passed_to_volumes_made_from_snapshots(manager):
    volume = create_volume(manager)
    assert volume['bootable'] is False
    assert manager.set_volume_bootable(ALICE, volume['id'], True)[
        'bootable'] is True
    with pytest.raises(exception.VolumeNotFound):
        manager.set_volume_bootable(BOB, volume['id'], False)
    snapshot = create_snapshot(manager, volume['id'])
    clone = create_volume(manager, snapshot_id=snapshot['id'])
    assert clone['bootable'] is True


# os-update_snapshot_status --------------------------------------------------

def test_reports_follow_cinders_rules(manager):
    volume = create_volume(manager)
    snapshot = create_snapshot(manager, volume['id'])
    with pytest.raises(exception.InvalidInput, match='not allowed'):
        manager.report_snapshot_status(ALICE, snapshot['id'], 'creating',
                                       '90%')
    with pytest.raises(exception.SnapshotNotFound):
        manager.report_snapshot_status(BOB, snapshot['id'], 'creating',
                                       '90%')
    manager.reset_snapshot_status(ADMIN, snapshot['id'], 'deleting')
    with pytest.raises(exception.InvalidInput):
        manager.report_snapshot_status(ALICE, snapshot['id'], 'available',
                                       None)
    shown = manager.report_snapshot_status(ALICE, snapshot['id'],
                                           'deleting', '40%')
    assert (shown['status'], shown['progress']) == ('deleting', '40%')


def test_a_real_novas_completion_reaches_the_waiting_worker(manager):
    volume = create_volume(manager)
    snapshot = create_snapshot(manager, volume['id'])
    manager.reset_snapshot_status(ADMIN, snapshot['id'], 'creating')
    reports = manager.assisted.reports
    reports.expect(snapshot['id'])
    manager.report_snapshot_status(ALICE, snapshot['id'], 'creating', '50%')
    assert reports.wait(snapshot['id'], 0.1) is None
    reports.expect(snapshot['id'])
    manager.report_snapshot_status(ALICE, snapshot['id'], 'creating', '90%')
    report = reports.wait(snapshot['id'], 1)
    assert report['status'] == 'creating_compute_complete'
    assert report['file_format'] == {
        'volume-%s.%s' % (volume['id'], snapshot['id']): 'qcow2'}
    reports.expect(snapshot['id'])
    manager.report_snapshot_status(ALICE, snapshot['id'], 'error', None)
    assert reports.wait(snapshot['id'], 1)['status'] == 'error'


# User messages ---------------------------------------------------------------

@pytest.fixture
def full_share(monkeypatch):
    def resize(path, fmt, size):
        raise exception.ImageCommandFailed(
            command='qemu-img resize %s' % path,
            reason='Could not resize file: No space left on device')
    monkeypatch.setattr(qemu_img, 'resize', resize)


def _message_of(manager, volume_id):
    """The message of a failed extend, which follows its status."""
    wait_status(lambda: manager.get_volume(ALICE, volume_id),
                'error_extending')
    wait_until(lambda: manager.list_messages(ALICE, {}, None, None, [], 0),
               'the message of the failure')
    (message,) = manager.list_messages(ALICE, {}, None, None, [], 0)
    return message


def test_a_failed_extend_leaves_a_message_for_its_project(manager, share,
                                                          full_share):
    volume = create_volume(manager)
    # As when the RPC server takes the request: its context is current.
    ALICE.update_store()
    manager.extend_volume(ALICE, volume['id'], 2)
    message = _message_of(manager, volume['id'])
    # The worker ran under the request, so an operator can follow it.
    assert message['request_id'] == ALICE.request_id
    assert message['request_id'].startswith('req-')
    assert message['resource_uuid'] == volume['id']
    assert message['resource_type'] == 'VOLUME'
    assert message['event_id'] == 'VOLUME_VOLUME_003_002'
    assert message['user_message'] == (
        'extend volume: The share holding the volume has no space left.')
    # No host path, no command line reaches the user.
    assert share not in message['user_message']
    assert manager.list_messages(BOB, {}, None, None, [], 0) == []
    with pytest.raises(exception.MessageNotFound):
        manager.get_message(BOB, message['id'])
    assert manager.get_message(ALICE, message['id']) == message
    filtered = manager.list_messages(
        ALICE, {'resource_uuid': 'other'}, None, None, [], 0)
    assert filtered == []
    manager.delete_message(ALICE, message['id'])
    assert manager.list_messages(ALICE, {}, None, None, [], 0) == []


def test_messages_expire(manager, conf, monkeypatch, full_share):
    conf.config(message_ttl=60)
    volume = create_volume(manager)
    manager.extend_volume(ALICE, volume['id'], 2)
    message = _message_of(manager, volume['id'])
    later = datetime.datetime.fromisoformat(message['expires_at'])
    monkeypatch.setattr(models, 'utcnow', lambda: later)
    assert manager.list_messages(ALICE, {}, None, None, [], 0) == []
    with pytest.raises(exception.MessageNotFound):
        manager.get_message(ALICE, message['id'])


def test_a_status_someone_else_set_gets_no_message():
    told = []

    def reset_meanwhile(resource_id, target, expected, owner, values):
        raise exception.InvalidVolumeStatus(volume_id=resource_id,
                                            status='available',
                                            expected='extending')
    outcome.failed(reset_meanwhile, 'v', 'extending', 'error_extending',
                   'me', OSError(28, 'No space'), told.append)
    assert told == []
    outcome.failed(lambda *a, **k: None, 'v', 'extending',
                   'error_extending', 'me', OSError(28, 'No space'),
                   told.append)
    assert [messages.detail(e) for e in told] == [messages.NO_SPACE]
