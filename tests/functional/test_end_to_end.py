"""Both services together, as users and operators drive them: volumes and
snapshots through python-cinderclient, a server booted from a volume with a
second volume attached through python-novaclient, live snapshots taken and
merged while QEMU runs, every byte checked after each step.

Runs on snapvol-all with its defaults and on the four processes apart over
RabbitMQ with PostgreSQL.
"""

import json
import os
import signal
import subprocess
import sys

import libvirt
import pytest

from snapvol_compute.virt import host as virt_host
from tests import imagedata

from . import harness
from .test_compute_service import monitor_flush
from .test_compute_service import monitor_write

MiB = imagedata.MiB
GiB = imagedata.GiB
DATA_DISK = 'virtio-disk1/virtio-backend'
BOOT_DISK = 'virtio-disk0/virtio-backend'

DEPLOYMENTS = {
    'all-defaults': {'mode': 'all', 'embedded': True},
    'split4': {'mode': 'split4'},
}




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
            harness.wait_for_status(
                lambda v=vol: self.cinder.volumes.get(v.id), 'available')
        self.volume_id = data.id
        self.boot_id = boot.id
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
        self.fill(pattern, self.writes * MiB, 64 * 1024)
        self.writes += 1

    def fill(self, pattern, offset, length):
        monitor_write(self.server_id, DATA_DISK, pattern, offset, length)
        self.model.write(pattern, offset, length)

    def files(self):
        return sorted(f for f in os.listdir(self.share)
                      if f.startswith(self.base))

    def overlay(self, snapshot_id):
        return '%s.%s' % (self.base, snapshot_id)

    def domain_chain(self):
        host = virt_host.Host('qemu:///system')
        host.connect()
        try:
            disk = host.guest(self.server_id).disk_by_serial(self.volume_id)
            return [layer.source.basename for layer in disk.chain]
        finally:
            host.close()

    def switch_domain_to(self, name):
        """What the compute service would do for a create: the running
        domain writes to the overlay ``name`` from now on."""
        host = virt_host.Host('qemu:///system')
        host.connect()
        try:
            guest = host.guest(self.server_id)
            disk = guest.disk_by_serial(self.volume_id)
            guest.snapshot_disks(
                {disk.target: disk.active.source.with_basename(name)},
                quiesce=False)
        finally:
            host.close()

    def snapshot(self):
        snap = self.cinder.volume_snapshots.create(self.volume_id, force=True)
        harness.wait_for_status(
            lambda: self.cinder.volume_snapshots.get(snap.id), 'available')
        self.at[snap.id] = self.model.checkpoint(snap.id)
        return snap.id

    def delete(self, snapshot_id):
        self.cinder.volume_snapshots.delete(snapshot_id)
        harness.wait_for(lambda: snapshot_id not in {
            s.id for s in self.cinder.volume_snapshots.list()}, 300,
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
    active = info['active']
    assert active != vol.base

    # The active file holds 8 MiB more than the next snapshot's overlay:
    # that snapshot's delete commits the overlay down (an active commit
    # and a pivot) instead of pulling the 8 MiB up.
    vol.fill(0x66, 256 * MiB, 8 * MiB)
    newest = vol.snapshot()
    vol.write(0x77)
    vol.delete(newest)
    vol.verify()
    assert vol.info == {'active': active}
    assert vol.domain_chain() == [active]

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


@pytest.mark.parametrize('system', ['split4'], indirect=True)
def test_hard_reboot_opens_the_active_file(system, share_dir, tmp_path):
    """After live snapshots and merges, a destroy + start from the
    domain's definition opens the right active file with its format.
    (The compute service's domain definition: one deployment is enough.)"""
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


# One deployment each for the scenarios below: what differs between the
# two (RabbitMQ, PostgreSQL, the processes apart) is the same calls as in
# test_live_snapshots_and_merges_in_mixed_order, which runs on both.
# A clone of a live chain's snapshot (test_volume_service clones on both).
@pytest.mark.parametrize('system', ['all-defaults'], indirect=True)
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


# The failure crosses the broker from the compute manager.
@pytest.mark.parametrize('system', ['split4'], indirect=True)
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
        s.id for s in vol.cinder.volume_snapshots.list()}, 180,
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


# snapvol-all's offline merges of a stopped server:
# test_server_actions.test_snapshot_deletes_while_stopped_then_start.
@pytest.mark.parametrize('system', ['split4'], indirect=True)
def test_deletes_while_the_instance_is_shut_off(system, share_dir, tmp_path):
    """A middle and then the newest snapshot deleted while the instance is
    shut off: merged offline, committing down, and the definition names
    the active file the commit of the newest made, so the instance starts
    on the right file; upstream Nova answers 400 here."""
    vol = Attached(system, share_dir, tmp_path)
    snaps = []
    for pattern in (0x21, 0x22, 0x23):
        vol.write(pattern)
        snaps.append(vol.snapshot())
    vol.write(0x24)
    vol.verify()
    active = vol.overlay(snaps[0])
    vol.power_off()
    vol.delete(snaps[1])
    vol.delete(snaps[2])
    assert vol.info == {snaps[0]: active, 'active': active}
    assert _share_files(share_dir) == sorted(
        [vol.base, active, vol.base + '.info'] + [
            f for f in _share_files(share_dir) if vol.volume_id not in f])
    vol.verify(running=False)
    conn = libvirt.open('qemu:///system')
    try:
        conn.lookupByUUIDString(vol.server_id).create()
    finally:
        conn.close()
    assert vol.domain_chain() == [active, vol.base]
    vol.write(0x25)
    vol.delete(snaps[0])
    vol.verify()


# Failure injection on the four processes apart: one can be killed while
# the others run. The compute manager has one worker, which a snapshot of a
# second server whose QEMU is stopped keeps busy (libvirt waits for QEMU):
# a request for the data volume is accepted then but waits, as behind a
# hung hypervisor call.

@pytest.fixture
def impatient(service_factory, share_dir):
    svc = service_factory(
        mode='split4', shares=['local:%s' % share_dir], extra_config={
            'volume': {'assisted_snapshot_create_timeout': 5},
            'compute': {'worker_threads': 1}})
    yield svc
    nova = svc.nova('admin')
    for server in nova.servers.list():
        nova.servers.delete(server.id)


def _log_size(svc, name):
    return len(svc.log_path(name).read_text())


def _wait_for_log(svc, name, text, since=0, timeout=60):
    """Until ``text`` is in the log of ``name`` after its first ``since``
    characters."""
    harness.wait_for(lambda: text in svc.log_path(name).read_text()[since:],
                     timeout, what='%r in the log of %s' % (text, name))


def _block_job(server_id, target):
    conn = libvirt.open('qemu:///system')
    try:
        return conn.lookupByUUIDString(server_id).blockJobInfo(target, 0)
    finally:
        conn.close()


class StalledServer:
    """A second server, its QEMU stopped while the compute manager's only
    worker snapshots its boot volume."""

    def __init__(self, svc, vol):
        self.svc, self.cinder = svc, vol.cinder
        boot = self.cinder.volumes.create(1, name='stalled')
        harness.wait_for_status(lambda: self.cinder.volumes.get(boot.id),
                                'available')
        server = vol.nova.servers.create(
            'stalled', image=None, flavor='1', block_device_mapping_v2=[{
                'uuid': boot.id, 'source_type': 'volume',
                'destination_type': 'volume', 'boot_index': 0}])
        harness.wait_for_status(lambda: vol.nova.servers.get(server.id),
                                'ACTIVE', timeout=120, failed=('ERROR',))
        with open('/run/libvirt/qemu/instance-%s.pid' % server.id) as f:
            self.qemu_pid = int(f.read())
        self.boot_id, self.server_id = boot.id, server.id

    def __enter__(self):
        since = _log_size(self.svc, 'snapvol-compute')
        os.kill(self.qemu_pid, signal.SIGSTOP)
        self.snapshot = self.cinder.volume_snapshots.create(self.boot_id,
                                                            force=True)
        _wait_for_log(self.svc, 'snapvol-compute', 'Quiescing %s failed'
                      % self.server_id, since)
        return self

    def __exit__(self, *exc):
        os.kill(self.qemu_pid, signal.SIGCONT)


def test_compute_never_answers(impatient, share_dir, tmp_path):
    """No report comes: a delete of the waiting snapshot is refused, and
    the create fails after the timeout, its overlay gone. When libvirt did
    switch to the overlay after all, the volume manager finds that out
    from the domain and records the snapshot instead. The late requests,
    run at last, change nothing."""
    vol = Attached(impatient, share_dir, tmp_path)
    vol.write(0x31)
    vol.verify()
    info, files = vol.info, vol.files()
    cinder = vol.cinder

    with StalledServer(impatient, vol):
        lost = cinder.volume_snapshots.create(vol.volume_id, force=True)
        with pytest.raises(Exception, match='creating'):
            cinder.volume_snapshots.delete(lost.id)
        harness.wait_for_status(lambda: cinder.volume_snapshots.get(lost.id),
                                'error', failed=())
        assert vol.info == info
        assert vol.files() == files
        vol.verify()

        switched = cinder.volume_snapshots.create(vol.volume_id, force=True)
        name = vol.overlay(switched.id)
        harness.wait_for(lambda: name in vol.files(), 30, what='the overlay')
        vol.switch_domain_to(name)
        vol.at[switched.id] = vol.model.checkpoint(switched.id)
        vol.write(0x32)
        harness.wait_for_status(
            lambda: cinder.volume_snapshots.get(switched.id), 'available')
        assert vol.info == {switched.id: name, 'active': name}
        vol.verify()

    _wait_for_log(impatient, 'snapvol-compute',
                  'already writes to %s' % name)
    assert cinder.volume_snapshots.get(lost.id).status == 'error'
    assert vol.info == {switched.id: name, 'active': name}
    assert vol.domain_chain() == [name, vol.base]
    vol.write(0x33)
    vol.delete(switched.id)
    vol.verify()


@pytest.mark.parametrize('operation', ['create', 'create_set', 'delete'])
def test_volume_manager_restarts_mid_operation(impatient, share_dir,
                                               tmp_path, operation):
    """The volume manager dies while it waits for the compute service,
    which finishes meanwhile; started again, it learns the outcome from
    the domain: the snapshot (or each member of a group snapshot of both
    disks, seed 002) ends available, or deleted, and the domain, .info,
    the database and the files agree."""
    vol = Attached(impatient, share_dir, tmp_path)
    vol.write(0x41)
    older = vol.snapshot()
    vol.write(0x42)
    vol.verify()
    groups = impatient.client('alice', version='3.14')
    if operation == 'create_set':
        group = groups.groups.create('consistent', 'default', name='both')
        groups.groups.update(group.id, add_volumes='%s,%s' % (
            vol.boot_id, vol.volume_id))
    stalled = StalledServer(impatient, vol).__enter__()
    since = _log_size(impatient, 'snapvol-compute-api')
    if operation == 'create':
        snap = vol.cinder.volume_snapshots.create(vol.volume_id, force=True)
    if operation == 'create_set':
        group_snapshot = groups.group_snapshots.create(group.id)
        members = {s.volume_id: s for s in groups.volume_snapshots.list(
            search_opts={'group_snapshot_id': group_snapshot.id})}
        snap = members[vol.volume_id]
    if operation != 'delete':
        vol.at[snap.id] = vol.model.checkpoint(snap.id)
        expected = {older: vol.overlay(older), snap.id: vol.overlay(snap.id),
                    'active': vol.overlay(snap.id)}
    else:
        vol.cinder.volume_snapshots.delete(older)
        del vol.at[older]
        expected = {'active': vol.overlay(older)}
    _wait_for_log(impatient, 'snapvol-compute-api',
                  '/v2.1/os-assisted-volume-snapshots', since)
    impatient.kill('snapvol-volume')
    stalled.__exit__()
    harness.wait_for(lambda: vol.domain_chain()[0] == expected['active']
                     and len(vol.domain_chain()) == len(set(
                         expected.values())) + 1 - (operation == 'delete'),
                     90, what='the compute service to finish')
    impatient.restart('snapvol-volume')
    if operation == 'create':
        harness.wait_for_status(
            lambda: vol.cinder.volume_snapshots.get(snap.id), 'available')
    elif operation == 'create_set':
        harness.wait_for_status(
            lambda: groups.group_snapshots.get(group_snapshot.id),
            'available')
        boot = members[vol.boot_id]
        assert groups.volume_snapshots.get(boot.id).status == 'available'
        with open(os.path.join(share_dir,
                               'volume-%s.info' % vol.boot_id)) as f:
            boot_overlay = 'volume-%s.%s' % (vol.boot_id, boot.id)
            assert json.load(f) == {boot.id: boot_overlay,
                                    'active': boot_overlay}
    else:
        harness.wait_for(lambda: older not in {
            s.id for s in vol.cinder.volume_snapshots.list()}, 180,
            what='the snapshot to go')
    assert vol.info == expected
    expected_files = set(expected.values()) | {vol.base + '.info'}
    if operation != 'delete':
        expected_files.add(vol.base)
    assert set(vol.files()) == expected_files
    vol.verify()
    vol.write(0x43)
    if operation == 'create_set':
        # Members go with their set, not one by one.
        groups.group_snapshots.delete(group_snapshot.id)
        harness.wait_for(lambda: snap.id not in {
            s.id for s in vol.cinder.volume_snapshots.list()}, 300,
            what='the group snapshot to go')
        del vol.at[snap.id]
    for snapshot_id in list(vol.at):
        vol.delete(snapshot_id)
    vol.verify()


def test_compute_manager_restarts_mid_merge(service_factory, share_dir,
                                            tmp_path):
    """The compute manager dies while QEMU commits (slowed to 1 MiB/s);
    started again, it finds the block job, waits for it and reports, and
    the volume manager, still waiting, finishes the delete."""
    impatient = service_factory(
        mode='split4', shares=['local:%s' % share_dir],
        extra_config={'libvirt': {'block_job_bandwidth': 1}})
    vol = Attached(impatient, share_dir, tmp_path)
    s1 = vol.snapshot()
    vol.fill(0x51, 64 * MiB, 8 * MiB)
    s2 = vol.snapshot()
    vol.write(0x52)
    vol.verify()
    vol.cinder.volume_snapshots.delete(s1)
    del vol.at[s1]
    harness.wait_for(lambda: _block_job(vol.server_id, 'vdb'), 30,
                     what='the commit to start')
    impatient.kill('snapvol-compute')
    impatient.restart('snapvol-compute')
    harness.wait_for(lambda: s1 not in {
        s.id for s in vol.cinder.volume_snapshots.list()}, 300,
        what='snapshot %s to go' % s1)
    assert vol.info == {s2: vol.overlay(s2), 'active': vol.overlay(s2)}
    assert vol.domain_chain() == [vol.overlay(s2), vol.base]
    vol.verify()


def test_illegal_status_report_changes_nothing(impatient, share_dir,
                                               tmp_path):
    """A report over RPC that is not a legal transition (the snapshot is
    available, nothing waits) is refused and logged."""
    vol = Attached(impatient, share_dir, tmp_path)
    vol.write(0x61)
    snap = vol.snapshot()
    info, files = vol.info, _share_files(share_dir)
    subprocess.run([sys.executable, '-c', _REPORT, str(impatient.config_file),
                    snap, vol.base], check=True, timeout=60)
    _wait_for_log(impatient, 'snapvol-volume',
                  'Refused report creating_compute_complete on snapshot %s'
                  % snap)
    assert vol.cinder.volume_snapshots.get(snap).status == 'available'
    assert vol.info == info
    assert _share_files(share_dir) == files
    vol.verify()


# A compute service that lies: casts a report no operation asked for.
_REPORT = """
import sys
from snapvol_api import context
from snapvol_api.runtime import service
from snapvol_api.rpc import volume_rpcapi
service.prepare(['report', '--config-file', sys.argv[1]])
volume_rpcapi.VolumeAPI().update_snapshot_status(
    context.get_admin_context(), sys.argv[2], 'creating_compute_complete',
    '90%', file_format={sys.argv[3]: 'qcow2'})
"""


GLUSTER_ACCESS = {
    # QEMU opens the files over libgfapi, as its own user.
    'libgfapi': ({'volume': {'file_owner': 'libvirt-qemu'},
                  'libvirt': {'qemu_allowed_storage_drivers': 'gluster'}},
                 "protocol='gluster'"),
    # The compute service mounts the volume with FUSE (the same mount as
    # the volume service's, on one host) and QEMU opens files.
    'fuse': ({}, "<source file="),
}


@pytest.mark.parametrize('access', sorted(GLUSTER_ACCESS))
def test_live_snapshots_on_glusterfs(service_factory, gluster_share,
                                     tmp_path, access):
    """The volumes on GlusterFS, opened by QEMU over libgfapi (network
    disks) or as files of the compute host's FUSE mount: live snapshots
    and a commit, every byte checked through the FUSE mount. (Pulls are
    the same jobs as on local files; tests/functional/test_compute_service
    runs every merge on GlusterFS network disks.)"""
    extra_config, disk_shows = GLUSTER_ACCESS[access]
    svc = service_factory(mode='split4', shares=[gluster_share],
                          extra_config=extra_config)
    vol = Attached(svc, str(svc.gluster_root), tmp_path)
    try:
        assert disk_shows in vol.domain_xml()
        snaps = []
        for pattern in (0xb1, 0xb2):
            vol.write(pattern)
            snaps.append(vol.snapshot())
        vol.write(0xb3)
        # Every byte is read once, at the end: through GlusterFS's FUSE
        # mount a 1 GiB volume and its snapshot take a minute here.
        # The oldest: a commit into the base, layers named by index.
        vol.delete(snaps[0])
        vol.write(0xc0)
        vol.verify()
        assert vol.info == {snaps[1]: vol.overlay(snaps[1]),
                            'active': vol.overlay(snaps[1])}
        assert vol.files() == sorted([vol.base, vol.overlay(snaps[1]),
                                      vol.base + '.info'])
    finally:
        for server in vol.nova.servers.list():
            vol.nova.servers.delete(server.id)
