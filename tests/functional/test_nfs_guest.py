"""A real guest on the test bed's NFS export (nfs-ganesha): quiesced live
snapshots while it writes, deletes of every kind, and the NFS server
restarted under it, the guest's own records checked after each step.

The test guest (tests/functional/guest.py) boots through
python-novaclient with its data volume attached, mounts it and appends
numbered, fsync'ed records, reporting each on its console (see
tests/functional/test_quiesce.py, which runs the same on a local share).
Volumes on NFS are qcow2 (the user-space client, snapvol-nfs-fuse, reads
a raw file's holes as data), and nothing here reads a whole volume: the
ext4 the guest uses fills the first FS_MIB of it, and only that is copied
off the share (qemu-img dd) to be read.

One guest boot for everything: a TCG guest takes tens of seconds to boot.
"""

import os
from pathlib import Path
import shutil
import tempfile

import libvirt
import pytest

from . import guest as testguest
from . import guest_server
from . import harness
from .guest_server import FS_MIB
from .test_nfs import _share_dir

# Records the guest writes between steps (over NFS it makes ~15 a second):
# a third of a 4 KiB block of /records. Each layer then holds its own
# version of the file's last block (and of its inode and journal blocks):
# a merge that kept the wrong layer's version loses records.
RECORDS_BETWEEN = 4096 // testguest.RECORD_SIZE // 3


@pytest.fixture
def system(service_factory, nfs_share):
    kernel, _initrd = testguest.build()
    svc = service_factory(embedded=True, shares=[nfs_share], extra_config={
        'volume': {'volume_format': 'qcow2'},
        'compute': {'kernels_path': os.path.dirname(kernel)}})
    svc.share = _share_dir(svc, nfs_share)
    svc.guest_servers = []
    yield svc
    for vm in svc.guest_servers:
        vm.close()


class NfsGuest(guest_server.GuestServer):
    """The test guest booted from an NFS volume, its NFS data volume (an
    ext4 in a qcow2) attached from the start."""

    def __init__(self, svc):
        self.workdir = Path(tempfile.mkdtemp(prefix='snapvol-nfs-guest-',
                                             dir='/var/tmp'))
        super().__init__(svc, svc.share)
        assert "%s/%s'" % (self.share, self.base) in self.domain_xml()

    def format_volume(self, volume_id):
        """An empty ext4 written into the volume's qcow2 in place (its
        header, owner and mode kept): only the blocks mkfs wrote."""
        path = self.share / ('volume-%s' % volume_id)
        assert self._header(path)['format'] == 'qcow2', self._header(path)
        raw = testguest.format_ext4(self.workdir / 'fs.raw', FS_MIB)
        harness.run(['qemu-img', 'convert', '-n', '--target-is-zero',
                     '-f', 'raw', '-O', 'qcow2', raw, path], timeout=120)
        raw.unlink()

    def close(self):
        super().close()
        if self.server_id is not None:
            try:
                self.nova.servers.delete(self.server_id)
                harness.wait_for(lambda: not self._domain_active(), 60,
                                 what='the domain to stop')
            except Exception as exc:   # the stack's teardown destroys it
                print('deleting server %s: %r' % (self.server_id, exc))
        # The export is shared by every run: our volumes' files go.
        for volume_id in getattr(self, 'volume_ids', ()):
            for path in self.share.glob('volume-%s*' % volume_id):
                path.unlink(missing_ok=True)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _domain_active(self):
        try:
            return self.domain_state() != libvirt.VIR_DOMAIN_SHUTOFF
        except libvirt.libvirtError:
            return False

    def inspect(self, path, fmt):
        """guestdata.inspect of the first FS_MIB of ``path`` (and its
        backing chain), copied off the share: never the whole volume."""
        raw = self.workdir / 'inspect.raw'
        raw.unlink(missing_ok=True)
        harness.run(['qemu-img', 'dd', '-U', '-f', fmt, '-O', 'raw',
                     'bs=1M', f'count={FS_MIB}', f'if={path}', f'of={raw}'],
                    timeout=300)
        try:
            return testguest.inspect(raw, 'raw', workdir=str(self.workdir))
        finally:
            raw.unlink(missing_ok=True)

    def fuse_client_pid(self):
        return int(Path(str(self.share) + '.pid').read_text())

    def fuse_client_log(self):
        return Path(str(self.share) + '.log').read_text()


def _check_snapshot(vm, snap, durable, after):
    """A quiesced snapshot: a clean ext4 with nothing to replay, holding
    a contiguous prefix of the records with every one reported durable
    before the request and none written after it ended. Returns the
    Inspection."""
    assert snap.metadata.get('quiesced') == 'yes', snap.metadata
    assert vm.info['active'] == '%s.%s' % (vm.base, snap.id), vm.info
    assert vm.console.freeze_status() == 'thawed', vm.console.tail()
    # Record `limit` was reported after the request ended; the one after
    # it was not even written then.
    limit = vm.first_record_after(after).number
    image = vm.inspect_snapshot(snap.id)
    assert image.fsck_clean, image.fsck_output
    assert not image.needs_recovery, image
    assert image.bad == 0, image.bad
    testguest.check_prefix(image.records, 'records in snapshot %s' % snap.id)
    held = len(image.records)
    assert durable[-1] < held <= limit + 1, (durable[-1], held, limit)
    return image


def _check_volume(vm):
    """The live volume holds every record the guest reported durable, a
    contiguous prefix, in a clean ext4 (after its journal's replay); the
    console's records have no gap, and no error."""
    durable, volume = vm.inspect_volume()
    assert volume.fsck_clean, volume.fsck_output
    assert volume.bad == 0, volume.bad
    testguest.check_prefix(volume.recovered_records,
                           'records in the volume after journal replay')
    assert len(volume.recovered_records) > durable[-1], (
        len(volume.recovered_records), durable[-1])
    testguest.check_prefix(vm.console.records(), 'records on the console')
    assert not vm.console.errors(), vm.console.tail()


def test_guest_on_nfs_snapshots_deletes_and_server_restart(system,
                                                          nfs_share):
    if not harness.ganesha_restartable(nfs_share):
        pytest.skip("the NFS server is not the test bed's ganesha")
    vm = NfsGuest(system)
    console = vm.console
    images, order = {}, []

    def take():
        vm.keeps_writing(RECORDS_BETWEEN)
        taken = vm.snapshot()
        images[taken.id] = _check_snapshot(vm, taken.snapshot,
                                           taken.durable, taken.after)
        order.append(taken.id)
        return taken.id

    take()
    take()

    # The NFS server restarts right after a snapshot, the guest writing:
    # the FUSE client reconnects (the same process: nothing remounts),
    # QEMU's I/O waits meanwhile, and nothing acknowledged is lost.
    client_pid = vm.fuse_client_pid()
    log_start = len(vm.fuse_client_log())
    before = console.command('mark').uptime
    harness.restart_ganesha()
    vm.keeps_writing(RECORDS_BETWEEN, timeout=120)
    after = console.command('mark').uptime
    gap = console.longest_gap(before, after)
    print(f'\nganesha restarted: longest pause in the records '
          f'{gap.seconds:.2f} s (after record {gap.last_before})')
    log = vm.fuse_client_log()[log_start:]
    assert 'not answering' in log and 'answers again' in log, log
    assert vm.fuse_client_pid() == client_pid
    assert vm.domain_state() == libvirt.VIR_DOMAIN_RUNNING
    _check_volume(vm)
    # What the snapshots hold is still there, read through the client's
    # new connections; and the services work on: a snapshot, then
    # deletes of every kind.
    for snapshot_id in order:
        image = vm.inspect_snapshot(snapshot_id)
        assert image.records == images[snapshot_id].records, snapshot_id
    take()
    # Each later snapshot holds more records.
    counts = [len(images[snapshot_id].records) for snapshot_id in order]
    assert counts == sorted(set(counts)), counts

    remaining = list(order)
    # Middle (its overlay committed into the file below it), newest (the
    # file below the active one pulled into it), and the last one (all of
    # the chain pulled into the active file): merges.plan.
    for victim in (remaining[1], remaining[2], remaining[0]):
        vm.keeps_writing(RECORDS_BETWEEN)
        before = console.command('mark').uptime
        vm.delete(victim)
        after = console.command('mark').uptime
        remaining.remove(victim)
        assert victim not in vm.info, vm.info
        gap = console.longest_gap(before, after)
        print(f'deleted {victim[:8]} in {after - before:.2f} s (guest '
              f'time), longest pause in the records {gap.seconds:.2f} s')
        assert vm.domain_state() == libvirt.VIR_DOMAIN_RUNNING
        assert "/%s'" % vm.info['active'] in vm.domain_xml()
        assert console.freeze_status() == 'thawed'
        vm.keeps_writing(5)
        for snapshot_id in remaining:
            image = vm.inspect_snapshot(snapshot_id)
            assert not image.needs_recovery and image.fsck_clean, image
            assert image.records == images[snapshot_id].records, (
                snapshot_id, len(image.records),
                len(images[snapshot_id].records))
        _check_volume(vm)
    assert list(vm.info) == ['active']
    assert vm.file_names() == sorted([vm.info['active'], vm.base + '.info'])
    assert "/%s'" % vm.info['active'] in vm.domain_xml()
    vm.keeps_writing(5)
    testguest.check_prefix(console.records(), 'records on the console')
    assert not console.errors(), console.tail()
