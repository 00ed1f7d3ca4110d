"""The create of a snapshot set (seed 002): every disk in one libvirt
call, one report, the freeze time measured with an injected clock; and
what is reported when the call fails, with nothing or something switched.
The real domain is in tests/functional/test_virt.py."""

import uuid

import pytest

from snapvol_api import context
from snapvol_api import exception
from snapvol_api import states
from snapvol_compute import reports
from snapvol_compute import snapshots
from snapvol_compute.virt import config
from tests.unit.compute.conftest import add_instance


class SetGuest:
    """A running domain whose disks are the given volumes; ``fail``: the
    exception snapshot_disks raises (after switching ``switch_anyway``)."""

    def __init__(self, uuid_, volume_ids, agent_works=True):
        self.uuid = uuid_
        self.agent_works = agent_works
        self.fail = None
        self.switch_anyway = ()
        self.snapshot_calls = []
        self._disks = {
            volume_id: config.Disk(
                target='vd%s' % chr(ord('a') + n), bus='virtio',
                serial=volume_id, chain=(config.Layer(config.DiskSource(
                    'file', 'raw', path='/srv/volume-%s' % volume_id), 1),))
            for n, volume_id in enumerate(volume_ids)}

    def disks(self):
        return list(self._disks.values())

    def disk_by_serial(self, serial):
        return self._disks[serial]

    def set_agent_timeout(self, seconds):
        pass

    def _switch(self, target, source):
        for serial, disk in self._disks.items():
            if disk.target == target:
                self._disks[serial] = config.Disk(
                    target, 'virtio', serial,
                    (config.Layer(source, 2),) + disk.chain)

    def snapshot_disks(self, new_sources, quiesce):
        self.snapshot_calls.append((sorted(new_sources), quiesce))
        if quiesce and not self.agent_works:
            raise exception.QuiesceFailed(instance_id=self.uuid,
                                          reason='agent not answering')
        if self.fail is not None:
            for target in self.switch_anyway:
                self._switch(target, new_sources[target])
            raise self.fail
        for target, source in new_sources.items():
            self._switch(target, source.with_basename(source.basename,
                                                      format='qcow2'))


class Driver:
    def __init__(self, guest):
        self._guest = guest

    def guest(self, uuid_):
        return self._guest


class Watch:
    def __init__(self):
        self.started = []

    def start(self, guest):
        self.started.append(guest.uuid)


class Clock:
    """Each reading is ``step`` seconds after the one before."""

    def __init__(self, step):
        self.now, self.step = 100.0, step

    def __call__(self):
        self.now += self.step
        return self.now


def _members(volume_ids):
    members = []
    for volume_id in volume_ids:
        snapshot_id = str(uuid.uuid4())
        members.append({'volume_id': volume_id, 'create_info': {
            'snapshot_id': snapshot_id, 'type': 'qcow2',
            'new_file': 'volume-%s.%s' % (volume_id, snapshot_id)}})
    return members


@pytest.fixture
def setup(db, volume_api):
    instance = add_instance(db)
    volume_ids = [str(uuid.uuid4()) for _ in range(3)]
    guest = SetGuest(instance.id, volume_ids)
    watch = Watch()
    clock = Clock(step=0.25)

    def creates(required=False):
        if required:
            db.instance_metadata_set(instance.id,
                                     {'hw_qemu_guest_agent': 'yes'})
        return snapshots.SnapshotCreates(
            Driver(guest), db, reports.Reporter(volume_api, db), watch,
            clock=clock)

    def run(members, required=False):
        group_snapshot_id = str(uuid.uuid4())
        db.operation_begin(group_snapshot_id, 'create-set', instance.id,
                           None, 'node1', {'members': members}, {})
        creates(required).run_set(context.get_admin_context(), instance.id,
                                  group_snapshot_id, members)
        assert db.operations_on_host('node1') == []
        ((name, args, kwargs),) = volume_api.calls
        assert name == 'update_group_snapshot_status'
        assert args[0] == group_snapshot_id
        return args[1], args[2], kwargs

    return guest, volume_ids, watch, run


def _formats(members):
    return {m['create_info']['snapshot_id']: {'file_format': {
        m['create_info']['new_file']: 'qcow2'}} for m in members}


def test_every_disk_switches_in_one_call_and_is_reported_once(conf, setup):
    guest, volume_ids, _watch, run = setup
    members = _members(volume_ids)
    status, reported, kwargs = run(members)
    assert guest.snapshot_calls == [(['vda', 'vdb', 'vdc'], True)]
    assert status == states.CREATING_COMPUTE_COMPLETE
    assert reported == _formats(members)
    assert kwargs == {'quiesced': True, 'freeze_seconds': 0.25,
                      'freeze_warning': False}


def test_a_long_freeze_is_flagged(conf, setup):
    conf.config(freeze_warn_seconds=0.1, group='compute')
    _guest, volume_ids, _watch, run = setup
    _status, _reported, kwargs = run(_members(volume_ids))
    assert kwargs['freeze_seconds'] == 0.25
    assert kwargs['freeze_warning'] is True


def test_failed_quiesce_falls_back_to_one_crash_consistent_call(conf,
                                                                setup):
    guest, volume_ids, watch, run = setup
    guest.agent_works = False
    members = _members(volume_ids)
    status, reported, kwargs = run(members)
    assert guest.snapshot_calls == [(['vda', 'vdb', 'vdc'], True),
                                    (['vda', 'vdb', 'vdc'], False)]
    assert status == states.CREATING_COMPUTE_COMPLETE
    assert reported == _formats(members)
    assert kwargs['quiesced'] is False
    assert watch.started == [guest.uuid]


def test_required_quiesce_that_fails_changes_no_disk(conf, setup):
    guest, volume_ids, watch, run = setup
    guest.agent_works = False
    status, reported, kwargs = run(_members(volume_ids), required=True)
    assert guest.snapshot_calls == [(['vda', 'vdb', 'vdc'], True)]
    assert (status, reported) == (states.ERROR, {})
    assert 'agent' in kwargs['reason']
    assert all(len(d.chain) == 1 for d in guest.disks())
    assert watch.started == [guest.uuid]


def test_failed_transaction_with_no_disk_switched_reports_none(conf, setup):
    guest, volume_ids, _watch, run = setup
    guest.fail = exception.HypervisorError(reason='blockdev-add failed')
    status, reported, kwargs = run(_members(volume_ids))
    assert (status, reported) == (states.ERROR, {})
    assert 'blockdev-add failed' in kwargs['reason']


def test_failed_transaction_that_switched_a_disk_reports_it(conf, setup):
    """ATOMIC should make this impossible; if it happens the volume
    service must keep what the domain writes to."""
    guest, volume_ids, _watch, run = setup
    guest.fail = exception.HypervisorError(reason='transaction failed')
    guest.switch_anyway = ('vdb',)
    members = _members(volume_ids)
    status, reported, kwargs = run(members)
    assert status == states.ERROR
    assert reported == {
        members[1]['create_info']['snapshot_id']: {'file_format': {
            members[1]['create_info']['new_file']: 'raw'}}}
    assert volume_ids[1] in kwargs['reason']


def test_bad_create_info_fails_before_libvirt(conf, setup):
    guest, volume_ids, _watch, run = setup
    members = _members(volume_ids)
    members[2]['create_info']['new_file'] = '../escape'
    status, reported, kwargs = run(members)
    assert (status, reported) == (states.ERROR, {})
    assert 'new_file' in kwargs['reason']
    assert guest.snapshot_calls == []


def test_run_again_after_it_was_taken_reports_without_a_second_call(
        conf, setup, volume_api):
    guest, volume_ids, _watch, run = setup
    members = _members(volume_ids)
    run(members)
    volume_api.calls.clear()
    status, reported, kwargs = run(members)
    assert len(guest.snapshot_calls) == 1
    assert (status, reported) == (states.CREATING_COMPUTE_COMPLETE,
                                  _formats(members))
    assert kwargs['quiesced'] is None and kwargs['freeze_seconds'] is None
