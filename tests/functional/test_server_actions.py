"""Server actions through python-novaclient against snapvol-all with real
libvirt: stop, start, soft and hard reboot of a server booted from a
volume (a guest without an OS, which ignores ACPI: stops end in a destroy
and soft reboots fall back to hard ones), Nova's 409s, and what a stopped
server allows: detaching a volume, and deleting snapshots (merged offline)
before it starts again on the right files."""

import time

import libvirt
from novaclient import exceptions as nova_exceptions
import pytest

from . import harness
from .test_end_to_end import Attached

# Short, so that a guest without an OS costs little; each action's wait
# is checked against them.
SHUTDOWN_TIMEOUT = 2
REBOOT_TIMEOUT = 2


DEPLOYMENTS = {
    'all-defaults': {'mode': 'all', 'embedded': True},
    # Four processes over RabbitMQ: Nova's 409 crosses a real broker.
    'split4': {'mode': 'split4'},
}


@pytest.fixture(params=['all-defaults'])
def svc(request, service_factory, share_dir):
    stack = service_factory(
        shares=['local:%s' % share_dir],
        extra_config={'compute': {'shutdown_timeout': SHUTDOWN_TIMEOUT,
                                  'reboot_timeout': REBOOT_TIMEOUT}},
        **DEPLOYMENTS[request.param])
    yield stack
    nova = stack.nova('admin')
    for server in nova.servers.list():
        nova.servers.delete(server.id)


@pytest.fixture
def vol(svc, share_dir, tmp_path):
    """A server booted from a volume, with a data volume attached."""
    return Attached(svc, share_dir, tmp_path)


def _domain(server_id):
    """(running, libvirt's domain id: a new one at each start)."""
    conn = libvirt.open('qemu:///system')
    try:
        dom = conn.lookupByUUIDString(server_id)
        return bool(dom.isActive()), dom.ID()
    finally:
        conn.close()


def _wait(vol, status, timeout=60):
    return harness.wait_for_status(lambda: vol.nova.servers.get(
        vol.server_id), status, timeout=timeout, failed=('ERROR',))


def _conflict(call, message):
    with pytest.raises(nova_exceptions.Conflict) as info:
        call()
    assert info.value.code == 409
    assert message in str(info.value), str(info.value)


@pytest.mark.parametrize('svc', sorted(DEPLOYMENTS), indirect=True)
def test_stop_start_and_conflicts(vol):
    nova, server_id = vol.nova, vol.server_id
    _conflict(lambda: nova.servers.start(server_id),
              "Cannot 'start' instance %s while it is in vm_state active"
              % server_id)
    began = time.monotonic()
    nova.servers.stop(server_id)
    server = _wait(vol, 'SHUTOFF')
    # No OS to answer ACPI: destroyed after the clean shutdown's timeout.
    assert time.monotonic() - began >= SHUTDOWN_TIMEOUT
    assert getattr(server, 'OS-EXT-STS:vm_state') == 'stopped'
    assert getattr(server, 'OS-EXT-STS:power_state') == 4
    assert _domain(server_id)[0] is False

    _conflict(lambda: nova.servers.stop(server_id),
              "Cannot 'stop' instance %s while it is in vm_state stopped"
              % server_id)
    _conflict(lambda: nova.servers.reboot(server_id, reboot_type='SOFT'),
              'vm_state stopped')

    nova.servers.start(server_id)
    server = _wait(vol, 'ACTIVE')
    assert getattr(server, 'OS-EXT-STS:power_state') == 1
    assert _domain(server_id)[0] is True
    # The data volume is still there, and writable.
    vol.write(0x31)
    vol.verify()

    with pytest.raises(nova_exceptions.NotFound):
        nova.servers.stop('00000000-0000-4000-8000-000000000000')


def test_soft_and_hard_reboot(vol):
    nova, server_id = vol.nova, vol.server_id
    vol.write(0x41)
    _, first = _domain(server_id)

    began = time.monotonic()
    nova.servers.reboot(server_id, reboot_type='SOFT')
    # The guest ignores ACPI: REBOOT, then HARD_REBOOT after the timeout.
    assert nova.servers.get(server_id).status in ('REBOOT', 'HARD_REBOOT')
    _conflict(lambda: nova.servers.reboot(server_id, reboot_type='SOFT'),
              'task_state rebooting')
    _wait(vol, 'ACTIVE')
    assert time.monotonic() - began >= REBOOT_TIMEOUT
    running, second = _domain(server_id)
    assert running and second != first

    nova.servers.reboot(server_id, reboot_type='HARD')
    assert nova.servers.get(server_id).status in ('HARD_REBOOT', 'ACTIVE')
    _wait(vol, 'ACTIVE')
    running, third = _domain(server_id)
    assert running and third != second
    vol.write(0x42)
    vol.verify()

    # A hard reboot starts a stopped server too (as Nova's).
    nova.servers.stop(server_id)
    _wait(vol, 'SHUTOFF')
    nova.servers.reboot(server_id, reboot_type='HARD')
    _wait(vol, 'ACTIVE')
    assert _domain(server_id)[0] is True


def test_detach_from_a_stopped_server(vol):
    nova, server_id = vol.nova, vol.server_id
    nova.servers.stop(server_id)
    _wait(vol, 'SHUTOFF')
    nova.volumes.delete_server_volume(server_id, vol.volume_id)
    harness.wait_for_status(lambda: vol.cinder.volumes.get(vol.volume_id),
                            'available')
    assert [a.id for a in nova.volumes.get_server_volumes(server_id)] == [
        vol.boot_id]
    nova.servers.start(server_id)
    _wait(vol, 'ACTIVE')
    xml = vol.domain_xml()
    assert vol.volume_id not in xml and vol.boot_id in xml


def test_snapshot_deletes_while_stopped_then_start(vol, share_dir):
    """Deleting snapshots of a stopped server's volume merges them
    offline, committing down (the newest's commit makes the oldest's file
    the active one, which the definition is told); started again, the
    server opens that file and takes live snapshots as before."""
    snaps = []
    for pattern in (0x51, 0x52, 0x53):
        vol.write(pattern)
        snaps.append(vol.snapshot())
    vol.write(0x54)
    vol.verify()
    active = vol.overlay(snaps[0])
    vol.nova.servers.stop(vol.server_id)
    _wait(vol, 'SHUTOFF')
    vol.delete(snaps[1])
    vol.delete(snaps[2])
    assert vol.info == {snaps[0]: active, 'active': active}
    vol.verify(running=False)

    vol.nova.servers.start(vol.server_id)
    _wait(vol, 'ACTIVE')
    assert vol.domain_chain() == [active, vol.base]
    vol.write(0x55)
    vol.verify()
    vol.delete(snaps[0])
    s4 = vol.snapshot()
    vol.write(0x56)
    vol.delete(s4)
    vol.verify()
