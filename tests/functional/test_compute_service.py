"""The compute service as the volume service uses it: python-novaclient
against a running snapvol-compute-api, a real domain under libvirt + QEMU,
status reports over the real broker.

The test plays the volume service's part on the share (creating overlay
files, removing merged ones, keeping its own .info-like map) and a
stand-in receives the reports (see volume_standin). Data is written by the
running QEMU itself (its monitor's qemu-io) and read back through QEMU's
block layer with qemu-img after every merge.
"""

import os
import pwd
import signal
import subprocess
import threading
import uuid

import libvirt
import libvirt_qemu
import pytest

from snapvol_api.runtime import nfs
from snapvol_compute.virt import config
from tests import imagedata

from . import harness
from .volume_standin import StandInServer

MiB = imagedata.MiB
SIZE = 64 * MiB
PAD_TO = 64 * 1024
QEMU_USER = 'libvirt-qemu'
# The virtio-blk device of vda (libvirt's alias virtio-disk0 names its PCI
# proxy; the block backend hangs off this child).
BOOT_DISK = 'virtio-disk0/virtio-backend'


class Share:
    """A directory QEMU can open files in: a local one, the test's FUSE
    mount of the GlusterFS volume (QEMU then reaches it over libgfapi), or
    the compute service's mount of the NFS export (its ``export``)."""

    def __init__(self, directory, connection, export=None):
        self.dir = directory
        self.connection = connection
        self.export = export or directory
        self.volume_ids = []

    def remove_files(self):
        """The files of this test's volumes (the GlusterFS volume is
        shared with other tests)."""
        for volume_id in self.volume_ids:
            for name in os.listdir(self.dir):
                if name.startswith('volume-%s' % volume_id):
                    os.unlink(os.path.join(self.dir, name))

    def chown(self, path):
        # libgfapi opens files as QEMU's user; libvirt chowns only files.
        if self.connection == 'glusterfs':
            user = pwd.getpwnam(QEMU_USER)
            os.chown(path, user.pw_uid, user.pw_gid)


class Volume:
    """What the volume service keeps for one volume, done by hand."""

    def __init__(self, share, workdir):
        self.share = share
        self.id = str(uuid.uuid4())
        share.volume_ids.append(self.id)
        self.base = 'volume-%s' % self.id
        self.formats = {self.base: 'raw'}
        self.files = {}      # snapshot id -> overlay made at it
        self.active = self.base
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'raw',
                        self.path(self.base), str(SIZE)], check=True)
        share.chown(self.path(self.base))
        self.model = imagedata.ImageModel(workdir / (self.id + '.raw'), SIZE)
        self.at = {}         # snapshot id -> its point in time
        self.writes = 0

    def path(self, name):
        return os.path.join(self.share.dir, name)

    def connection_info(self):
        return {'driver_volume_type': self.share.connection,
                'data': {'export': self.share.export, 'name': self.active,
                         'format': self.formats[self.active]}}

    def new_overlay(self, snapshot_id):
        name = '%s.%s' % (self.base, snapshot_id)
        path = self.path(name)
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b',
                        self.active, '-F', self.formats[self.active], path,
                        str(SIZE)], check=True, cwd=self.share.dir)
        size = os.path.getsize(path)
        os.truncate(path, size + (-size) % PAD_TO)
        self.share.chown(path)
        return name

    def backing(self, name):
        header = imagedata.image_chain(self.path(name), self.formats[name],
                                       force_share=True)[0]
        return header.get('backing-filename')

    def assert_data(self):
        """Every byte, read through QEMU's block layer; the caller has
        made the running QEMU flush first."""
        self.model.assert_matches(self.path(self.active),
                                  self.formats[self.active], force_share=True)
        for snapshot_id, model in self.at.items():
            below = self.backing(self.files[snapshot_id])
            model.assert_matches(self.path(below), self.formats[below],
                                 force_share=True)


def _monitor(server_id, device, *commands):
    conn = libvirt.open('qemu:///system')
    try:
        domain = conn.lookupByUUIDString(server_id)
        for command in commands:
            out = libvirt_qemu.qemuMonitorCommand(
                domain, 'qemu-io -d %s "%s"' % (device, command),
                libvirt_qemu.VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP)
            assert 'error' not in out.lower(), out
    finally:
        conn.close()


def monitor_flush(server_id, device):
    """Makes the running QEMU write out the metadata it caches (of the
    whole chain, after a merge too), so qemu-img reads what it shows."""
    _monitor(server_id, device, 'flush')


def monitor_write(server_id, device, pattern, offset, length):
    """Writes through the running QEMU's own block layer (HMP qemu-io on
    the disk's qdev), as the guest would, and flushes. HMP returns errors
    of the command, not qemu-io's own output."""
    _monitor(server_id, device,
             'write -P %d %d %d' % (pattern, offset, length), 'flush')


class Scenario:
    """A server booted from a volume through the compute API, and the
    assisted snapshot calls the volume service would make."""

    def __init__(self, svc, standin, share, workdir):
        self.nova = svc.nova('admin')
        self.standin = standin
        self.vol = Volume(share, workdir)
        standin.add_volume(self.vol.id, self.vol.connection_info())
        self.vol.model.write_image(self.vol.path(self.vol.base), 'raw',
                                   0x01, 0, 1 * MiB)
        server = self.nova.servers.create(
            'snap-test', image=None, flavor='1',
            block_device_mapping_v2=[{
                'uuid': self.vol.id, 'source_type': 'volume',
                'destination_type': 'volume', 'boot_index': 0}])
        self.server_id = server.id
        harness.wait_for_status(lambda: self.nova.servers.get(server.id),
                                'ACTIVE', timeout=120, failed=('ERROR',))

    def write(self, pattern):
        offset = (1 + self.vol.writes) * MiB
        monitor_write(self.server_id, BOOT_DISK, pattern, offset,
                      64 * 1024)
        self.vol.model.write(pattern, offset, 64 * 1024)
        self.vol.writes += 1

    def verify(self):
        monitor_flush(self.server_id, BOOT_DISK)
        self.vol.assert_data()

    def snapshot(self):
        snapshot_id = str(uuid.uuid4())
        name = self.vol.new_overlay(snapshot_id)
        self.nova.assisted_volume_snapshots.create(
            self.vol.id, {'snapshot_id': snapshot_id, 'type': 'qcow2',
                          'new_file': name})
        report = self.last_report = self.standin.report(snapshot_id)
        assert report['status'] == 'creating_compute_complete', report
        assert report['file_format'] == {name: 'qcow2'}
        assert report['progress'] == '90%'
        self.vol.formats[name] = 'qcow2'
        self.vol.files[snapshot_id] = name
        self.vol.active = name
        self.vol.at[snapshot_id] = self.vol.model.checkpoint(snapshot_id)
        return snapshot_id

    def _delete(self, snapshot_id, file_to_merge, merge_target_file):
        self.nova.assisted_volume_snapshots.delete(snapshot_id, {
            'type': 'qcow2', 'volume_id': self.vol.id,
            'file_to_merge': file_to_merge,
            'merge_target_file': merge_target_file})
        report = self.standin.report(snapshot_id)
        assert report['status'] == 'deleting_compute_complete', report
        return report

    def delete_by_commit(self, snapshot_id):
        """Commit the snapshot's overlay into the file below it (an active
        commit with pivot when it is the active file)."""
        name = self.vol.files.pop(snapshot_id)
        below = self.vol.backing(name)
        report = self._delete(snapshot_id, name, below)
        assert report['file_format'] == {below: self.vol.formats[below]}
        if name == self.vol.active:
            self.vol.active = below
        os.unlink(self.vol.path(name))
        del self.vol.at[snapshot_id]

    def delete_newest_by_pull(self, snapshot_id):
        """Pull the file below the active overlay into it (what Cinder
        does for the newest snapshot): the active file takes over the
        place of that file, which is removed."""
        name = self.vol.files[snapshot_id]
        assert name == self.vol.active
        below = self.vol.backing(name)
        new_base = self.vol.backing(below)
        report = self._delete(snapshot_id, new_base, None)
        assert report['file_format'][name] == 'qcow2'
        assert self.vol.backing(name) == new_base
        for other, file in self.vol.files.items():
            if file == below:
                self.vol.files[other] = name
        del self.vol.files[snapshot_id]
        del self.vol.at[snapshot_id]
        os.unlink(self.vol.path(below))

    def chain(self):
        conn = libvirt.open('qemu:///system')
        try:
            xml = conn.lookupByUUIDString(self.server_id).XMLDesc(0)
        finally:
            conn.close()
        return xml




@pytest.fixture(params=['local', 'glusterfs', 'nfs'])
def stack(request, service_factory, share_dir):
    extra = {}
    if request.param == 'glusterfs':
        # At the volume's root, where the volume service keeps its files.
        share = Share(str(request.getfixturevalue('gluster_mount')),
                      'glusterfs', '%s:/%s' % harness.gluster_spec())
        extra = {'libvirt': {'qemu_allowed_storage_drivers': 'gluster'}}
    elif request.param == 'local':
        share = Share(share_dir, 'local')
    svc = service_factory(mode='compute', extra_config=extra)
    if request.param == 'nfs':
        # The mount the compute service makes for the volume, made first:
        # both name it after the export under its nfs_mount_point_base.
        export = request.getfixturevalue('nfs_share').split(':', 1)[1]
        mount = nfs.Mount(export, str(svc.mount_dir))
        mount.ensure_mounted()
        share = Share(mount.path, 'nfs', export)
    standin = StandInServer(svc.transport_url, svc.control_exchange)
    yield svc, standin.endpoint, share
    for server in svc.nova('admin').servers.list():
        svc.nova('admin').servers.delete(server.id)
    standin.stop()
    if share.connection != 'local':
        share.remove_files()        # the export is shared with other tests


# Each libgfapi client takes ~10 s to close here: over GlusterFS one depth
# that has a middle, an oldest and a newest is enough; on NFS depths 1
# (active commit) and 3. (Chosen here, not skipped in the test: a skip
# would come after its stack was started.)
@pytest.mark.parametrize('stack,depth', [
    ('local', 1), ('local', 3), ('local', 10), ('glusterfs', 3),
    ('nfs', 1), ('nfs', 3)], indirect=['stack'])
def test_chain_of_snapshots_then_merges(stack, tmp_path, depth):
    svc, standin, share = stack
    run = Scenario(svc, standin, share, tmp_path)
    ids = []
    for n in range(depth):
        run.write(0x10 + n)
        ids.append(run.snapshot())
    run.write(0x7f)
    run.verify()

    if depth >= 3:
        run.delete_by_commit(ids.pop(len(ids) // 2))       # a middle one
        run.verify()
        run.delete_by_commit(ids.pop(0))                    # the oldest
        run.verify()
        run.write(0x80)
        run.delete_newest_by_pull(ids.pop())                # the newest
        run.verify()
    while ids:
        run.write(0x90 + len(ids))
        run.delete_by_commit(ids.pop())                     # active commit
        run.verify()
    # One file is left, and it is the one the domain opens.
    assert run.vol.backing(run.vol.active) is None
    xml = run.chain()
    assert "/%s'" % run.vol.active in xml
    assert '<backingStore type=' not in xml


# GlusterFS and NFS: test_chain_of_snapshots_then_merges pulls the newest.
@pytest.mark.parametrize('stack', ['local'], indirect=True)
def test_pull_of_the_only_snapshot(stack, tmp_path):
    svc, standin, share = stack
    run = Scenario(svc, standin, share, tmp_path)
    s1 = run.snapshot()
    run.write(0x21)
    run.delete_newest_by_pull(s1)
    assert run.vol.backing(run.vol.active) is None
    assert run.vol.formats[run.vol.active] == 'qcow2'
    run.verify()


# Disk-type independent: local files are enough (libgfapi is slow here).
@pytest.mark.parametrize('stack', ['local'], indirect=True)
def test_bad_requests_are_refused(stack, tmp_path):
    svc, standin, share = stack
    run = Scenario(svc, standin, share, tmp_path)
    http = harness.RawHTTP(svc.compute_url + '/v2.1', svc.user('admin'))
    bad_creates = [
        {'snapshot_id': str(uuid.uuid4()), 'type': 'qcow2',
         'new_file': '../escape'},
        {'snapshot_id': str(uuid.uuid4()), 'type': 'raw', 'new_file': 'x'},
        {'snapshot_id': 'not-a-uuid', 'type': 'qcow2', 'new_file': 'x'},
    ]
    for create_info in bad_creates:
        r = http.post(svc.compute_url + '/v2.1/os-assisted-volume-snapshots',
                      json={'snapshot': {'volume_id': run.vol.id,
                                         'create_info': create_info}})
        assert r.status_code == 400, r.text
        assert r.json()['badRequest']['code'] == 400
    r = http.post(svc.compute_url + '/v2.1/os-assisted-volume-snapshots',
                  json={'snapshot': {'volume_id': str(uuid.uuid4()),
                                     'create_info': {
                                         'snapshot_id': str(uuid.uuid4()),
                                         'type': 'qcow2', 'new_file': 'x'}}})
    # Nova's answer for a volume that is not attached.
    assert r.status_code == 400, r.text
    assert 'not attached' in r.json()['badRequest']['message']
    r = http.get(svc.compute_url + '/v2.1/servers',
                 auth=(svc.user('alice').name, svc.user('alice').password))
    assert r.status_code == 403
    # A file the disk does not have: refused by the manager, reported.
    snapshot_id = str(uuid.uuid4())
    run.nova.assisted_volume_snapshots.delete(snapshot_id, {
        'type': 'qcow2', 'volume_id': run.vol.id,
        'file_to_merge': 'volume-%s.%s' % (run.vol.id, uuid.uuid4()),
        'merge_target_file': run.vol.base})
    report = standin.report(snapshot_id)
    assert report['status'] == 'error'
    assert 'not in the chain' in report['reason']
    # Nothing changed: the domain still runs on the base file.
    run.write(0x33)
    run.verify()


# The job is QEMU's whatever the disk: one on local files (on NFS:
# test_nfs.py::test_managers_restart_mid_merge_on_nfs).
@pytest.mark.parametrize('stack', ['local'], indirect=True)
def test_compute_killed_during_a_long_commit(stack, tmp_path):
    """snapvol-compute dies while QEMU commits a few hundred MiB with a
    bandwidth limit; started again, it finds the job, pivots it when it is
    ready and reports the outcome: nothing is lost."""
    svc, standin, share = stack
    svc.stop('snapvol-compute')
    svc.extra_config.setdefault('libvirt', {})['block_job_bandwidth'] = 20
    svc.write_files()
    svc.restart('snapvol-compute')
    run = Scenario(svc, standin, share, tmp_path)
    s1 = run.snapshot()
    # 48 MiB in the active overlay: the commit runs for a few seconds.
    monitor_write(run.server_id, BOOT_DISK, 0x5c, 8 * MiB, 48 * MiB)
    run.vol.model.write(0x5c, 8 * MiB, 48 * MiB)

    name = run.vol.files[s1]
    run.nova.assisted_volume_snapshots.delete(s1, {
        'type': 'qcow2', 'volume_id': run.vol.id, 'file_to_merge': name,
        'merge_target_file': run.vol.base})
    harness.wait_for(lambda: '<mirror' in run.chain(), 30, interval=0.05,
                     what='the active commit to start')
    svc.kill('snapvol-compute', signal.SIGKILL)
    assert standin.no_report(timeout=1)
    assert '<mirror' in run.chain()

    svc.restart('snapvol-compute')
    report = standin.report(s1, timeout=180)
    assert report['status'] == 'deleting_compute_complete', report
    assert report['file_format'] == {run.vol.base: 'raw'}
    assert '<mirror' not in run.chain()
    run.vol.files.pop(s1)
    run.vol.at.pop(s1)
    run.vol.active = run.vol.base
    os.unlink(run.vol.path(name))
    run.verify()


@pytest.mark.parametrize('stack', ['local'], indirect=True)
def test_a_stopped_compute_host_fails_a_snapshot_at_once(stack, tmp_path):
    """snapvol-compute is stopped (SIGSTOP: alive, but it answers
    nothing): once its heartbeat is older than service_down_time, an
    assisted snapshot of its server is refused with a 503 naming the
    host, instead of waiting out the RPC timeout; nothing changes, and
    once the host is back the snapshot is made."""
    from novaclient import exceptions as nova_exc
    svc, standin, share = stack
    svc.extra_config.setdefault('DEFAULT', {}).update(
        report_interval=1, service_down_time=3)
    svc.write_files()
    for name in ('snapvol-compute', 'snapvol-compute-api'):
        svc.restart(name)
    run = Scenario(svc, standin, share, tmp_path)
    run.write(0x31)
    chain = run.chain()

    def compute_state():
        return {s.binary: s.state
                for s in run.nova.services.list()}['snapvol-compute']
    svc.kill('snapvol-compute', signal.SIGSTOP)
    try:
        harness.wait_for(lambda: compute_state() == 'down', 30,
                         what='the stopped host to be down')
        snapshot_id = str(uuid.uuid4())
        with pytest.raises(nova_exc.ClientException) as refused:
            run.nova.assisted_volume_snapshots.create(
                run.vol.id, {'snapshot_id': snapshot_id, 'type': 'qcow2',
                             'new_file': run.vol.new_overlay(snapshot_id)})
        assert refused.value.code == 503
        assert 'is down' in str(refused.value)
        assert standin.no_report(timeout=1)
        assert run.chain() == chain
    finally:
        svc.kill('snapvol-compute', signal.SIGCONT)
    harness.wait_for(lambda: compute_state() == 'up', 30,
                     what='the host to be up again')
    run.snapshot()
    run.write(0x32)
    run.verify()


@pytest.mark.parametrize('stack', ['local'], indirect=True)
def test_quiesce_policy_with_a_guest_without_agent(stack, tmp_path):
    """Seed 004: QUIESCE is tried first; a guest with no agent gets a
    crash-consistent snapshot, which the report says, unless the instance
    declares hw_qemu_guest_agent=yes: then the snapshot fails and the
    domain keeps writing to the file it had."""
    svc, standin, share = stack
    run = Scenario(svc, standin, share, tmp_path)
    s1 = run.snapshot()
    assert run.last_report['quiesced'] is False

    run.nova.servers.set_meta(run.server_id, {'hw_qemu_guest_agent': 'yes'})
    snapshot_id = str(uuid.uuid4())
    name = run.vol.new_overlay(snapshot_id)
    run.nova.assisted_volume_snapshots.create(run.vol.id, {
        'snapshot_id': snapshot_id, 'type': 'qcow2', 'new_file': name})
    report = standin.report(snapshot_id)
    assert report['status'] == 'error', report
    assert 'freeze' in report['reason']
    assert "/%s'" % run.vol.files[s1] in run.chain()
    os.unlink(run.vol.path(name))
    run.write(0x41)
    run.verify()


@pytest.fixture
def quick_agent_stack(service_factory, share_dir):
    """The compute service on a local share, giving up on a guest agent
    after 1 s (the test guest has none)."""
    svc = service_factory(mode='compute', extra_config={
        'compute': {'guest_agent_timeout': 1}})
    standin = StandInServer(svc.transport_url, svc.control_exchange)
    yield svc, standin.endpoint, Share(share_dir, 'local')
    for server in svc.nova('admin').servers.list():
        svc.nova('admin').servers.delete(server.id)
    standin.stop()


def _server_of_three_volumes(nova, standin, share, workdir, name):
    """A server booted from the first of three new volumes, the others
    attached: (server, volumes, their qemu-io device names)."""
    vols = [Volume(share, workdir) for _ in range(3)]
    for vol in vols:
        standin.add_volume(vol.id, vol.connection_info())
    server = nova.servers.create(name, image=None, flavor='1',
                                 block_device_mapping_v2=[{
                                     'uuid': vol.id, 'source_type': 'volume',
                                     'destination_type': 'volume',
                                     'boot_index': 0 if n == 0 else None}
                                     for n, vol in enumerate(vols)])
    harness.wait_for_status(lambda: nova.servers.get(server.id), 'ACTIVE',
                            timeout=120, failed=('ERROR',))
    return server, vols, ['virtio-disk%d/virtio-backend' % n
                          for n in range(3)]


def test_snapshot_set_is_one_transaction(quick_agent_stack, tmp_path):
    """Seed 002: three disks of one server switch in one call of the list
    form, reported once; a set with one overlay QEMU cannot open changes
    no disk. Each disk keeps every byte, at the set's instant too."""
    svc, standin, share = quick_agent_stack
    nova = svc.nova('admin')
    server, vols, devices = _server_of_three_volumes(
        nova, standin, share, tmp_path, 'set-test')

    def write(pattern):
        for vol, device in zip(vols, devices):
            offset = (1 + vol.writes) * MiB
            monitor_write(server.id, device, pattern, offset, 64 * 1024)
            vol.model.write(pattern, offset, 64 * 1024)
            vol.writes += 1

    def active_files():
        conn = libvirt.open('qemu:///system')
        try:
            xml = conn.lookupByUUIDString(server.id).XMLDesc(0)
        finally:
            conn.close()
        return {disk.serial: disk.active.source.basename
                for disk in config.parse_disks(xml)}

    def take(broken=None):
        set_id, members = str(uuid.uuid4()), []
        for vol in vols:
            snapshot_id = str(uuid.uuid4())
            members.append({'volume_id': vol.id, 'create_info': {
                'snapshot_id': snapshot_id, 'type': 'qcow2',
                'new_file': vol.new_overlay(snapshot_id)}})
        if broken is not None:
            with open(vols[broken].path(
                    members[broken]['create_info']['new_file']), 'wb') as f:
                f.write(b'not an image\n' * 4096)
        nova.client.post('/os-assisted-volume-snapshots', body={
            'group_snapshot_id': set_id, 'snapshots': members})
        return members, standin.report(set_id)

    write(0x21)
    before = active_files()
    members, report = take(broken=2)
    assert report['status'] == 'error' and report['members'] == {}, report
    assert active_files() == before
    for vol, member in zip(vols, members):
        os.unlink(vol.path(member['create_info']['new_file']))

    members, report = take()
    assert report['status'] == 'creating_compute_complete', report
    assert report['members'] == {
        m['create_info']['snapshot_id']: {'file_format': {
            m['create_info']['new_file']: 'qcow2'}} for m in members}
    # No agent in the guest: one crash-consistent transaction instead.
    assert report['quiesced'] is False
    assert report['freeze_seconds'] > 0
    assert report['freeze_warning'] is False
    assert active_files() == {m['volume_id']: m['create_info']['new_file']
                              for m in members}
    for vol, member in zip(vols, members):
        snapshot_id = member['create_info']['snapshot_id']
        name = member['create_info']['new_file']
        vol.formats[name] = 'qcow2'
        vol.files[snapshot_id] = name
        vol.active = name
        vol.at[snapshot_id] = vol.model.checkpoint(snapshot_id)
    write(0x22)
    for vol, device in zip(vols, devices):
        monitor_flush(server.id, device)
        vol.assert_data()


def test_concurrent_deletes_on_disks_of_one_server(quick_agent_stack,
                                                   tmp_path):
    """Three volumes of one server, each deleting its newest snapshot (a
    pull with a base) at the same moment, as three users could: QEMU 7.2
    crashed when such block-stream jobs ran at once; the compute service
    runs them one after the other, and the guest keeps running."""
    svc, standin, share = quick_agent_stack
    nova = svc.nova('admin')
    server, vols, devices = _server_of_three_volumes(
        nova, standin, share, tmp_path, 'pulls')
    newest = []
    for vol, device in zip(vols, devices):
        for n in range(2):
            monitor_write(server.id, device, 0x41 + n, (1 + n) * MiB,
                          64 * 1024)
            vol.model.write(0x41 + n, (1 + n) * MiB, 64 * 1024)
            snapshot_id = str(uuid.uuid4())
            name = vol.new_overlay(snapshot_id)
            nova.assisted_volume_snapshots.create(vol.id, {
                'snapshot_id': snapshot_id, 'type': 'qcow2',
                'new_file': name})
            report = standin.report(snapshot_id)
            assert report['status'] == 'creating_compute_complete', report
            vol.formats[name] = 'qcow2'
            vol.files[snapshot_id] = name
            vol.active = name
        newest.append(snapshot_id)
    requests = [threading.Thread(
        target=nova.assisted_volume_snapshots.delete, args=(snapshot_id, {
            'type': 'qcow2', 'volume_id': vol.id,
            'file_to_merge': vol.backing(vol.backing(vol.active)),
            'merge_target_file': None}))
        for vol, snapshot_id in zip(vols, newest)]
    for request in requests:
        request.start()
    for request in requests:
        request.join()
    reports = [standin._reports.get(timeout=300) for _ in newest]
    assert sorted(r['snapshot_id'] for r in reports) == sorted(newest)
    assert {r['status'] for r in reports} == {
        'deleting_compute_complete'}, reports
    assert nova.servers.get(server.id).status == 'ACTIVE'
    conn = libvirt.open('qemu:///system')
    try:
        assert conn.lookupByUUIDString(server.id).isActive()
    finally:
        conn.close()
    for vol, device in zip(vols, devices):
        monitor_flush(server.id, device)
        vol.model.assert_matches(vol.path(vol.active), 'qcow2',
                                 force_share=True)
