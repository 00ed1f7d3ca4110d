"""Volumes on the test bed's NFS export (nfs-ganesha), through the real
clients; where the kernel has no NFS client the services mount it with
snapvol-nfs-fuse. Volumes are qcow2: through the user-space client a raw
file's holes are read as data, and no test reads a whole volume."""

import hashlib
import os

from . import harness


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
