"""Volumes on the test bed's NFS export (nfs-ganesha), through the real
clients; where the kernel has no NFS client the services mount it with
snapvol-nfs-fuse. Volumes are qcow2: through the user-space client a raw
file's holes are read as data, and no test reads a whole volume."""

import hashlib
import json
import os

from tests import imagedata

from . import harness
from .test_compute_service import monitor_flush
from .test_compute_service import monitor_write

MiB = imagedata.MiB
DATA_DISK = 'virtio-disk1/virtio-backend'


def _share_dir(svc, share_line):
    location = share_line.split(':', 1)[1]
    return svc.mount_dir / hashlib.sha256(location.encode()).hexdigest()[:32]


def test_detached_chain_on_nfs(service_factory, nfs_share):
    svc = service_factory(embedded=True, shares=[nfs_share], extra_config={
        'volume': {'volume_format': 'qcow2'}})
    cinder = svc.client('alice')
    share = _share_dir(svc, nfs_share)
    vol = cinder.volumes.create(1)
    harness.wait_for_status(lambda: cinder.volumes.get(vol.id), 'available')
    base = 'volume-%s' % vol.id
    assert (share / base).is_file() and (share / (base + '.info')).is_file()
    snaps = []
    for _ in range(3):
        snap = cinder.volume_snapshots.create(vol.id)
        harness.wait_for_status(
            lambda s=snap: cinder.volume_snapshots.get(s.id), 'available')
        snaps.append(snap.id)
    clone = cinder.volumes.create(1, snapshot_id=snaps[1])
    harness.wait_for_status(lambda: cinder.volumes.get(clone.id), 'available')
    # The files keep the owner they have on any share (no [volume]
    # file_owner here: the service's user).
    assert os.stat(share / ('%s.%s' % (base, snaps[0]))).st_uid == os.getuid()
    for snapshot_id in (snaps[1], snaps[2], snaps[0]):  # middle, top, last
        cinder.volume_snapshots.delete(snapshot_id)
        harness.wait_for(lambda s=snapshot_id: s not in {
            x.id for x in cinder.volume_snapshots.list()}, 300,
            what='snapshot %s to go' % snapshot_id)
        assert not (share / ('%s.%s' % (base, snapshot_id))).exists()
    for volume_id in (clone.id, vol.id):
        cinder.volumes.delete(volume_id)
        harness.wait_for(lambda v=volume_id: v not in {
            x.id for x in cinder.volumes.list()}, 120, what='volume delete')
        assert not list(share.glob('volume-%s*' % volume_id))


def test_live_snapshots_and_merges_on_nfs(service_factory, nfs_share):
    """A running (guest-less) VM on NFS volumes: the compute host mounts
    the export and QEMU opens plain files; a middle snapshot's commit, an
    active commit with pivot and the last snapshot's delete keep every
    region written."""
    svc = service_factory(embedded=True, shares=[nfs_share], extra_config={
        'volume': {'volume_format': 'qcow2'}})
    cinder, nova = svc.client('alice'), svc.nova('admin')
    share = _share_dir(svc, nfs_share)
    boot, data = cinder.volumes.create(1), cinder.volumes.create(1)
    for vol in (boot, data):
        harness.wait_for_status(lambda v=vol: cinder.volumes.get(v.id),
                                'available')
    server = nova.servers.create(
        'nfs', image=None, flavor='1', block_device_mapping_v2=[{
            'uuid': boot.id, 'source_type': 'volume',
            'destination_type': 'volume', 'boot_index': 0}])
    harness.wait_for_status(lambda: nova.servers.get(server.id), 'ACTIVE',
                            timeout=120, failed=('ERROR',))
    nova.volumes.create_server_volume(server.id, data.id)
    harness.wait_for_status(lambda: cinder.volumes.get(data.id), 'in-use')
    base = 'volume-%s' % data.id
    snaps = []
    for i in range(3):
        monitor_write(server.id, DATA_DISK, 0x41 + i, i * MiB, 64 * 1024)
        snap = cinder.volume_snapshots.create(data.id, force=True)
        harness.wait_for_status(
            lambda s=snap: cinder.volume_snapshots.get(s.id), 'available')
        snaps.append(snap.id)
    monitor_write(server.id, DATA_DISK, 0x50, 3 * MiB, 64 * 1024)
    for snapshot_id in (snaps[1], snaps[2], snaps[0]):
        cinder.volume_snapshots.delete(snapshot_id)
        harness.wait_for(lambda s=snapshot_id: s not in {
            x.id for x in cinder.volume_snapshots.list()}, 300,
            what='snapshot %s to go' % snapshot_id)
    monitor_flush(server.id, DATA_DISK)
    active = json.loads((share / (base + '.info')).read_text())['active']
    # The last one is pulled into the active file: no snapshot file is left.
    assert sorted(p.name for p in share.glob(base + '*')) == sorted(
        {active, base + '.info'})
    for i, pattern in enumerate((0x41, 0x42, 0x43, 0x50)):
        # Only the regions written: a whole volume read over NFS is slow.
        out = harness.run(['qemu-io', '-r', '-U', '-f', 'qcow2', '-c',
                           f'read -P {pattern:#x} {i * MiB} 65536',
                           share / active])
        assert 'verification failed' not in out.stdout + out.stderr
    nova.servers.delete(server.id)
