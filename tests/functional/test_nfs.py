"""Volumes on the test bed's NFS export (nfs-ganesha), through the real
clients; where the kernel has no NFS client the services mount it with
snapvol-nfs-fuse. Volumes are qcow2: through the user-space client a raw
file's holes are read as data, and no test reads a whole volume."""

import hashlib
import json
import os

import libvirt
import pytest

from tests import imagedata

from . import harness
from .test_compute_service import monitor_flush
from .test_compute_service import monitor_write
from .test_end_to_end import Attached
from .test_end_to_end import _block_job
from .test_end_to_end import _log_size
from .test_end_to_end import _wait_for_log

MiB = imagedata.MiB
DATA_DISK = 'virtio-disk1/virtio-backend'


def _share_dir(svc, share_line):
    """Where the services mount a network share: runtime.nfs and
    glusterfs name the directory after the export."""
    location = share_line.split(':', 1)[1]
    return svc.mount_dir / hashlib.sha256(location.encode()).hexdigest()[:32]


def _regions_hold(path, regions):
    """The regions (pattern, offset, length) of qcow2 ``path`` (and its
    backing chain) hold their patterns: only those regions are read."""
    for pattern, offset, length in regions:
        out = harness.run(['qemu-io', '-r', '-U', '-f', 'qcow2', '-c',
                           f'read -P {pattern:#x} {offset} {length}', path])
        assert 'verification failed' not in out.stdout + out.stderr, (
            f'{path}: {length} bytes at {offset} are not {pattern:#x}:\n'
            f'{out.stdout}{out.stderr}')


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
        harness.wait_snapshot_deleted(cinder, snapshot_id)
        assert not (share / ('%s.%s' % (base, snapshot_id))).exists()
    for volume_id in (clone.id, vol.id):
        cinder.volumes.delete(volume_id)
        harness.wait_for(lambda v=volume_id: v not in {
            x.id for x in cinder.volumes.list()}, 120, what='volume delete')
        assert not list(share.glob('volume-%s*' % volume_id))


def test_live_snapshots_and_merges_on_nfs(service_factory, nfs_share):
    """A running (guest-less) VM on NFS volumes: the compute host mounts
    the export and QEMU opens plain files; a middle snapshot's commit and
    the pulls of the newest and of the last keep every region written
    (active commits and pivots on NFS: test_compute_service)."""
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
        harness.wait_snapshot_deleted(cinder, snapshot_id)
    monitor_flush(server.id, DATA_DISK)
    active = json.loads((share / (base + '.info')).read_text())['active']
    # The last one is pulled into the active file: no snapshot file is left.
    assert sorted(p.name for p in share.glob(base + '*')) == sorted(
        {active, base + '.info'})
    _regions_hold(share / active, [(pattern, i * MiB, 64 * 1024) for i,
                                   pattern in enumerate((0x41, 0x42, 0x43,
                                                         0x50))])
    nova.servers.delete(server.id)


# --- a manager restart mid-merge ---------------------------------------------

def _snapshot_rows(svc, volume_id):
    """{snapshot id: status} of the volume's snapshots in the database
    (soft-deleted ones left out)."""
    return dict(svc.query('SELECT id, status FROM snapshots WHERE '
                          'volume_id = :v AND NOT deleted', v=volume_id))


def _db_chain(svc, volume_id):
    """(active file, {file: format}) the database records for a volume."""
    [(active,)] = svc.query('SELECT active_file FROM volumes WHERE id = :v',
                            v=volume_id)
    return active, dict(svc.query('SELECT name, format FROM volume_files '
                                  'WHERE volume_id = :v', v=volume_id))


def _set_job_speed(server_id, target, bytes_per_s):
    """The running block job's speed limit (0: none), set on the domain
    behind the compute service's back: a merge that lasts while a
    manager is away, however fast this machine is."""
    conn = libvirt.open('qemu:///system')
    try:
        conn.lookupByUUIDString(server_id).blockJobSetSpeed(
            target, bytes_per_s,
            libvirt.VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES)
    finally:
        conn.close()


@pytest.mark.parametrize('restart', ['after-the-merge', 'during-the-merge'])
def test_managers_restart_mid_merge_on_nfs(service_factory, nfs_share,
                                           tmp_path, restart):
    """An attached NFS volume's oldest snapshot is committed (1 MiB/s,
    slowed further while a manager is away); the volume manager is killed
    (SIGKILL) mid-merge and started again, after the merge (the compute
    manager killed and started meanwhile, finding its job again) or while
    it runs. The delete finishes, and .info, the database, the export's
    files and the domain's chain agree; every region written holds its
    data, in the volume and in the snapshot left."""
    svc = service_factory(mode='split4', shares=[nfs_share], extra_config={
        'volume': {'volume_format': 'qcow2'},
        'libvirt': {'block_job_bandwidth': 1}})
    share = _share_dir(svc, nfs_share)
    vol = Attached(svc, share, tmp_path)
    s1_regions = [(0x61, 0, 64 * 1024)]
    vol.fill(*s1_regions[0])
    s1 = vol.snapshot()
    # What the commit copies into the base.
    s2_regions = s1_regions + [(0x62, 64 * MiB, 4 * MiB)]
    vol.fill(*s2_regions[1])
    s2 = vol.snapshot()
    now_regions = s2_regions + [(0x63, 1 * MiB, 64 * 1024)]
    vol.fill(*now_regions[2])
    assert vol.domain_chain() == [vol.overlay(s2), vol.overlay(s1), vol.base]

    since = {name: _log_size(svc, name) for name in svc.names}
    vol.cinder.volume_snapshots.delete(s1)
    harness.wait_for(lambda: _block_job(vol.server_id, 'vdb'), 30,
                     what='the commit to start')
    _set_job_speed(vol.server_id, 'vdb', 16 * 1024)
    svc.kill('snapvol-volume')
    assert _snapshot_rows(svc, vol.volume_id)[s1] == 'deleting'
    if restart == 'after-the-merge':
        svc.kill('snapvol-compute')
        # QEMU merges on without them.
        assert _block_job(vol.server_id, 'vdb')
        svc.restart('snapvol-compute')
        _wait_for_log(svc, 'snapvol-compute', 'Resuming the delete of '
                      'snapshot %s' % s1, since['snapvol-compute'])
        _set_job_speed(vol.server_id, 'vdb', 0)
        _wait_for_log(svc, 'snapvol-compute', 'Snapshot %s: deleting_'
                      'compute_complete' % s1, since['snapvol-compute'])
        assert not _block_job(vol.server_id, 'vdb')
        svc.restart('snapvol-volume')
    else:
        assert _block_job(vol.server_id, 'vdb')
        svc.restart('snapvol-volume')
        # The restarted manager takes up the delete while QEMU merges;
        # then the merge may end.
        _wait_for_log(svc, 'snapvol-volume', 'Resuming snapshot %s' % s1,
                      since['snapvol-volume'])
        harness.wait_for(lambda: svc.log_path('snapvol-compute-api')
                         .read_text()[since['snapvol-compute-api']:].count(
                             'DELETE /v2.1/os-assisted-volume-snapshots/%s'
                             % s1) > 1 or _snapshot_rows(
                                 svc, vol.volume_id).get(s1) != 'deleting',
                         60, what='the restarted manager to act')
        if _block_job(vol.server_id, 'vdb'):
            _set_job_speed(vol.server_id, 'vdb', 0)
    harness.wait_snapshot_deleted(vol.cinder, s1, 180)

    expected = {s2: vol.overlay(s2), 'active': vol.overlay(s2)}
    assert vol.info == expected
    assert _snapshot_rows(svc, vol.volume_id) == {s2: 'available'}
    assert [s.id for s in vol.cinder.volume_snapshots.list()] == [s2]
    assert _db_chain(svc, vol.volume_id) == (vol.overlay(s2), {
        vol.base: 'qcow2', vol.overlay(s2): 'qcow2'})
    assert vol.files() == sorted([vol.base, vol.overlay(s2),
                                  vol.base + '.info'])
    assert vol.domain_chain() == [vol.overlay(s2), vol.base]
    assert not _block_job(vol.server_id, 'vdb')
    monitor_flush(vol.server_id, DATA_DISK)
    _regions_hold(share / vol.overlay(s2), now_regions)
    # Snapshot s2 is its overlay's backing file: the base, s1 merged in.
    _regions_hold(share / vol.base, s2_regions)


# --- one shares file with local, GlusterFS and NFS shares --------------------

UNMOUNTABLE_NFS = 'nfs:127.0.0.1:/no/such/export'


def _free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def _block(mount_point):
    """Something else mounted on a share's mount point: the service finds
    the share unusable (and never writes into the other file system)."""
    os.makedirs(mount_point, exist_ok=True)
    harness.run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'snapvol-blocker',
                 mount_point])


def _unmount(mount_point):
    if harness.run(['umount', mount_point], check=False).returncode != 0:
        harness.run(['umount', '-l', mount_point])


@pytest.fixture
def tmpfs_dir():
    """A directory on a tmpfs of its own (64 MiB, resizable with
    ``mount -o remount,size=``): a local share whose free space the test
    sets. Under harness.MOUNT_ROOT, so a killed run's mount is swept."""
    mount_dir = harness.new_mount_dir('nfs-mix-local')
    path = mount_dir / 'share'
    path.mkdir()
    harness.run(['mount', '-t', 'tmpfs', '-o', 'size=64m,mode=0755',
                 'snapvol-local', path])
    yield path
    harness.remove_mount_dir(mount_dir)


def _files_of(dirs, volume_id):
    """{share line: sorted names of the volume's files on that share}."""
    return {line: sorted(p.name for p in path.glob('volume-%s*' % volume_id))
            for line, path in dirs.items()}


def _mounted_source(path):
    """What /proc/mounts says is mounted at ``path`` (the first line)."""
    with open('/proc/mounts') as f:
        for line in f:
            source, target = line.split()[:2]
            if target == str(path):
                return source
    return None


def _volume_cycle(svc, cinder, dirs, expected):
    """Create, one snapshot, its delete and the volume's delete, the files
    checked on each share after each step; the volume must land on
    ``expected``."""
    vol = cinder.volumes.create(1)
    harness.wait_for_status(lambda: cinder.volumes.get(vol.id), 'available')
    if not expected.startswith('local:'):
        # The files are on the share, not in a bare mount point.
        assert _mounted_source(dirs[expected]) == expected.split(':', 1)[1]
    assert svc.query('SELECT share FROM volumes WHERE id = :v',
                     v=vol.id) == [(expected,)]
    base = 'volume-%s' % vol.id
    nothing = {line: [] for line in dirs}
    assert _files_of(dirs, vol.id) == {**nothing,
                                       expected: [base, base + '.info']}
    snap = cinder.volume_snapshots.create(vol.id)
    harness.wait_for_status(lambda: cinder.volume_snapshots.get(snap.id),
                            'available')
    overlay = '%s.%s' % (base, snap.id)
    assert _files_of(dirs, vol.id) == {
        **nothing, expected: sorted([base, overlay, base + '.info'])}
    info = json.loads((dirs[expected] / (base + '.info')).read_text())
    assert info == {snap.id: overlay, 'active': overlay}
    cinder.volume_snapshots.delete(snap.id)
    harness.wait_snapshot_deleted(cinder, snap.id, 180)
    files = _files_of(dirs, vol.id)
    info = json.loads((dirs[expected] / (base + '.info')).read_text())
    assert list(info) == ['active']
    assert files == {**nothing,
                     expected: sorted({info['active'], base + '.info'})}
    cinder.volumes.delete(vol.id)
    harness.wait_for(lambda: vol.id not in {
        v.id for v in cinder.volumes.list()}, 120, what='volume delete')
    assert _files_of(dirs, vol.id) == nothing


def test_shares_of_three_kinds_in_one_shares_file(service_factory, tmpfs_dir,
                                                  gluster_share, nfs_share):
    """A local, a GlusterFS and an NFS share in one shares file, beside an
    NFS export that cannot be mounted: the service starts and says so, and
    volumes go to the working shares, each kind through a whole life.

    A new volume goes to the usable share with the most free space
    (snapvol_volume/shares.py Shares.pick), and here all three may sit on
    one disk: the local share is a tmpfs whose size the test sets, and a
    network share is made unusable by something else mounted on its mount
    point (as by an operator's mistake)."""
    local = 'local:%s' % tmpfs_dir
    svc = service_factory(
        embedded=True, start=False,
        shares=[local, gluster_share, nfs_share, UNMOUNTABLE_NFS],
        extra_config={'volume': {'volume_format': 'qcow2'}})
    dirs = {local: tmpfs_dir, gluster_share: _share_dir(svc, gluster_share),
            nfs_share: _share_dir(svc, nfs_share)}
    _block(dirs[nfs_share])
    harness.run(['mount', '-o', 'remount,size=%d' % (
        2 * _free_bytes(svc.gluster_root) + imagedata.GiB), tmpfs_dir])
    svc.start()
    log = svc.log_path('snapvol-all').read_text()
    for line in (nfs_share, UNMOUNTABLE_NFS):
        assert 'Share %s cannot be mounted now' % line in log
    assert 'Share %s cannot be mounted now' % gluster_share not in log
    cinder = svc.client('alice')

    _volume_cycle(svc, cinder, dirs, local)
    harness.run(['mount', '-o', 'remount,size=64m', tmpfs_dir])
    _volume_cycle(svc, cinder, dirs, gluster_share)
    # GlusterFS down, the NFS mount point free again: mounted on demand.
    _unmount(dirs[gluster_share])
    _block(dirs[gluster_share])
    _unmount(dirs[nfs_share])
    _volume_cycle(svc, cinder, dirs, nfs_share)
    # Every create tried the export that cannot be mounted, and none used it.
    assert set(svc.query('SELECT share FROM volumes')) == {
        (local,), (gluster_share,), (nfs_share,)}
    assert svc.log_path('snapvol-all').read_text().count(
        'Share %s is unusable' % UNMOUNTABLE_NFS) >= 3
    assert svc.crashed() == {}
