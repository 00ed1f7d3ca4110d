"""Reverting a volume to its latest snapshot (Cinder 3.40) on a local
share with real qemu-img: afterwards it holds exactly the snapshot's
data, and a crash at any point is finished by the next start."""

import os

import pytest

from snapvol_api import exception
from snapvol_api import states
from snapvol_volume.db import api as db
from tests import imagedata
from tests.imagedata import GiB
from tests.unit.volume.helpers import ADMIN
from tests.unit.volume.helpers import ALICE
from tests.unit.volume.helpers import BOB
from tests.unit.volume.helpers import create_snapshot
from tests.unit.volume.helpers import create_volume
from tests.unit.volume.helpers import delete_snapshot
from tests.unit.volume.helpers import read_info
from tests.unit.volume.helpers import start_manager
from tests.unit.volume.helpers import wait_status
from tests.unit.volume.helpers import wait_until


class Written:
    """A volume with data at two snapshots and after the second."""

    def __init__(self, manager, share, tmp_path):
        self.manager = manager
        self.volume = create_volume(manager)
        self.base = os.path.join(share, 'volume-%s' % self.volume['id'])
        self.model = imagedata.ImageModel(tmp_path / 'model.raw', GiB)
        self.model.write_image(self.base, 'raw', 0x11, 0, 65536)
        self.s1 = create_snapshot(manager, self.volume['id'])['id']
        self.model.write_image(self.file(self.s1), 'qcow2', 0x22, 65536,
                               65536)
        self.s2 = create_snapshot(manager, self.volume['id'])['id']
        self.at_s2 = self.model.checkpoint('s2')
        self.model.write_image(self.file(self.s2), 'qcow2', 0x33, 0, 4096)

    def file(self, snapshot_id):
        return '%s.%s' % (self.base, snapshot_id)

    def get(self):
        return self.manager.get_volume(ALICE, self.volume['id'])


@pytest.fixture
def written(manager, share, tmp_path):
    return Written(manager, share, tmp_path)


def test_revert_to_the_latest_snapshot(manager, share, written):
    files, info = sorted(os.listdir(share)), read_info(
        share, written.volume['id'])
    reverting = manager.revert_volume(ALICE, written.volume['id'],
                                      written.s2)
    assert reverting['status'] == 'reverting'
    wait_status(written.get, 'available')
    assert manager.get_snapshot(ALICE, written.s2)['status'] == 'available'
    # Exactly the snapshot's data; the chain and its info store as they
    # were, the active file empty again.
    written.at_s2.assert_matches(written.file(written.s2), 'qcow2')
    assert sorted(os.listdir(share)) == files
    assert read_info(share, written.volume['id']) == info
    assert imagedata.image_chain(written.file(written.s2), 'qcow2')[0][
        'backing-filename'] == os.path.basename(written.file(written.s1))
    # The snapshots still merge with every byte in place.
    delete_snapshot(manager, written.s1)
    written.at_s2.assert_matches(written.file(written.s2), 'qcow2')


def test_only_the_latest_snapshot_of_the_same_size(manager, written):
    with pytest.raises(exception.InvalidSnapshot, match='latest'):
        manager.revert_volume(ALICE, written.volume['id'], written.s1)
    other = create_volume(manager)
    with pytest.raises(exception.InvalidSnapshot):
        manager.revert_volume(ALICE, other['id'], written.s2)
    with pytest.raises(exception.VolumeNotFound):
        manager.revert_volume(BOB, written.volume['id'], written.s2)
    manager.reset_volume_status(ADMIN, written.volume['id'], 'error')
    with pytest.raises(exception.InvalidVolumeStatus):
        manager.revert_volume(ALICE, written.volume['id'], written.s2)
    manager.reset_volume_status(ADMIN, written.volume['id'], 'available')
    manager.extend_volume(ALICE, written.volume['id'], 2)
    wait_status(written.get, 'available')
    with pytest.raises(exception.InvalidVolume, match='of its size'):
        manager.revert_volume(ALICE, written.volume['id'], written.s2)
    assert manager.get_snapshot(ALICE, written.s2)['status'] == 'available'


@pytest.mark.parametrize('crash', ['before', 'half-made', 'after-rename'])
def test_a_restart_finishes_an_interrupted_revert(conf, compute, manager,
                                                  share, written, crash):
    volume_id = written.volume['id']
    manager.stop()
    db.volume_begin_revert(volume_id, written.s2, 'earlier-run/0')
    active = written.file(written.s2)
    if crash == 'half-made':
        with open(active + '.revert', 'wb') as f:
            f.write(b'QFI\xfb partial')
    elif crash == 'after-rename':
        imagedata.create_image(active + '.new', 'qcow2', GiB,
                               backing=os.path.basename(
                                   written.file(written.s1)),
                               backing_fmt='qcow2')
        os.replace(active + '.new', active)
    restarted = start_manager(compute)
    try:
        wait_status(lambda: restarted.get_volume(ALICE, volume_id),
                    'available')
        assert restarted.get_snapshot(ALICE, written.s2)['status'] == \
            'available'
        written.at_s2.assert_matches(active, 'qcow2')
        assert not os.path.exists(active + '.revert')
    finally:
        restarted.stop()


def test_a_failed_revert_is_error_with_a_message(manager, share, written,
                                                 monkeypatch):
    from snapvol_volume import qemu_img

    def create(*args, **kwargs):
        raise exception.ImageCommandFailed(command='qemu-img create',
                                           reason='No space left on device')
    monkeypatch.setattr(qemu_img, 'create', create)
    manager.revert_volume(ALICE, written.volume['id'], written.s2)
    wait_status(written.get, 'error')
    assert manager.get_snapshot(ALICE, written.s2)['status'] == 'available'
    # The message follows the status.
    wait_until(lambda: manager.list_messages(ALICE, {}, None, None, [], 0),
               'the message of the failure')
    (message,) = manager.list_messages(ALICE, {}, None, None, [], 0)
    assert message['event_id'] == 'VOLUME_VOLUME_006_002'
    # Nothing of the chain changed: the data after the snapshot is there.
    written.model.assert_matches(written.file(written.s2), 'qcow2')
    assert states.REVERTING in states.IN_FLIGHT
