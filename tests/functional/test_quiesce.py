"""Quiesced live snapshots of a real guest, through both APIs.

A server is booted through python-novaclient from a volume, with the test
guest (tests/functional/guest.py, built by tools/build-test-guest) as its
kernel and initramfs (server metadata kernel_id, ramdisk_id and
os_command_line) and a second volume, formatted ext4 beforehand, that the
guest mounts and fills with numbered, fsync'ed records, reporting each
on its serial console (the compute service's console.log). Snapshots are
taken and deleted through python-cinderclient, and each snapshot's image
is read from the share with qemu-img (never through the running guest).

A TCG guest is slow to boot and to run, and quiesce is the compute
service's own business whatever carries the requests to it: each test runs
in one deployment, the snapshots under load on snapvol-all with its
defaults, the agent failures on the four processes apart over RabbitMQ
with PostgreSQL (tests/functional/test_end_to_end.py runs the same live
snapshots and merges in both).
"""

import os
import time

import libvirt
import pytest

from . import guest as testguest
from . import guest_server
from . import harness
from .guest_server import GuestServer

DEPLOYMENTS = {
    'all-defaults': {'mode': 'all', 'embedded': True},
    'split4': {'mode': 'split4'},
}
AGENT_TIMEOUT = 3           # [compute] guest_agent_timeout
# Records in one 4 KiB block: between snapshots (and merges) the guest
# writes more than that, so that each layer holds blocks of its own.
RECORDS_PER_BLOCK = 4096 // testguest.RECORD_SIZE
AGENT = 'hw_qemu_guest_agent'


@pytest.fixture(params=sorted(DEPLOYMENTS))
def system(request, service_factory, share_dir):
    kernel, _initrd = testguest.build()
    svc = service_factory(
        shares=['local:%s' % share_dir], extra_config={'compute': {
            'kernels_path': os.path.dirname(kernel),
            'guest_agent_timeout': AGENT_TIMEOUT}},
        **DEPLOYMENTS[request.param])
    svc.guest_servers = []
    yield svc
    for server in svc.guest_servers:
        server.close()
    nova = svc.nova('admin')
    for server in nova.servers.list():
        nova.servers.delete(server.id)


def _check_image(image, taken, limit, quiesced):
    """A snapshot's image: a clean ext4 (quiesced: nothing to replay)
    holding a prefix of the records with every record reported durable
    before the request, and none written after the request ended."""
    assert image.fsck_clean, image.fsck_output
    assert image.needs_recovery is not quiesced, image
    assert image.bad == 0, image.bad
    testguest.check_prefix(image.records, 'records in the snapshot')
    testguest.check_prefix(image.recovered_records,
                           'records in the snapshot after journal replay')
    if quiesced:
        assert image.records == image.recovered_records
    held = len(image.recovered_records)
    # Record `limit` was reported after the request ended; the one after
    # it was not even written then.
    assert taken.durable[-1] < held <= limit + 1, (
        taken.durable[-1], held, limit)


@pytest.mark.parametrize('system', ['all-defaults'], indirect=True)
def test_quiesced_snapshots_while_writing_then_mixed_deletes(system,
                                                            share_dir):
    vm = GuestServer(system, share_dir, every_disk=True)
    console = vm.console
    taken, images = [], {}
    for _ in range(3):
        vm.keeps_writing(RECORDS_PER_BLOCK + 2)
        t = vm.snapshot()
        taken.append(t)
        assert t.snapshot.metadata.get('quiesced') == 'yes', t.snapshot
        assert vm.info['active'] == '%s.%s' % (vm.base, t.id)
        # The freeze ended within the request: once the snapshot is
        # available, qemu-ga says the guest is thawed. (Order, not
        # timing: a loaded host may stall the guest for seconds.)
        assert console.freeze_status() == 'thawed', console.tail()
        gap = console.longest_gap(t.before, t.after)
        resumed = vm.first_record_after(t.after)
        vm.keeps_writing(5)
        limit = resumed.number
        images[t.id] = vm.inspect_snapshot(t.id)
        _check_image(images[t.id], t, limit, quiesced=True)
        print(f'\nsnapshot {t.id[:8]}: {t.seconds:.2f} s, freeze window '
              f'{gap.seconds:.2f} s, {len(images[t.id].records)} records')
    # Later snapshots hold more.
    counts = [len(images[t.id].records) for t in taken]
    assert counts == sorted(counts) and counts[0] < counts[-1], counts

    remaining = [t.id for t in taken]
    for victim in (remaining[1], remaining[2], remaining[0]):
        vm.keeps_writing(RECORDS_PER_BLOCK + 2)
        before = console.command('mark').uptime
        vm.delete(victim)
        after = console.command('mark').uptime
        remaining.remove(victim)
        assert victim not in vm.info
        # The merge left the guest running, thawed and writing (how long
        # it paused is printed, not asserted: a loaded host stalls a TCG
        # guest for seconds).
        gap = console.longest_gap(before, after)
        print(f'deleted {victim[:8]} in {after - before:.2f} s (guest '
              f'time), longest pause in the records {gap.seconds:.2f} s')
        assert vm.domain_state() == libvirt.VIR_DOMAIN_RUNNING
        assert console.freeze_status() == 'thawed'
        vm.keeps_writing(5)
        # Whatever the merge moved, each remaining snapshot still shows
        # exactly its point in time, clean.
        for snapshot_id in remaining:
            image = vm.inspect_snapshot(snapshot_id)
            assert not image.needs_recovery and image.fsck_clean, image
            assert image.bad == 0
            assert image.records == images[snapshot_id].records, (
                snapshot_id, len(image.records),
                len(images[snapshot_id].records))
    assert list(vm.info) == ['active']
    assert vm.file_names() == sorted([vm.info['active'], vm.base + '.info'])

    durable, volume = vm.inspect_volume()
    assert volume.fsck_clean, volume.fsck_output
    assert volume.bad == 0
    testguest.check_prefix(volume.recovered_records,
                           'records in the volume after journal replay')
    assert len(volume.recovered_records) > durable[-1], (
        len(volume.recovered_records), durable[-1])
    vm.keeps_writing(5)
    testguest.check_prefix(console.records(), 'records on the console')

    # Every disk as one group snapshot (seed 002): one quiesced
    # transaction; each member a clean image, and all of one instant.
    cinder = system.client('alice', version='3.14')
    group = cinder.groups.create('consistent', 'default', name='vm')
    cinder.groups.update(group.id, add_volumes=','.join(vm.volume_ids))
    vm.keeps_writing(RECORDS_PER_BLOCK + 2)
    before = console.command('mark').uptime
    durable = console.records()
    group_snapshot = cinder.group_snapshots.create(group.id, name='set')
    harness.wait_for_status(
        lambda: cinder.group_snapshots.get(group_snapshot.id), 'available')
    after = console.command('mark').uptime
    assert console.freeze_status() == 'thawed', console.tail()
    members = {s.volume_id: s for s in cinder.volume_snapshots.list(
        search_opts={'group_snapshot_id': group_snapshot.id})}
    assert sorted(members) == sorted(vm.volume_ids)
    assert {m.metadata['quiesced'] for m in members.values()} == {'yes'}
    data = members[vm.volume_id]
    resumed = vm.first_record_after(after)
    vm.keeps_writing(5)
    taken = guest_server.Taken(data, durable, before, after, 0)
    counts = []
    for volume_id in vm.record_volume_ids:
        image = vm.inspect_snapshot(members[volume_id].id, volume_id)
        _check_image(image, taken, resumed.number, quiesced=True)
        counts.append(len(image.records))
    # The guest writes each record to one disk after the other: at one
    # instant each holds the records of the one before it, or one fewer.
    # (Disks snapshotted one after another would differ by the records
    # written in between.)
    assert counts == sorted(counts, reverse=True), counts
    assert counts[0] - counts[-1] <= 1, counts
    print(f'group snapshot: freeze window '
          f'{console.longest_gap(before, after).seconds:.2f} s, compute '
          f'held the guest {data.metadata["snapvol:freeze_seconds"]} s')
    assert not console.errors(), console.tail()


@pytest.mark.parametrize('system', ['split4'], indirect=True)
def test_killed_agent(system, share_dir):
    vm = GuestServer(system, share_dir)
    console = vm.console
    vm.nova.servers.set_meta(vm.server_id, {AGENT: 'yes'})
    assert vm.metadata().get(AGENT) == 'yes'
    console.command('agent-kill')
    assert console.command('agent-status').detail.startswith('dead')
    info, files = vm.info, vm.file_names()

    failed = vm.snapshot(wanted='error')
    assert 'quiesced' not in failed.snapshot.metadata, failed.snapshot
    assert vm.info == info
    assert vm.file_names() == files
    # A set of both disks needs the same quiesce, and fails whole: no
    # member is taken, neither chain changes.
    share_files = sorted(os.listdir(share_dir))
    cinder = system.client('alice', version='3.14')
    group = cinder.groups.create('consistent', 'default', name='vm')
    cinder.groups.update(group.id, add_volumes=','.join(vm.volume_ids))
    group_snapshot = cinder.group_snapshots.create(group.id, name='set')
    harness.wait_for_status(
        lambda: cinder.group_snapshots.get(group_snapshot.id), 'error',
        failed=('available',))
    members = cinder.volume_snapshots.list(search_opts={
        'group_snapshot_id': group_snapshot.id})
    assert {s.status for s in members} == {'error'}
    assert vm.info == info
    assert sorted(os.listdir(share_dir)) == share_files
    # Each failed snapshot left its project a message saying why, in
    # words that name no host or path (user messages, 3.3).
    messages = system.client('alice', version='3.38').messages.list()
    about = {m.resource_uuid: m for m in messages}
    for snapshot_id in [failed.snapshot.id] + [m.id for m in members]:
        message = about[snapshot_id]
        assert message.event_id == 'VOLUME_SNAPSHOT_004_005', message
        assert message.user_message.startswith(
            "create snapshot: The guest agent did not freeze"), message
        assert share_dir not in message.user_message
    assert system.client('bob', version='3.38').messages.list() == []
    cinder.group_snapshots.delete(group_snapshot.id)
    # Nothing was left frozen: records flow after the request. (The
    # agent is dead, so it cannot be asked; a freeze that stuck would
    # last until the end of the test. Pauses are not asserted: a loaded
    # host stalls a TCG guest for seconds.)
    vm.keeps_writing(10)

    # Without the declaration, the same instance falls back.
    vm.nova.servers.delete_meta(vm.server_id, [AGENT])
    assert AGENT not in vm.metadata()
    plain = vm.snapshot()
    assert plain.snapshot.metadata.get('quiesced') == 'no', plain.snapshot
    assert vm.info['active'] == '%s.%s' % (vm.base, plain.id)
    vm.keeps_writing(10)
    limit = vm.first_record_after(plain.after).number
    _check_image(vm.inspect_snapshot(plain.id), plain, limit,
                 quiesced=False)

    # The agent back: quiesced again (nothing was left frozen).
    assert console.command('agent-start').detail.startswith('running')
    again = _snapshot_once_agent_answers(vm)
    assert again.snapshot.metadata.get('quiesced') == 'yes', again.snapshot
    vm.keeps_writing(10)

    # From 3.42 the attached volume grows while the guest runs, and the
    # guest's kernel sees it (sizes in 512-byte sectors; the data volume
    # is vdb). This guest is here already; the test is not about agents.
    def sizes():
        return dict(item.split('=') for item in
                    console.command('disk-sizes').detail.split())
    assert sizes()['vdb'] == str(1024 ** 3 // 512)
    system.client('alice', version='3.42').volumes.extend(vm.volume_id, 2)
    harness.wait_for_status(
        lambda: cinder.volumes.get(vm.volume_id), 'in-use',
        failed=('error_extending',))
    assert cinder.volumes.get(vm.volume_id).size == 2
    harness.wait_for(lambda: sizes()['vdb'] == str(2 * 1024 ** 3 // 512),
                     60, what='the guest to see 2 GiB')
    vm.keeps_writing(5)
    assert not console.errors(), console.tail()


def _snapshot_once_agent_answers(vm, timeout=120):
    """A restarted qemu-ga takes a moment to open its port (tens of
    seconds on a loaded host): waits until libvirt reaches it, then
    snapshots until one is quiesced."""
    vm.wait_for_agent(timeout)
    deadline = time.monotonic() + timeout
    while True:
        t = vm.snapshot()
        if t.snapshot.metadata.get('quiesced') == 'yes' or \
                time.monotonic() > deadline:
            return t
        time.sleep(1)


@pytest.mark.parametrize('system', ['split4'], indirect=True)
def test_stopped_agent(system, share_dir):
    vm = GuestServer(system, share_dir, metadata={AGENT: 'yes'})
    console = vm.console
    # Quiesced first: libvirt is in sync with the agent from now on.
    first = vm.snapshot()
    assert first.snapshot.metadata.get('quiesced') == 'yes', first.snapshot
    vm.keeps_writing(5)

    log_start = len(vm.compute_log())
    assert console.command('agent-stop').detail == 'stopped'
    info, files = vm.info, vm.file_names()
    failed = vm.snapshot(wanted='error')
    # libvirt waited for the agent for [compute] guest_agent_timeout (at
    # least; how much longer the request took is the host's business).
    assert failed.seconds >= AGENT_TIMEOUT - 0.5, failed.seconds
    assert vm.info == info
    assert vm.file_names() == files
    vm.keeps_writing(10)        # the stopped agent froze nothing yet

    cont = console.command('agent-cont')
    assert cont.detail == 'running'
    # The agent now runs what it was sent, possibly the freeze libvirt
    # gave up on; the compute service's thaw watcher (every 2 s) must
    # thaw the guest: it writes again within a bounded time.
    harness.wait_for(
        lambda: any(text in vm.compute_log()[log_start:] for text in (
            'left frozen by a late freeze', '%s is not frozen'
            % vm.server_id)), 30, interval=0.2,
        what='the thaw watcher to get an answer')
    late_freeze = 'left frozen by a late freeze' in \
        vm.compute_log()[log_start:]
    progress_from = console.command('mark').uptime
    vm.keeps_writing(10, timeout=30)
    gap = console.longest_gap(cont.uptime, progress_from)
    print(f'\nerror after {failed.seconds:.2f} s; late freeze '
          f'{"thawed by the watcher" if late_freeze else "not seen"}; '
          f'longest gap after agent-cont {gap.seconds:.2f} s')
    # Whether or not the late freeze came, the watcher's answer means the
    # guest is thawed now (order: its thaw came after the agent's queue).
    assert console.freeze_status() == 'thawed', console.tail()
    # Not frozen: a quiesced snapshot works again.
    again = vm.snapshot()
    assert again.snapshot.metadata.get('quiesced') == 'yes', again.snapshot
    vm.keeps_writing(10)
    limit = vm.first_record_after(again.after).number
    _check_image(vm.inspect_snapshot(again.id), again, limit,
                 quiesced=True)
    assert not console.errors(), console.tail()
