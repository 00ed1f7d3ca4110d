"""Two compute hosts on one machine: two snapvol-compute processes with
distinct host names, each with a libvirtd of its own (the second in a
mount namespace, see libvirt2.py, so that a routing mistake cannot hide
behind one shared libvirt), over RabbitMQ and one PostgreSQL compute
database, with the volume service and both APIs apart (split4).

New servers go to the host with the most free memory; each domain runs
on the libvirt of the host the database names; once a host is killed a
call about its servers answers 503 at once, and new servers go to the
other. A second compute host on one SQLite compute database is refused.
"""

import libvirt
from novaclient import exceptions as nova_exceptions
import pytest

from . import harness
from .libvirt2 import SecondLibvirt

HOST_B = 'snapvol-compute@b'
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

    def boot(self, name):
        volume = self.cinder.volumes.create(1, name=name)
        harness.wait_for_status(lambda: self.cinder.volumes.get(volume.id),
                                'available')
        server = self.nova.servers.create(
            name, image=None, flavor=SMALL, block_device_mapping_v2=[{
                'uuid': volume.id, 'source_type': 'volume',
                'destination_type': 'volume', 'boot_index': 0}])
        return harness.wait_for_status(
            lambda: self.nova.servers.get(server.id), 'ACTIVE', timeout=120,
            failed=('ERROR',))


def test_two_hosts_placement_routing_and_a_dead_host(
        service_factory, share_dir, second_libvirt, monkeypatch):
    svc = service_factory(
        mode='split4', start=False, shares=['local:%s' % share_dir],
        extra_config={'DEFAULT': {'report_interval': 1,
                                  'service_down_time': 4}})
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
    svc.spawn(HOST_B)
    harness.wait_for(
        lambda: harness.rabbit_consumers(svc.transport_url,
                                         'snapvol-compute.' + host_b) > 0,
        60, what='the second compute host to consume its queue')
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
