"""Two hosts on one machine, each with a compute host and a volume
manager: two snapvol-compute processes with distinct host names, each
with a libvirtd of its own (the second in a mount namespace, see
libvirt2.py, so that a routing mistake cannot hide behind one shared
libvirt), and two snapvol-volume managers of one cluster (locks on etcd),
over RabbitMQ and one PostgreSQL database, with both APIs apart.

New servers go to the host with the most free memory; each domain runs
on the libvirt of the host the database names. Live snapshots of a
server on each host are made and merged while their guests run, with
every byte each QEMU wrote where it belongs, and the compute hosts'
reports reach the waiting worker whichever manager RabbitMQ hands them
to. Once a host is killed a call about its servers answers 503 at once,
and new servers go to the other. A second compute host on one SQLite
compute database is refused.
"""

from concurrent import futures
import json
import os
import re

import libvirt
import libvirt_qemu
from novaclient import exceptions as nova_exceptions
from oslo_log import log as oslo_log
import pytest

from tests import imagedata

from . import harness
from .libvirt2 import SecondLibvirt

HOST_B = 'snapvol-compute@b'
MANAGERS = ('snapvol-volume', 'snapvol-volume@b')
COMPUTES = ('snapvol-compute', HOST_B)
CLUSTER = 'hosts-1'
# The virtio-blk backend of the boot disk, for the monitor's qemu-io.
BOOT_DISK = 'virtio-disk0/virtio-backend'
MiB = imagedata.MiB
GiB = imagedata.GiB
SMALL = '2'     # m1.small: 256 MiB, 1 vCPU
DOWN = ('Compute host %s is down (no heartbeat within service_down_time); '
        'nothing was done. Try again once it is up.')


@pytest.fixture
def second_libvirt():
    libvirt2 = SecondLibvirt().start()
    yield libvirt2
    libvirt2.stop()


def _add_to_other_host_config(svc, monkeypatch, text):
    """The second host's config file also gets ``text``."""
    write = svc._other_host_config

    def with_text(name):
        path = write(name)
        with open(path, 'a') as f:
            f.write(text)
        return path
    monkeypatch.setattr(svc, '_other_host_config', with_text)


def _compute_states(nova):
    return {s.host: s.state for s in nova.services.list(
        binary='snapvol-compute')}


def _host_of(server):
    return getattr(server, 'OS-EXT-SRV-ATTR:host')


def _log_levels():
    """oslo.log's default levels, but oslo.messaging's debug lines: which
    process cast a message (with its unique id) and which received it.
    No line of the volume manager names a report it received."""
    return ','.join(
        re.sub(r'^(oslo[._]messaging)=.*', r'\1=DEBUG', level)
        for level in oslo_log.get_default_log_levels())


def _system_domains():
    conn = libvirt.open('qemu:///system')
    try:
        return {dom.UUIDString() for dom in conn.listAllDomains(0)}
    finally:
        conn.close()


class Stack:
    """The deployment, and servers booted from new volumes on it."""

    def __init__(self, svc):
        self.svc = svc
        self.cinder = svc.client('admin')
        self.nova = svc.nova('admin')
        # {server id: its boot volume's id}
        self.boot_volumes = {}

    def boot(self, name):
        volume = self.cinder.volumes.create(1, name=name)
        harness.wait_for_status(lambda: self.cinder.volumes.get(volume.id),
                                'available')
        server = self.nova.servers.create(
            name, image=None, flavor=SMALL, block_device_mapping_v2=[{
                'uuid': volume.id, 'source_type': 'volume',
                'destination_type': 'volume', 'boot_index': 0}])
        self.boot_volumes[server.id] = volume.id
        return harness.wait_for_status(
            lambda: self.nova.servers.get(server.id), 'ACTIVE', timeout=120,
            failed=('ERROR',))


class LiveDisk:
    """The boot volume of a running server: written by its QEMU (the
    monitor's qemu-io, as the guest would), snapshotted and merged
    through the volume API, and modelled (tests/imagedata.py): what the
    volume and each snapshot must hold."""

    def __init__(self, svc, volume_id, server_id, uri, share, workdir):
        # A client of its own: each disk runs in a thread.
        self.cinder = svc.client('admin')
        self.volume_id = volume_id
        self.server_id = server_id
        self.uri = uri
        self.share = share
        self.base = 'volume-%s' % volume_id
        self.model = imagedata.ImageModel(workdir / ('%s.raw' % volume_id),
                                          GiB)
        self.at = {}
        self.writes = 0
        # [(snapshot id, 'creating' or 'deleting')]: the reports the
        # compute host sent.
        self.reports = []

    def _monitor(self, *commands):
        conn = libvirt.open(self.uri)
        try:
            domain = conn.lookupByUUIDString(self.server_id)
            for command in commands:
                out = libvirt_qemu.qemuMonitorCommand(
                    domain, 'qemu-io -d %s "%s"' % (BOOT_DISK, command),
                    libvirt_qemu.VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP)
                assert 'error' not in out.lower(), out
        finally:
            conn.close()

    def write(self, pattern):
        offset, length = (1 + self.writes) * MiB, 64 * 1024
        self._monitor('write -P %d %d %d' % (pattern, offset, length),
                      'flush')
        self.model.write(pattern, offset, length)
        self.writes += 1

    def snapshot(self):
        snap = self.cinder.volume_snapshots.create(self.volume_id,
                                                   force=True)
        harness.wait_for_status(
            lambda: self.cinder.volume_snapshots.get(snap.id), 'available')
        self.reports.append((snap.id, 'creating'))
        self.at[snap.id] = self.model.checkpoint(snap.id)
        return snap.id

    def delete(self, snapshot_id):
        self.cinder.volume_snapshots.delete(snapshot_id)
        harness.wait_snapshot_deleted(self.cinder, snapshot_id)
        self.reports.append((snapshot_id, 'deleting'))
        del self.at[snapshot_id]

    @property
    def info(self):
        with open(os.path.join(self.share, self.base + '.info')) as f:
            return json.load(f)

    def verify(self):
        """The volume and every snapshot hold exactly their data, read
        through the chain on the share once QEMU flushed what it
        caches."""
        self._monitor('flush')
        info = self.info
        active = info['active']
        self.model.assert_matches(
            os.path.join(self.share, active),
            'raw' if active == self.base else 'qcow2', force_share=True)
        for snapshot_id, model in self.at.items():
            header = imagedata.image_chain(
                os.path.join(self.share, info[snapshot_id]), 'qcow2',
                force_share=True)[0]
            model.assert_matches(
                os.path.join(self.share, header['backing-filename']),
                header['backing-filename-format'], force_share=True)

    def exercise(self):
        """Three live snapshots with writes between, then a merge of the
        middle one (blockCommit) and of the newest (blockRebase into the
        active file), the first kept. Returns the kept one."""
        self.write(0x11)
        ids = []
        for pattern in (0x22, 0x33, 0x44):
            ids.append(self.snapshot())
            self.write(pattern)
        self.verify()
        self.delete(ids[1])
        self.write(0x55)
        self.delete(ids[2])
        self.verify()
        assert sorted(self.info) == sorted(['active', ids[0]])
        return ids[0]


# oslo.log lines: the compute host's report and, in the same thread (its
# request), the cast that carries it; a manager receiving a cast; the
# worker that waited for the report finishing its step.
_REQUEST = r'\[[^\]]*?(req-[0-9a-f-]+)[^\]]*\] '
_SENT = re.compile(_REQUEST + r'Snapshot ([0-9a-f-]{36}): '
                   r'(creating|deleting)_compute_complete ')
_CAST = re.compile(_REQUEST + r'CAST unique_id: ([0-9a-f]+) '
                   r"exchange '[^']*' topic 'snapvol-volume'")
_RECEIVED = re.compile(r'received message with unique_id: ([0-9a-f]+)')
_FINISHED = re.compile(r'Snapshot ([0-9a-f-]{36}) is (available|deleted)')
_STEP = {'available': 'creating', 'deleted': 'deleting'}


def _lines(svc, name):
    with open(svc.log_path(name), errors='replace') as f:
        return f.read().splitlines()


def _report_routes(svc):
    """{(snapshot id, 'creating'|'deleting'): (the manager that received
    the compute host's report, the manager whose worker waited for it)}
    as far as the logs tell yet."""
    casts = {}
    for name in COMPUTES:
        sent = {}
        for line in _lines(svc, name):
            match = _SENT.search(line)
            if match:
                sent[match.group(1)] = match.group(2, 3)
                continue
            match = _CAST.search(line)
            if match and match.group(1) in sent:
                casts[sent.pop(match.group(1))] = match.group(2)
    received, waited = {}, {}
    for name in MANAGERS:
        for line in _lines(svc, name):
            match = _RECEIVED.search(line)
            if match:
                received.setdefault(match.group(1), []).append(name)
            match = _FINISHED.search(line)
            if match:
                waited[match.group(1), _STEP[match.group(2)]] = name
    return {key: (received.get(unique_id), waited.get(key))
            for key, unique_id in casts.items()}


def _routes_of(svc, reports):
    """_report_routes of ``reports``, once the logs name the receiver and
    the waiter of each (None until then)."""
    routes = _report_routes(svc)
    if all(None not in routes.get(key, (None,)) for key in reports):
        return {key: routes[key] for key in reports}
    return None


def test_two_hosts_placement_routing_and_a_dead_host(
        service_factory, share_dir, second_libvirt, etcd_url, monkeypatch,
        tmp_path):
    svc = service_factory(
        mode='split4', start=False, shares=['local:%s' % share_dir],
        extra_config={
            'DEFAULT': {'report_interval': 1, 'service_down_time': 4,
                        'cluster': CLUSTER,
                        'default_log_levels': _log_levels()},
            'coordination': {'backend_url': etcd_url},
            # A report another manager received reaches the waiting
            # worker at its next read of the database.
            'volume': {'report_poll_interval': 0.2},
        })
    # One compute database for both hosts, on PostgreSQL (with the volume
    # schema, which it may share).
    svc.extra_config.setdefault('compute', {})['connection'] = \
        svc.database_url
    svc.write_files()
    svc.manage('compute_db', 'sync')
    # The second host keeps no memory for itself: 512 MiB more free.
    _add_to_other_host_config(svc, monkeypatch, (
        '[libvirt]\nconnection_uri = %s\n'
        '[compute]\nreserved_host_memory_mb = 0\n' % second_libvirt.uri))
    svc.start()
    host_a, host_b = svc.host, svc.host + '-b'
    # Host b runs a compute host and a second volume manager.
    svc.spawn(HOST_B)
    svc.spawn(MANAGERS[1])
    for queue, count, what in (
            ('snapvol-compute.' + host_b, 1, 'the second compute host'),
            ('snapvol-volume.' + CLUSTER, 2, 'both volume managers')):
        harness.wait_for(
            lambda q=queue, n=count: harness.rabbit_consumers(
                svc.transport_url, q) == n,
            60, what='%s to consume their queue' % what)
    stack = Stack(svc)
    assert _compute_states(stack.nova) == {host_a: 'up', host_b: 'up'}

    # 256 MiB servers: b has 512 MiB more free, then the two are level
    # and a, named first, wins; then b has more again.
    servers = [stack.boot('s%d' % i) for i in range(4)]
    assert [_host_of(s) for s in servers] == [host_b, host_b, host_a,
                                              host_b]
    on_b = {s.id for s in servers if _host_of(s) == host_b}
    # Each domain runs on its own host's libvirt, and only there.
    assert second_libvirt.domain_uuids() == on_b
    on_system = _system_domains()
    assert [s.id in on_system for s in servers] == [
        s.id not in on_b for s in servers]

    # Live snapshots of a server on each host at once, made and merged
    # while the guests run: every byte each QEMU wrote is where it
    # belongs.
    disks = [LiveDisk(svc, stack.boot_volumes[server.id], server.id, uri,
                      share_dir, tmp_path)
             for server, uri in ((servers[0], second_libvirt.uri),
                                 (servers[2], 'qemu:///system'))]
    with futures.ThreadPoolExecutor(len(disks)) as pool:
        kept = list(pool.map(LiveDisk.exercise, disks))
    cinder = stack.cinder
    for disk, snapshot_id in zip(disks, kept):
        assert cinder.volumes.get(disk.volume_id).status == 'in-use'
        assert [(s.id, s.status) for s in cinder.volume_snapshots.list()
                if s.volume_id == disk.volume_id] == [
                    (snapshot_id, 'available')]
    # The compute hosts cast their reports to the volume managers' topic
    # (no server named), which RabbitMQ hands round every manager's
    # consumers: each report was received once, both managers received
    # some, and some reached a worker of the other one (through the
    # database).
    reports = [report for disk in disks for report in disk.reports]
    routes = harness.wait_for(
        lambda: _routes_of(svc, reports), 30,
        what="the logs to name each report's receiver and waiter")
    assert all(len(received) == 1 for received, _ in routes.values()), \
        routes
    assert {received[0] for received, _ in routes.values()} == \
        set(MANAGERS), routes
    assert any(received[0] != waiter
               for received, waiter in routes.values()), routes
    # No report is awaited any longer.
    assert svc.query('SELECT key FROM compute_reports') == []

    # Host b dies: once its heartbeat is older than service_down_time, a
    # call about its servers is refused at once, naming it.
    svc.kill(HOST_B)
    harness.wait_for(lambda: _compute_states(stack.nova)[host_b] == 'down',
                     30, interval=0.5, what='host b to show down')
    victim = next(s for s in servers if s.id in on_b)
    for call in (lambda: stack.nova.servers.stop(victim.id),
                 lambda: stack.nova.servers.delete(victim.id)):
        with pytest.raises(nova_exceptions.ClientException) as info:
            call()
        assert info.value.code == 503
        assert DOWN % host_b in str(info.value)
    assert stack.nova.servers.get(victim.id).status == 'ACTIVE'
    # New servers go to the host that is up, whatever b had free.
    assert _host_of(stack.boot('s4')) == host_a
    # Calls about a's servers are served.
    on_a = next(s for s in servers if s.id not in on_b)
    stack.nova.servers.set_meta(on_a.id, {'still': 'served'})
    assert stack.nova.servers.get(on_a.id).metadata == {'still': 'served'}


def test_a_second_host_on_one_sqlite_database_is_refused(service_factory):
    # The compute service alone, with its default database: SQLite in
    # its state path.
    svc = service_factory(mode='compute')
    other = svc.workdir / 'host-b.conf'
    other.write_text('[DEFAULT]\nhost = %s-b\n' % svc.host)
    proc = harness.run(
        [harness.console_script('snapvol-compute'), '--config-file',
         svc.config_file, '--config-file', other], check=False, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert ('snapvol-compute cannot start: Invalid configuration: the '
            'compute manager of %s is up on this compute database, and '
            'this deployment can have one compute host only: its '
            '[compute] connection is SQLite' % svc.host) in proc.stderr
    # The first host goes on.
    assert svc.running('snapvol-compute')
