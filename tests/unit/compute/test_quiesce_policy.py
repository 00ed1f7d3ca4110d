"""The compute manager's pieces around quiescing and direct boot, with
fake guests (the real guest is in tests/functional/test_quiesce.py)."""

import threading
import time

import pytest

from snapvol_api import exception
from snapvol_compute import instances
from snapvol_compute import snapshots
from snapvol_compute import thaw


class FakeGuest:
    """Its agent answers a thaw only from the ``answers_after``-th call
    on; until then each call fails as libvirt does when it times out."""

    def __init__(self, answers_after=1, frozen=1):
        self.uuid = 'c0ffee00-0000-4000-8000-000000000001'
        self.answers_after = answers_after
        self.frozen = frozen
        self.calls = 0
        self.done = threading.Event()

    def fs_thaw(self):
        self.calls += 1
        if self.calls < self.answers_after:
            raise exception.QuiesceFailed(instance_id=self.uuid,
                                          reason='agent not available')
        thawed, self.frozen = self.frozen, 0
        self.done.set()
        return thawed


def test_thaw_watch_retries_until_the_agent_answers(conf, monkeypatch):
    monkeypatch.setattr(thaw, 'RETRY_INTERVAL', 0.01)
    guest = FakeGuest(answers_after=4)
    thaw.ThawWatch().start(guest)
    assert guest.done.wait(5)
    assert (guest.calls, guest.frozen) == (4, 0)


def test_thaw_watch_gives_up_after_the_timeout(conf, monkeypatch):
    monkeypatch.setattr(thaw, 'RETRY_INTERVAL', 0.01)
    conf.config(thaw_retry_timeout=0, group='compute')
    guest = FakeGuest(answers_after=10 ** 6)
    watch = thaw.ThawWatch()
    watch.start(guest)
    deadline = time.monotonic() + 5
    while watch._watched and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not watch._watched
    assert guest.calls == 1 and guest.frozen == 1


def test_thaw_watch_watches_a_guest_once(conf, monkeypatch):
    monkeypatch.setattr(thaw, 'RETRY_INTERVAL', 0.05)
    guest = FakeGuest(answers_after=5)
    watch = thaw.ThawWatch()
    for _ in range(3):
        watch.start(guest)
    assert guest.done.wait(5)
    assert guest.calls == 5


def test_direct_boot_takes_files_of_the_kernels_path(conf, tmp_path):
    (tmp_path / 'vmlinuz').write_bytes(b'k')
    (tmp_path / 'initrd.img').write_bytes(b'i')
    assert instances.direct_boot({}) == (None, None, None)
    with pytest.raises(exception.InvalidInput, match='kernels_path'):
        instances.direct_boot({'kernel_id': 'vmlinuz'})
    conf.config(kernels_path=str(tmp_path), group='compute')
    assert instances.direct_boot({
        'kernel_id': 'vmlinuz', 'ramdisk_id': 'initrd.img',
        'os_command_line': 'console=ttyS0'}) == (
        str(tmp_path / 'vmlinuz'), str(tmp_path / 'initrd.img'),
        'console=ttyS0')
    for bad in ({'kernel_id': '../etc/passwd'}, {'kernel_id': '/vmlinuz'},
                {'kernel_id': 'missing'}, {'ramdisk_id': 'initrd.img'},
                {'kernel_id': 'vmlinuz', 'ramdisk_id': '..'}):
        with pytest.raises(exception.InvalidInput):
            instances.direct_boot(bad)


class _Item:
    def __init__(self, key, value):
        self.key, self.value = key, value


class _Instance:
    def __init__(self, **metadata):
        self.metadata_items = [_Item(k, v) for k, v in metadata.items()]


def test_who_requires_quiescing(conf):
    assert not snapshots.requires_quiesce(_Instance())
    assert not snapshots.requires_quiesce(_Instance(hw_qemu_guest_agent='no'))
    assert snapshots.requires_quiesce(_Instance(hw_qemu_guest_agent='yes'))
    assert snapshots.requires_quiesce(_Instance(hw_qemu_guest_agent='YES'))
    conf.config(require_quiesce=True, group='compute')
    assert snapshots.requires_quiesce(_Instance())


class SnapshotGuest:
    uuid = FakeGuest().uuid

    def __init__(self, agent_works):
        self.agent_works = agent_works
        self.calls = []

    def set_agent_timeout(self, seconds):
        self.calls.append(('timeout', seconds))

    def snapshot_disks(self, new_sources, quiesce):
        self.calls.append(('snapshot', quiesce))
        if quiesce and not self.agent_works:
            raise exception.QuiesceFailed(instance_id=self.uuid,
                                          reason='agent not answering')


class RecordingWatch:
    def __init__(self):
        self.started = []

    def start(self, guest):
        self.started.append(guest)


@pytest.mark.parametrize('agent_works,required,outcome', [
    (True, True, True), (True, False, True),
    (False, False, False), (False, True, exception.QuiesceFailed)])
def test_snapshot_quiesces_falls_back_or_fails(conf, agent_works, required,
                                               outcome):
    conf.config(guest_agent_timeout=7, group='compute')
    watch = RecordingWatch()
    creates = snapshots.SnapshotCreates(driver=None, db=None, reporter=None,
                                        thaw_watch=watch)
    guest = SnapshotGuest(agent_works)
    instance = _Instance(hw_qemu_guest_agent='yes' if required else 'no')
    instance.id = guest.uuid
    if isinstance(outcome, type):
        with pytest.raises(outcome):
            creates.snapshot_disks(instance, guest, {'vdb': object()})
        assert guest.calls == [('timeout', 7), ('snapshot', True)]
    else:
        quiesced, _seconds = creates.snapshot_disks(instance, guest,
                                                    {'vdb': object()})
        assert quiesced is outcome
        assert guest.calls[:2] == [('timeout', 7), ('snapshot', True)]
        assert guest.calls[2:] == ([] if outcome else [('snapshot', False)])
    # Every failed quiesce is followed by thawing.
    assert watch.started == ([] if agent_works else [guest])
