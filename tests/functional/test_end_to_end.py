"""Both services together, as users and operators drive them: volumes and
snapshots through python-cinderclient, a server booted from a volume with a
second volume attached through python-novaclient, live snapshots taken and
merged while QEMU runs, every byte checked after each step.

Runs on snapvol-all with its defaults and on the four processes apart over
RabbitMQ with PostgreSQL.
"""

import json
import os
import shutil
import tempfile

import libvirt
import pytest

from tests import imagedata
from . import harness
from .test_compute_service import monitor_flush, monitor_write

MiB = imagedata.MiB
GiB = imagedata.GiB
DATA_DISK = 'virtio-disk1/virtio-backend'
BOOT_DISK = 'virtio-disk0/virtio-backend'

DEPLOYMENTS = {
    'all-defaults': {'mode': 'all', 'embedded': True},
    'split4': {'mode': 'split4'},
}


@pytest.fixture
def share_dir():
    # QEMU runs as libvirt-qemu: not under pytest's 0700 tmp directories.
    path = tempfile.mkdtemp(prefix='snapvol-e2e-', dir='/var/tmp')
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(params=sorted(DEPLOYMENTS))
def system(request, service_factory, share_dir):
    svc = service_factory(shares=['local:%s' % share_dir],
                          **DEPLOYMENTS[request.param])
    yield svc
    nova = svc.nova('admin')
    for server in nova.servers.list():
        nova.servers.delete(server.id)


class Attached:
    """A data volume attached to a running server, seen from the share."""

    def __init__(self, svc, share, workdir):
        self.svc = svc
        self.share = share
        self.cinder = svc.client('alice')
        self.nova = svc.nova('admin')
        boot = self.cinder.volumes.create(1, name='boot')
        data = self.cinder.volumes.create(1, name='data')
        for vol in (boot, data):
            harness.wait_for_status(lambda v=vol: self.cinder.volumes.get(v.id),
                                    'available')
        self.volume_id = data.id
        self.base = 'volume-%s' % data.id
        server = self.nova.servers.create(
            'e2e', image=None, flavor='1', block_device_mapping_v2=[{
                'uuid': boot.id, 'source_type': 'volume',
                'destination_type': 'volume', 'boot_index': 0}])
        self.server_id = server.id
        harness.wait_for_status(lambda: self.nova.servers.get(server.id),
                                'ACTIVE', timeout=120, failed=('ERROR',))
        self.nova.volumes.create_server_volume(server.id, data.id)
        harness.wait_for_status(lambda: self.cinder.volumes.get(data.id),
                                'in-use')
        self.model = imagedata.ImageModel(workdir / 'data.raw', GiB)
        self.at = {}
        self.writes = 0

    @property
    def info(self):
        with open(os.path.join(self.share, self.base + '.info')) as f:
            return json.load(f)

    def write(self, pattern):
        offset = self.writes * MiB
        monitor_write(self.server_id, DATA_DISK, pattern, offset, 64 * 1024)
        self.model.write(pattern, offset, 64 * 1024)
        self.writes += 1

    def snapshot(self):
        snap = self.cinder.volume_snapshots.create(self.volume_id, force=True)
        harness.wait_for_status(
            lambda: self.cinder.volume_snapshots.get(snap.id), 'available')
        self.at[snap.id] = self.model.checkpoint(snap.id)
        return snap.id

    def delete(self, snapshot_id):
        self.cinder.volume_snapshots.delete(snapshot_id)
        harness.wait_for(lambda: snapshot_id not in {
            s.id for s in self.cinder.volume_snapshots.list()}, 120,
            what='snapshot %s to go' % snapshot_id)
        del self.at[snapshot_id]

    def _fmt(self, name):
        return 'raw' if name == self.base else 'qcow2'

    def verify(self, running=True):
        """The volume and every snapshot hold exactly their data, and the
        domain writes to the file .info names."""
        if running:
            monitor_flush(self.server_id, DATA_DISK)
        info = self.info
        active = os.path.join(self.share, info['active'])
        fmt = imagedata.image_chain(active, 'qcow2' if '.' in info[
            'active'].split('volume-')[1] else 'raw', force_share=True)[0][
            'format']
        self.model.assert_matches(active, fmt, force_share=True)
        for snapshot_id, model in self.at.items():
            header = imagedata.image_chain(
                os.path.join(self.share, info[snapshot_id]), 'qcow2',
                force_share=True)[0]
            model.assert_matches(
                os.path.join(self.share, header['backing-filename']),
                header['backing-filename-format'], force_share=True)
        if running:
            assert "/%s'" % info['active'] in self.domain_xml()

    def power_off(self):
        conn = libvirt.open('qemu:///system')
        try:
            conn.lookupByUUIDString(self.server_id).destroy()
        finally:
            conn.close()

    def domain_xml(self):
        conn = libvirt.open('qemu:///system')
        try:
            return conn.lookupByUUIDString(self.server_id).XMLDesc(0)
        finally:
            conn.close()


def test_live_snapshots_and_merges_in_mixed_order(system, share_dir,
                                                  tmp_path):
    vol = Attached(system, share_dir, tmp_path)
    vol.write(0x11)
    ids = []
    for pattern in (0x22, 0x33, 0x44):
        ids.append(vol.snapshot())
        vol.write(pattern)
    vol.verify()
    # Three overlays, the newest active in the domain and in .info.
    assert len(vol.info) == 4

    vol.delete(ids.pop(1))          # middle: commit into the file below
    vol.verify()
    vol.write(0x55)
    vol.delete(ids.pop())           # newest: pull into the active file
    vol.verify()
    vol.delete(ids.pop())           # the only one: pull with no base
    vol.verify()
    info = vol.info
    assert list(info) == ['active']
    assert not os.path.exists(os.path.join(share_dir, vol.base))
    assert info['active'] != vol.base

    # Later offline operations still work, after a detach (of a shut-off
    # server: a guest with no OS never lets a hot-plugged disk go).
    s4 = vol.snapshot()
    vol.power_off()
    vol.nova.volumes.delete_server_volume(vol.server_id, vol.volume_id)
    harness.wait_for_status(lambda: vol.cinder.volumes.get(vol.volume_id),
                            'available')
    vol.delete(s4)
    vol.verify(running=False)
    clone = vol.cinder.volumes.create(1, name='copy')
    harness.wait_for_status(lambda: vol.cinder.volumes.get(clone.id),
                            'available')


def test_hard_reboot_opens_the_active_file(system, share_dir, tmp_path):
    """After live snapshots and merges, a destroy + start from the
    domain's definition opens the right active file with its format."""
    vol = Attached(system, share_dir, tmp_path)
    vol.write(0x61)
    s1 = vol.snapshot()
    vol.write(0x62)
    s2 = vol.snapshot()
    vol.write(0x63)
    vol.delete(s1)
    vol.verify()
    conn = libvirt.open('qemu:///system')
    try:
        domain = conn.lookupByUUIDString(vol.server_id)
        domain.destroy()
        domain.create()
    finally:
        conn.close()
    vol.verify()
    vol.write(0x64)
    vol.delete(s2)
    vol.verify()


def test_create_from_snapshot_of_attached_volume(system, share_dir,
                                                 tmp_path):
    vol = Attached(system, share_dir, tmp_path)
    vol.write(0x71)
    s1 = vol.snapshot()
    vol.write(0x72)
    clone = vol.cinder.volumes.create(1, snapshot_id=s1, name='from-live')
    harness.wait_for_status(lambda: vol.cinder.volumes.get(clone.id),
                            'available')
    vol.at[s1].assert_matches(
        os.path.join(share_dir, 'volume-%s' % clone.id), 'raw')
    vol.delete(s1)
    vol.verify()


def _share_files(share_dir):
    return sorted(os.listdir(share_dir))


def test_create_while_libvirt_fails_changes_nothing(system, share_dir,
                                                    tmp_path):
    """libvirt refuses the snapshot (the instance requires quiescing and
    has no agent): error, .info and the chain as before, no overlay left;
    deleting that snapshot later succeeds and touches no file."""
    vol = Attached(system, share_dir, tmp_path)
    vol.write(0x81)
    vol.nova.servers.set_meta(vol.server_id, {'hw_qemu_guest_agent': 'yes'})
    info, files = vol.info, _share_files(share_dir)
    snap = vol.cinder.volume_snapshots.create(vol.volume_id, force=True)
    harness.wait_for_status(
        lambda: vol.cinder.volume_snapshots.get(snap.id), 'error',
        failed=())
    assert vol.info == info
    assert _share_files(share_dir) == files
    vol.verify()
    vol.cinder.volume_snapshots.delete(snap.id)
    harness.wait_for(lambda: snap.id not in {
        s.id for s in vol.cinder.volume_snapshots.list()}, 60,
        what='the failed snapshot to go')
    assert vol.info == info
    assert _share_files(share_dir) == files
    vol.verify()


@pytest.mark.parametrize('system', ['split4'], indirect=True)
def test_compute_api_unreachable(system, share_dir, tmp_path):
    vol = Attached(system, share_dir, tmp_path)
    vol.write(0x91)
    info, files = vol.info, _share_files(share_dir)
    system.stop('snapvol-compute-api')
    snap = vol.cinder.volume_snapshots.create(vol.volume_id, force=True)
    harness.wait_for_status(
        lambda: vol.cinder.volume_snapshots.get(snap.id), 'error',
        failed=())
    assert vol.info == info
    assert _share_files(share_dir) == files
    system.restart('snapvol-compute-api')
    s2 = vol.snapshot()
    vol.write(0x92)
    vol.delete(s2)
    vol.verify()
