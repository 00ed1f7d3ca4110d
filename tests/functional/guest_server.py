"""The test guest as a server of the services: booted through
python-novaclient from a volume, with the test guest (tests/functional/
guest.py) as its kernel and initramfs (server metadata kernel_id,
ramdisk_id and os_command_line) and a second volume, formatted ext4
beforehand, that the guest mounts and fills with numbered, fsync'ed
records, reporting each on its serial console (the compute service's
console.log). Snapshots go through python-cinderclient; images are read
from the share with qemu-img, never through the running guest.

The stack (a ``service_factory`` service) needs ``[compute]
kernels_path`` and a ``guest_servers`` list, whose members the fixture
closes."""

import contextlib
import json
import os
import time

import libvirt
import libvirt_qemu

from . import guest as testguest
from . import harness

# m1.small: the guest needs more than m1.tiny's 64 MiB (its initramfs is
# unpacked into RAM, then qemu-ga and the workload run from it).
FLAVOR = '2'
VOLUME_MIB = 1024           # a 1 GiB volume...
FS_MIB = 64                 # ...holding a small ext4: less to write and copy


class Taken:
    """A snapshot request as the guest saw it: ``durable``, the records
    reported before the request; ``before``/``after``, the guest's uptime
    just before the request and once it ended; ``seconds``, the time from
    the API call to the final status."""

    def __init__(self, snapshot, durable, before, after, seconds):
        self.snapshot = snapshot
        self.id = snapshot.id
        self.durable = durable
        self.before = before
        self.after = after
        self.seconds = seconds


class GuestServer:
    """The test guest booted through the compute API, its data volume
    attached from the start, and the volume's files on ``share`` (the
    directory the volume service keeps them in)."""

    def __init__(self, svc, share, metadata=None, every_disk=False):
        """``every_disk``: the guest writes its records to the boot volume
        and to a second data volume too (after the data volume, in that
        order): ``record_volume_ids``."""
        self.svc = svc
        self.share = share
        self.cinder = svc.client('alice')
        self.nova = svc.nova('admin')
        self.server_id = self.console = None
        svc.guest_servers.append(self)
        names = ['boot', 'data'] + (['data2'] if every_disk else [])
        volumes = [self.cinder.volumes.create(1, name=n) for n in names]
        self.volume_ids = [v.id for v in volumes]
        for vol in volumes:
            harness.wait_for_status(
                lambda v=vol: self.cinder.volumes.get(v.id), 'available')
        boot, data = volumes[:2]
        self.volume_id = data.id
        self.base = 'volume-%s' % data.id
        self.record_volume_ids = [data.id]
        if every_disk:
            self.record_volume_ids += [boot.id, volumes[2].id]
        for volume_id in self.record_volume_ids:
            self.format_volume(volume_id)
        meta = {'kernel_id': 'vmlinuz', 'ramdisk_id': 'initrd.img',
                # The guest sees the first 20 characters of the serial.
                'os_command_line': testguest.cmdline(
                    data.id[:20], also=[v[:20] for v in
                                        self.record_volume_ids[1:]])}
        meta.update(metadata or {})
        server = self.nova.servers.create(
            'guest', image=None, flavor=FLAVOR, meta=meta,
            block_device_mapping_v2=[
                {'uuid': vol.id, 'source_type': 'volume',
                 'destination_type': 'volume',
                 'boot_index': 0 if vol is boot else None}
                for vol in volumes])
        self.server_id = server.id
        self.console = testguest.Console(
            svc.state_path / 'instances' / server.id / 'console.log',
            server.id)
        harness.wait_for_status(lambda: self.nova.servers.get(server.id),
                                'ACTIVE', timeout=120, failed=('ERROR',))
        harness.wait_for_status(lambda: self.cinder.volumes.get(data.id),
                                'in-use')
        self.console.wait_ready(120)
        self.console.wait_records(5, 60)
        # On a loaded host the workload can run before libvirt hears from
        # the agent; a quiesce sent then fails with "agent is not
        # connected", which is not what these tests are about.
        self.wait_for_agent(120)

    def format_volume(self, volume_id):
        """Still a raw file: formatted in place, its size kept."""
        testguest.format_ext4(os.path.join(self.share, 'volume-%s'
                                           % volume_id),
                              VOLUME_MIB, fs_mib=FS_MIB)

    def close(self):
        if self.console is not None:
            self.console.close()

    # The share -------------------------------------------------------------

    @property
    def info(self):
        return self.volume_info(self.volume_id)

    def volume_info(self, volume_id):
        with open(os.path.join(self.share,
                               'volume-%s.info' % volume_id)) as f:
            return json.load(f)

    def file_names(self):
        return sorted(n for n in os.listdir(self.share)
                      if n.startswith(self.base))

    @staticmethod
    def _header(path):
        return json.loads(harness.run(
            ['qemu-img', 'info', '-U', '--output=json', str(path)]).stdout)

    def snapshot_image(self, snapshot_id, volume_id=None):
        """(path, format) of the point-in-time image of a snapshot (of
        the data volume unless ``volume_id``): the backing file of the
        file .info names for it."""
        top = os.path.join(self.share, self.volume_info(
            volume_id or self.volume_id)[snapshot_id])
        header = self._header(top)
        backing = header.get('full-backing-filename') or \
            header.get('backing-filename')
        assert backing, f'{top} has no backing file: {header}'
        backing = os.path.join(self.share, backing)
        fmt = header.get('backing-filename-format') or \
            self._header(backing)['format']
        return backing, fmt

    def inspect(self, path, fmt):
        return testguest.inspect(path, fmt)

    def inspect_snapshot(self, snapshot_id, volume_id=None):
        return self.inspect(*self.snapshot_image(snapshot_id, volume_id))

    def inspect_volume(self):
        """(records reported durable, Inspection) of the live volume (its
        active file and chain), read while the domain is paused: a point
        in time, as a crash. QEMU drains and flushes its block layer when
        it pauses."""
        path = os.path.join(self.share, self.info['active'])
        fmt = self._header(path)['format']
        with _domain(self.server_id) as domain:
            durable = self.console.records()
            domain.suspend()
            try:
                return durable, self.inspect(path, fmt)
            finally:
                domain.resume()

    # The domain ------------------------------------------------------------

    def wait_for_agent(self, timeout):
        harness.wait_for(self._agent_answers, timeout, interval=0.5,
                         what='the guest agent to answer')

    def _agent_answers(self):
        with _domain(self.server_id) as domain:
            try:
                libvirt_qemu.qemuAgentCommand(
                    domain, '{"execute": "guest-ping"}', 5, 0)
                return True
            except libvirt.libvirtError:
                return False

    def domain_state(self):
        with _domain(self.server_id) as domain:
            return domain.state()[0]

    def domain_xml(self):
        with _domain(self.server_id) as domain:
            return domain.XMLDesc(0)

    # The APIs --------------------------------------------------------------

    def metadata(self):
        return self.nova.servers.get(self.server_id).metadata

    def snapshot(self, wanted='available'):
        console = self.console
        before = console.command('mark').uptime
        durable = console.records()
        started = time.monotonic()
        snap = self.cinder.volume_snapshots.create(self.volume_id,
                                                   force=True)
        snap = harness.wait_for(
            lambda: self._final(snap.id), 120, interval=0.05,
            what=f'snapshot {snap.id} to end creating')
        seconds = time.monotonic() - started
        assert snap.status == wanted, (snap, snap.status, self.logs())
        after = console.command('mark').uptime
        return Taken(snap, durable, before, after, seconds)

    def _final(self, snapshot_id):
        snap = self.cinder.volume_snapshots.get(snapshot_id)
        return snap if snap.status not in ('creating',) else None

    def delete(self, snapshot_id):
        self.cinder.volume_snapshots.delete(snapshot_id)
        harness.wait_snapshot_deleted(self.cinder, snapshot_id,
                                      details=self.logs)

    def logs(self):
        return self.svc.logs(40)

    def compute_log(self):
        name = ('snapvol-compute' if 'snapvol-compute' in self.svc.names
                else 'snapvol-all')
        return self.svc.log_path(name).read_text()

    # The guest -------------------------------------------------------------

    def keeps_writing(self, n=10, timeout=60):
        """Waits for ``n`` more durable records."""
        return self.console.wait_records(n, timeout)

    def first_record_after(self, uptime, timeout=60):
        """The first record reported strictly after ``uptime`` (one 10 ms
        tick later: uptimes are rounded)."""
        def find():
            return next((r for r in self.console.record_times()
                         if r.uptime > uptime + 0.01), None)
        return harness.wait_for(find, timeout, interval=0.05,
                                what=f'a record after uptime {uptime}')


@contextlib.contextmanager
def _domain(server_id):
    """The server's libvirt domain, on a connection of its own."""
    conn = libvirt.open('qemu:///system')
    try:
        yield conn.lookupByUUIDString(server_id)
    finally:
        conn.close()
