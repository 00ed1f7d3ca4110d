"""A real guest with qemu-ga under the virt layer: freeze, thaw, snapshots
while it writes, and an agent that is dead or stopped.

One TCG guest (tests/functional/guest.py, built by tools/build-test-guest)
is booted for the module; it appends fsync'ed, numbered records to an ext4
data disk and reports each on its serial console. Tests run in order and
each leaves the agent running and the filesystem thawed (the ``healthy``
fixture makes sure of it).
"""

import os
from pathlib import Path
import shutil
import threading
import time
from types import SimpleNamespace
import uuid

import pytest

from snapvol_api import exception
from snapvol_compute.virt import config
from snapvol_compute.virt import host as virt_host

from . import guest as testguest
from . import harness

# One guest for the module, its tests in order: one pytest-xdist worker
# runs them all (ONE_WORKER_FILES in tests/conftest.py).

URI = os.environ.get('SNAPVOL_TEST_LIBVIRT_URI', 'qemu:///system')
DOMAIN_PREFIX = 'snapvol-guest-test'
DATA_SERIAL = 'snapvol-data'
TARGET = 'vdb'          # libvirt's name; the guest calls the disk vda
MEMORY_MIB = 128
AGENT_NOT_CONNECTED = 86    # VIR_ERR_AGENT_UNRESPONSIVE


def _stale(name):
    """True for DOMAIN_PREFIX-<pid>-... of a process that is gone."""
    parts = name.split('-')
    return (name.startswith(DOMAIN_PREFIX + '-') and len(parts) >= 5
            and parts[3].isdigit() and not os.path.exists(f'/proc/{parts[3]}'))


def _sweep_stale(host):
    """Remove the domains and directories a killed run left."""
    for dom in host.guests():
        if _stale(dom.name):
            try:
                dom.destroy()
                dom.undefine()
            except exception.SnapvolException:
                pass
    for path in Path('/var/tmp').glob(DOMAIN_PREFIX + '-*'):
        if _stale(path.name):
            shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope='module')
def vm():
    kernel, initrd = testguest.build()
    host = virt_host.Host(URI)
    try:
        host.connect()
    except exception.HypervisorUnavailable as exc:
        harness.unavailable(f'libvirt at {URI}: {exc}')
    _sweep_stale(host)
    workdir = testguest.make_workdir(f'{DOMAIN_PREFIX}-{os.getpid()}-')
    data = testguest.format_ext4(workdir / 'data.raw', 64)
    uid = str(uuid.uuid4())
    spec = config.DomainSpec(
        uuid=uid, name=f'{DOMAIN_PREFIX}-{os.getpid()}-{uid[:8]}',
        memory_mib=MEMORY_MIB, vcpus=1, virt_type='qemu',
        disks=(config.DiskSpec(config.DiskSource('file', 'raw',
                                                 path=str(data)),
                               TARGET, DATA_SERIAL),),
        kernel=kernel, initrd=initrd,
        cmdline=testguest.cmdline(DATA_SERIAL), guest_agent=True,
        console_log=str(workdir / 'console.log'))
    started = time.monotonic()
    guest = host.create_guest(spec)
    console = testguest.Console(workdir / 'console.log', uid, uri=URI)
    try:
        ready_uptime = console.wait_ready(120)
        yield SimpleNamespace(host=host, guest=guest, console=console,
                              workdir=workdir, data=data,
                              boot_seconds=time.monotonic() - started,
                              ready_uptime=ready_uptime)
    finally:
        console.close()
        try:
            guest.destroy()
            guest.undefine()
        finally:
            host.close()
            shutil.rmtree(workdir, ignore_errors=True)


def _recover(vm):
    """Agent running and not stopped, filesystem thawed."""
    vm.console.command('agent-cont')
    vm.console.command('agent-start')
    deadline = time.monotonic() + 20
    while True:
        try:
            vm.guest.fs_thaw()
            return
        except exception.QuiesceFailed:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)     # a restarted agent connects within ~1 s


@pytest.fixture
def healthy(vm):
    yield vm
    _recover(vm)


def _frozen_window(console, seconds=1.0):
    """With a freeze in place: two marks ``seconds`` apart (see
    _assert_no_progress)."""
    return console.window(seconds)


def _assert_no_progress(console, window):
    """Once the guest is thawed: it made at most one record durable inside
    ``window`` (one whose fsync returned as the freeze began may carry a
    later uptime; the next write blocks). Order, not timing: a loaded host
    may delay any line, never reorder them."""
    inside = console.records_between(*window)
    assert len(inside) <= 1, (window, inside, console.tail())


def _first_record_after(console, uptime, timeout=20):
    """The number of the first record reported strictly after ``uptime``
    (one 10 ms tick later, since uptimes are rounded)."""
    deadline = time.monotonic() + timeout
    while True:
        for r in console.record_times():
            if r.uptime > uptime + 0.01:
                return r.number
        if time.monotonic() > deadline:
            raise TimeoutError(f'no record after uptime {uptime}:\n'
                               f'{console.tail()}')
        time.sleep(0.05)


def test_boots_and_writes_records(healthy):
    vm = healthy
    new = vm.console.wait_records(30, 60)
    records = vm.console.records()
    testguest.check_prefix(records, 'records on the console')
    assert not vm.console.errors(), vm.console.tail()
    # (How closely records follow each other is not asserted: a loaded
    # host stalls a TCG guest for seconds. It is printed.)
    gap = vm.console.longest_gap(new[0].uptime, new[-1].uptime)
    rate = (len(new) - 1) / max(new[-1].uptime - new[0].uptime, 0.01)
    print(f'\nboot to ready: {vm.boot_seconds:.1f} s (guest uptime '
          f'{vm.ready_uptime:.2f} s); {rate:.0f} records/s, longest gap '
          f'{gap.seconds:.2f} s')


def test_freeze_stops_records_and_thaw_resumes_them(healthy):
    vm = healthy
    console = vm.console
    console.wait_records(3, 30)
    start = console.command('mark').uptime
    assert vm.guest.fs_freeze() == 1
    assert console.freeze_status() == 'frozen'
    window = _frozen_window(console, 1.5)
    assert vm.guest.fs_thaw() == 1
    assert console.freeze_status() == 'thawed'
    console.wait_records(5, 30)
    end = console.command('mark').uptime
    _assert_no_progress(console, window)
    gap = console.longest_gap(start, end)
    print(f'\nfreeze window {gap.seconds:.2f} s (watched '
          f'{window[1] - window[0]:.2f} s)')
    testguest.check_prefix(console.records(), 'records on the console')
    # A second freeze/thaw right away works too (nothing left frozen).
    assert vm.guest.fs_freeze() == 1
    assert vm.guest.fs_thaw() == 1
    console.wait_records(3, 30)


@pytest.mark.parametrize('quiesce', [False, True],
                         ids=['crash-consistent', 'quiesced'])
def test_snapshot_while_writing_holds_a_record_prefix(healthy, quiesce):
    vm = healthy
    console = vm.console
    console.wait_records(5, 30)
    disk = vm.guest.disk_by_serial(DATA_SERIAL)
    old = disk.active.source
    overlay = vm.workdir / f'snap-{len(disk.chain)}.qcow2'
    harness.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', old.path,
                 '-F', old.format, str(overlay)])
    durable = console.records()     # all on disk before the snapshot
    vm.guest.snapshot_disks(
        {TARGET: config.DiskSource('file', 'qcow2', path=str(overlay))},
        quiesce=quiesce)
    after = console.command('mark').uptime
    assert vm.guest.disk_by_serial(DATA_SERIAL).active.source.path == \
        str(overlay)
    # Record k printed after the snapshot may have been durable before it;
    # k + 1 was written after k was printed, so it cannot be in the image.
    limit = _first_record_after(console, after)

    image = testguest.inspect(old.path, old.format)

    assert image.fsck_clean, image.fsck_output
    # Mounted ext4 always has needs_recovery set; a freeze clears it.
    assert image.needs_recovery is not quiesce
    assert image.bad == 0
    testguest.check_prefix(image.records, 'records in the image')
    testguest.check_prefix(image.recovered_records,
                           'records in the image after journal replay')
    assert durable[-1] < len(image.recovered_records) <= limit + 1, (
        durable[-1], len(image.recovered_records), limit)
    if quiesce:
        assert image.records == image.recovered_records
    # The guest keeps writing, to the overlay now.
    console.wait_records(5, 30)


def test_killed_agent_fails_freeze_and_snapshot_at_once(healthy):
    vm = healthy
    console = vm.console
    ack = console.command('agent-kill')
    assert console.command('agent-status').detail.startswith('dead'), ack
    # libvirt may not have seen the agent go yet: bounded, not for ever.
    vm.guest.set_agent_timeout(5)
    with pytest.raises(exception.QuiesceFailed) as err:
        vm.guest.fs_freeze()
    assert err.value.kwargs['error_code'] == AGENT_NOT_CONNECTED

    # A quiesced snapshot fails the same way and leaves the chain alone.
    disk = vm.guest.disk_by_serial(DATA_SERIAL)
    overlay = vm.workdir / 'snap-not-taken.qcow2'
    harness.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b',
                 disk.active.source.path, '-F', disk.active.source.format,
                 str(overlay)])
    with pytest.raises(exception.QuiesceFailed):
        vm.guest.snapshot_disks(
            {TARGET: config.DiskSource('file', 'qcow2', path=str(overlay))},
            quiesce=True)
    assert vm.guest.disk_by_serial(DATA_SERIAL).chain == disk.chain

    # Nothing was frozen: the guest goes on writing.
    console.wait_records(10, 30)
    ack = console.command('agent-start')
    assert ack.detail.startswith('running'), ack
    deadline = time.monotonic() + 20
    while True:
        try:
            assert vm.guest.fs_freeze() == 1
            break
        except exception.QuiesceFailed:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert vm.guest.fs_thaw() == 1
    console.wait_records(3, 30)


def test_stopped_agent_blocks_freeze_until_it_continues(healthy):
    """libvirt's default agent timeout is to wait for ever: with the
    (already synced) agent stopped, fs_freeze() does not return; it
    completes once the agent continues."""
    vm = healthy
    console = vm.console
    # An answered command first: libvirt is in sync with this agent.
    assert vm.guest.fs_freeze() == 1
    assert vm.guest.fs_thaw() == 1
    assert console.command('agent-stop').detail == 'stopped'
    result = {}

    def freeze():
        try:
            result['frozen'] = vm.guest.fs_freeze()
        except Exception as exc:    # reported by the assertions below
            result['error'] = exc

    thread = threading.Thread(target=freeze, daemon=True)
    thread.start()
    thread.join(3)
    assert thread.is_alive(), result
    console.wait_records(10, 30)    # not frozen meanwhile

    assert console.command('agent-cont').detail == 'running'
    thread.join(120)
    assert result == {'frozen': 1}
    window = _frozen_window(console)
    assert vm.guest.fs_thaw() == 1
    _assert_no_progress(console, window)
    console.wait_records(5, 30)


def test_stopped_agent_with_a_timeout_leaves_the_guest_frozen(healthy):
    """With a response timeout the freeze fails (QuiesceFailed), but the
    request stays queued in the stopped agent: when it continues it
    freezes the guest, although the caller was told it failed."""
    vm = healthy
    console = vm.console
    vm.guest.set_agent_timeout(2)
    try:
        assert console.command('agent-stop').detail == 'stopped'
        started = time.monotonic()
        with pytest.raises(exception.QuiesceFailed) as err:
            vm.guest.fs_freeze()
        assert time.monotonic() - started > 1.5     # it waited
        assert err.value.kwargs['error_code'] == AGENT_NOT_CONNECTED
        console.wait_records(5, 30)     # not frozen yet

        assert console.command('agent-cont').detail == 'running'
        # The agent runs the queued freeze before it answers this.
        assert console.freeze_status() == 'frozen'
        window = _frozen_window(console)
        assert vm.guest.fs_thaw() == 1      # it was frozen
        _assert_no_progress(console, window)
        console.wait_records(5, 30)
    finally:
        vm.guest.set_agent_timeout(10)      # bounded for the later tests
