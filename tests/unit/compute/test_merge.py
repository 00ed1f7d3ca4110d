"""Assisted deletes asked again: the compute manager starts one block
job per delete, whoever asks twice (a volume manager restarted mid-merge,
this manager's own resume)."""

import threading

from snapvol_api import states
from snapvol_compute import merge
from snapvol_compute.virt import blockjob
from snapvol_compute.virt import config

VOLUME = '11111111-2222-3333-4444-555555555555'
SNAPSHOT = '66666666-7777-8888-9999-000000000000'
BASE = 'volume-%s' % VOLUME
TOP = '%s.%s' % (BASE, SNAPSHOT)
NEWER = '%s.newer' % BASE


def _disk(*names):
    return config.Disk('vdb', 'virtio', VOLUME, tuple(
        config.Layer(config.DiskSource('file', 'qcow2', path='/s/' + name),
                     len(names) - i)
        for i, name in enumerate(names)))


class Device:
    """A block device whose job the test ends."""

    def __init__(self, guest, job=None):
        self.guest, self.running, self.started = guest, job, []
        self.done = threading.Event()

    def job(self):
        return self.running

    def commit(self, top, base, active, bandwidth_mib=0):
        self.started.append(('commit', top, base))
        self.running = blockjob.BlockJobInfo('commit', 0, 1, False)

    def wait(self, until, timeout, on_progress=None):
        if on_progress is not None:
            on_progress(blockjob.BlockJobInfo('commit', 1, 2, False))
        assert self.done.wait(10)
        self.running = None
        self.guest.chain = (NEWER, BASE)


class Guest:
    def __init__(self, job=None):
        self.chain = (NEWER, TOP, BASE)
        self.device = Device(self, job)

    def disk_by_serial(self, serial):
        assert serial == VOLUME
        return _disk(*self.chain)

    def block_device(self, target):
        return self.device


class Reporter:
    def __init__(self):
        self.reports, self.failures, self.progress_reports = [], [], []

    def progress(self, ctxt, snapshot_id, status, percent):
        self.progress_reports.append((snapshot_id, status, percent))

    def report(self, ctxt, snapshot_id, status, file_format):
        self.reports.append((snapshot_id, status, file_format))

    def failure(self, ctxt, snapshot_id, exc):
        self.failures.append((snapshot_id, exc))


class Driver:
    def __init__(self, guest):
        self._guest = guest

    def guest(self, instance_id):
        return self._guest


INFO = {'type': 'qcow2', 'volume_id': VOLUME, 'file_to_merge': TOP,
        'merge_target_file': BASE}


def _deletes(guest):
    reporter = Reporter()
    return merge.SnapshotDeletes(Driver(guest), reporter, None), reporter


def test_a_delete_asked_again_while_it_runs_is_not_started_twice(conf):
    guest = Guest()
    deletes, reporter = _deletes(guest)
    first = threading.Thread(target=deletes.run,
                             args=(None, 'i', VOLUME, SNAPSHOT, INFO))
    first.start()
    while not guest.device.started:
        first.join(0.01)
    deletes.run(None, 'i', VOLUME, SNAPSHOT, INFO)     # asked again
    guest.device.done.set()
    first.join(10)
    assert guest.device.started == [('commit', 'vdb[2]', 'vdb[1]')]
    assert reporter.failures == []
    assert reporter.reports == [(SNAPSHOT, states.DELETING_COMPUTE_COMPLETE,
                                 {BASE: 'qcow2'})]
    # How far the job was, as the snapshot's progress.
    assert reporter.progress_reports == [(SNAPSHOT, states.DELETING, 50)]


def test_progress_is_told_once_per_percent():
    reporter = Reporter()
    progress = merge.Progress(reporter, None, SNAPSHOT)
    for cur in (0, 1, 2, 3, 1000, 1000):
        progress(blockjob.BlockJobInfo('commit', cur, 1000, False))
    progress(blockjob.BlockJobInfo('commit', 0, 0, False))
    assert [p for _, _, p in reporter.progress_reports] == [0, 100, 0]


def test_a_delete_whose_job_outlived_the_manager_waits_for_it(conf):
    guest = Guest(job=blockjob.BlockJobInfo('commit', 5, 9, False))
    deletes, reporter = _deletes(guest)
    guest.device.done.set()
    deletes.run(None, 'i', VOLUME, SNAPSHOT, INFO)
    assert guest.device.started == []
    assert reporter.reports == [(SNAPSHOT, states.DELETING_COMPUTE_COMPLETE,
                                 {BASE: 'qcow2'})]
