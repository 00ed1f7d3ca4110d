"""The test guest (``tools/build-test-guest``): what it reports on its
console and what it writes to its data disk. Plain stdlib, no pytest:
the functional tests (``tests/functional/guest.py``, which adds what
only they need) and ``tools/demo.py`` both use it.

The guest mounts its data disk (found by serial, also when it is
attached later) at /data, starts qemu-ga and appends numbered 32-byte
records to /data/records, fsync'ing each; given more disks
(``cmdline(also=...)``), it appends each record to each of them in turn,
so that at any instant a disk holds the records of the one before it or
one fewer. Its serial console (read from
the log file by :class:`Console`) says, one line each::

    SNAPVOL boot <uptime>
    SNAPVOL disk <serial> /dev/vdX
    SNAPVOL agent <pid> /dev/vportNpM
    SNAPVOL ready <uptime> <first record number>
    SNAPVOL rec <n> <uptime>              record n is durable (fsync returned)
    SNAPVOL ack <command> <uptime> [detail]
    SNAPVOL error <what> [detail]

``<uptime>`` is the guest's /proc/uptime (seconds, 10 ms resolution).
Commands go the other way over the same serial port (the pty libvirt
gives the domain), so they work whatever state the agent is in:
``agent-kill`` (SIGKILL), ``agent-stop`` (SIGSTOP), ``agent-cont``
(SIGCONT), ``agent-start`` (only if it is dead), ``agent-status``, and
``mark``, which only answers with the guest's uptime (to relate host
events to record timestamps).

:func:`inspect` reads a (possibly live) disk image without mounting it.
"""

import dataclasses
import os
from pathlib import Path
import re
import select
import shutil
import subprocess
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

REPO = Path(__file__).resolve().parents[1]
BUILDER = REPO / 'tools' / 'build-test-guest'
RECORD_SIZE = 32
RECORD_RE = re.compile(rb'rec (\d{8}) (\d{8}) snapvol\.\.\n')
COMMANDS = ('agent-kill', 'agent-stop', 'agent-cont', 'agent-start',
            'agent-status', 'disk-sizes', 'mark')
# Pause between records in the guest: without one a TCG guest writes ~200
# records/s and keeps a host core busy; 20 ms gives ~40/s at a fraction
# of that, still far finer than a freeze (40-100 ms) or any test's sleep.
DEFAULT_DELAY_US = 20000
# virtio-blk serials are cut at 20 bytes; the guest compares them whole.
_SERIAL_RE = re.compile(r'^[A-Za-z0-9._-]{1,20}$')
_LINE_RE = re.compile(r'SNAPVOL (\S+)(?: (.*?))?\s*$')

_built = None


class Unavailable(Exception):
    """The test guest cannot be built on this machine."""


def _run(cmd, timeout=60, check=True):
    """subprocess.run, text output captured; RuntimeError (with that
    output) on a non-zero exit when ``check``."""
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if not check or proc.returncode == 0:
        return proc
    raise RuntimeError(f'{" ".join(map(str, cmd))} exited '
                       f'{proc.returncode}:\n{proc.stdout}{proc.stderr}')


# --- building and booting ---------------------------------------------------

def build():
    """(kernel, initrd) paths of the test guest, built on first use
    (``tools/build-test-guest``, cached outside the repository; ~5 s and
    a 27 MB download the first time). Unavailable if it cannot be."""
    global _built
    if _built is None:
        try:
            proc = subprocess.run([str(BUILDER)], capture_output=True,
                                  text=True, timeout=900, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise Unavailable(f'{BUILDER}: {exc}') from exc
        lines = proc.stdout.strip().splitlines()
        if proc.returncode != 0 or not lines:
            raise Unavailable(f'{BUILDER} exited {proc.returncode}: '
                              f'{proc.stderr.strip()[-2000:]}')
        directory = Path(lines[-1])
        kernel, initrd = directory / 'vmlinuz', directory / 'initrd.img'
        if not (kernel.is_file() and initrd.is_file()):
            raise Unavailable(f'{BUILDER} printed {directory}, which lacks '
                              f'vmlinuz or initrd.img')
        _built = (str(kernel), str(initrd))
    return _built


def cmdline(data_serial, delay_us=DEFAULT_DELAY_US, also=()):
    """The kernel command line: serial console, and the data disk's serial.
    ``delay_us``: pause after each record (0: none). ``also``: serials of
    more disks the guest writes every record to, in that order, after the
    data disk."""
    for serial in (data_serial, *also):
        if not _SERIAL_RE.match(serial):
            raise ValueError(f'disk serial {serial!r}: 1-20 of '
                             f'[A-Za-z0-9._-] (virtio-blk keeps 20 bytes)')
    line = (f'console=ttyS0 quiet snapvol.data={data_serial} '
            f'snapvol.delay={int(delay_us)}')
    return line + (f' snapvol.also={",".join(also)}' if also else '')


def mkfs_ext4(path, fs_mib=None):
    """An empty ext4 filesystem of ``fs_mib`` (default: all of it) at the
    start of the existing raw image ``path``, whose size and mode are
    kept. Inode tables and journal are written now, so that the guest's
    kernel does not initialise them in the background."""
    _run(['mkfs.ext4', '-q', '-F', '-L', 'snapvol-data',
          '-E', 'lazy_itable_init=0,lazy_journal_init=0', str(path)]
         + ([f'{int(fs_mib)}M'] if fs_mib else []))


# --- the console -------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Record:
    number: int
    uptime: float


@dataclasses.dataclass(frozen=True)
class Ack:
    command: str
    uptime: float
    detail: str


@dataclasses.dataclass(frozen=True)
class Gap:
    """The longest time without a new durable record: from ``start`` (a
    record's time, or the interval's start) to ``end``."""
    seconds: float
    start: float
    end: float
    last_before: int | None     # the record that came before it, if any
    first_after: int | None     # the record that ended it, if any


class CommandFailed(Exception):
    pass


class Console:
    """The guest's serial console: lines from the log file libvirt writes
    (``DomainSpec.console_log``), commands into the domain's serial pty.

    Reading follows virtlogd's rotation (it renames the log to ``.0`` at
    2 MiB, ~15 min of records at the default rate). One Console per run of
    the domain: a restart truncates the log. Not thread-safe: use it from
    one thread."""

    def __init__(self, log_path, domain_uuid, uri='qemu:///system'):
        self.log_path = str(log_path)
        self.domain_uuid = domain_uuid
        self.uri = uri
        self.lines = []         # every console line so far, \r stripped
        self._records = []      # Record per 'SNAPVOL rec' line
        self._file = None
        self._partial = b''
        self._pty = None
        self._drainer = None
        self._stop = threading.Event()

    # Reading -------------------------------------------------------------

    def refresh(self):
        """Reads what the guest wrote since the last call."""
        while True:
            if self._file is None:
                try:
                    self._file = open(self.log_path, 'rb')  # noqa: SIM115
                except FileNotFoundError:
                    return
            if os.fstat(self._file.fileno()).st_size < self._file.tell():
                self._file.seek(0)      # truncated: the domain restarted
            data = self._file.read()
            if data:
                self._add(data)
                continue
            # At the end of this file: was it rotated away?
            try:
                current = os.stat(self.log_path).st_ino
            except FileNotFoundError:
                return
            if current == os.fstat(self._file.fileno()).st_ino:
                return
            self._file.close()
            self._file = None

    def _add(self, data):
        *complete, self._partial = (self._partial + data).split(b'\n')
        for raw in complete:
            line = raw.decode('utf-8', 'replace').replace('\r', '')
            self.lines.append(line)
            m = _LINE_RE.search(line)
            if m and m.group(1) == 'rec':
                try:
                    n, up = m.group(2).split()
                    self._records.append(Record(int(n), float(up)))
                except (AttributeError, ValueError):
                    pass    # a line the kernel's output broke into

    def mark(self):
        """A position in :attr:`lines`, for ``wait_for(..., since=)``."""
        self.refresh()
        return len(self.lines)

    def record_times(self):
        """Every durable record reported so far, as Record(number, uptime)."""
        self.refresh()
        return list(self._records)

    def records(self):
        """The numbers of the records reported durable so far."""
        return [r.number for r in self.record_times()]

    def errors(self):
        """The 'SNAPVOL error ...' lines so far."""
        self.refresh()
        return [line for line in self.lines if 'SNAPVOL error' in line]

    def tail(self, lines=30):
        self.refresh()
        return '\n'.join(self.lines[-lines:])

    def wait_for(self, pattern, timeout, since=0):
        """The first re.Match of ``pattern`` in a line at or after
        ``since``; TimeoutError (with the console's tail) after
        ``timeout`` seconds."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        checked = since
        while True:
            self.refresh()
            for line in self.lines[checked:]:
                m = regex.search(line)
                if m:
                    return m
            checked = max(checked, len(self.lines))
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f'no console line matching {pattern!r} within {timeout} '
                    f's; console tail:\n{self.tail()}')
            time.sleep(0.05)

    def wait_ready(self, timeout=120):
        """Waits for 'SNAPVOL ready'; returns the guest's uptime then.
        Any 'SNAPVOL error' line before it fails at once."""
        m = self.wait_for(r'SNAPVOL (ready|error) ?(.*)', timeout)
        if m.group(1) == 'error':
            raise CommandFailed(f'guest failed to start: {m.group(0)}; '
                                f'console:\n{self.tail()}')
        return float(m.group(2).split()[0])

    def wait_records(self, n_more, timeout):
        """Waits until ``n_more`` records beyond those seen now are
        reported; returns the new ones (Record list)."""
        start = len(self.record_times())
        deadline = time.monotonic() + timeout
        while True:
            times = self.record_times()
            if len(times) >= start + n_more:
                return times[start:]
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f'{len(times) - start} of {n_more} new records within '
                    f'{timeout} s; console tail:\n{self.tail()}')
            time.sleep(0.05)

    def longest_gap(self, start, end):
        """The longest time between consecutive durable records inside the
        guest-uptime interval [start, end] (its ends count as bounds: a
        gap still open at ``end`` is cut there). A freeze between two
        ``mark`` commands shows as a gap of about its length."""
        inside = [r for r in self.record_times() if start < r.uptime < end]
        before = [r for r in self.record_times() if r.uptime <= start]
        after = [r for r in self.record_times() if r.uptime >= end]
        points = ([(start, before[-1].number if before else None)] +
                  [(r.uptime, r.number) for r in inside] +
                  [(end, after[0].number if after else None)])
        best = None
        for (t0, n0), (t1, n1) in zip(points, points[1:]):
            if best is None or t1 - t0 > best.seconds:
                best = Gap(round(t1 - t0, 3), t0, t1, n0, n1)
        return best

    # Commands --------------------------------------------------------------

    def _pty_path(self):
        import libvirt  # only here: the rest works without it
        conn = libvirt.open(self.uri)
        try:
            xml = conn.lookupByUUIDString(self.domain_uuid).XMLDesc(0)
        finally:
            conn.close()
        for serial in ET.fromstring(xml).findall('./devices/serial'):
            source = serial.find('source')
            if serial.get('type') == 'pty' and source is not None \
                    and source.get('path'):
                return source.get('path')
        raise CommandFailed(f'domain {self.domain_uuid} has no serial pty '
                            f'(is it running?)')

    def _open_pty(self):
        """Opens the pty once and keeps it open. QEMU reads the pty only
        while some process has it open, and notices a new opener only on
        its 1 s poll: a write followed by a close is never delivered. And
        while it is open, QEMU also writes the guest's output into it:
        a thread reads that away (the log has it), lest the pty fill and
        the guest's serial port stall."""
        if self._pty is not None:
            return
        self._pty = os.open(self._pty_path(),
                            os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        self._stop.clear()
        self._drainer = threading.Thread(target=self._drain, args=(self._pty,),
                                         name='guest-console-drain',
                                         daemon=True)
        self._drainer.start()

    def _drain(self, fd):
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([fd], [], [], 0.2)
                if ready:
                    os.read(fd, 65536)
            except BlockingIOError:
                continue
            except (OSError, ValueError):
                return      # QEMU went away (EIO), or we closed it

    def command(self, cmd, timeout=60):
        """Sends a command and waits for its ack; returns the Ack."""
        if cmd not in COMMANDS:
            raise ValueError(f'unknown guest command {cmd!r}')
        self._open_pty()
        since = self.mark()
        os.write(self._pty, f'{cmd}\n'.encode())
        m = self.wait_for(
            rf'SNAPVOL (?:ack {re.escape(cmd)} (\S+) ?(.*)|'
            rf'error unknown-command {re.escape(cmd)}$)', timeout,
            since=since)
        if m.group(1) is None:
            raise CommandFailed(f'the guest does not know {cmd!r}')
        return Ack(cmd, float(m.group(1)), m.group(2).strip())

    # Freezes, by order rather than by timing ----------------------------

    def freeze_status(self, timeout=30):
        """'frozen' or 'thawed', as qemu-ga says (guest-fsfreeze-status,
        sent through libvirt; qemu-ga answers it also while frozen, and
        after the commands queued before it)."""
        import json

        import libvirt
        import libvirt_qemu
        conn = libvirt.open(self.uri)
        try:
            dom = conn.lookupByUUIDString(self.domain_uuid)
            reply = libvirt_qemu.qemuAgentCommand(
                dom, '{"execute": "guest-fsfreeze-status"}', timeout, 0)
        finally:
            conn.close()
        return json.loads(reply)['return']

    def window(self, seconds):
        """(start, end): the guest's uptimes at two marks ``seconds``
        apart (host time; the guest's clock follows it)."""
        start = self.command('mark').uptime
        time.sleep(seconds)
        return start, self.command('mark').uptime

    def records_between(self, start, end, timeout=60):
        """The records made durable at guest uptimes in (start, end]. They
        are only all known once a later one is reported (a record's line
        may come after a mark's ack): waits for one after ``end``."""
        deadline = time.monotonic() + timeout
        while not any(r.uptime > end + 0.01 for r in self.record_times()):
            if time.monotonic() > deadline:
                raise TimeoutError(f'no record after uptime {end} within '
                                   f'{timeout} s:\n{self.tail()}')
            time.sleep(0.05)
        return [r for r in self.record_times() if start < r.uptime <= end]

    def close(self):
        self._stop.set()
        if self._drainer is not None:
            self._drainer.join(2)
            self._drainer = None
        if self._pty is not None:
            os.close(self._pty)
            self._pty = None
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --- images ------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Inspection:
    """What a disk image holds. ``records``: as the image holds them, with
    ext4's journal not replayed (debugfs does not); ``recovered_records``:
    after replaying the journal on a copy, what a mount would show (the
    same list when ``needs_recovery`` is clear). ``bad``: 32-byte slots of
    the recovered /records that are not a well-formed record.
    ``fsck_clean``/``fsck_output``: ``e2fsck -fn`` of the filesystem a
    mount would see, after that replay (before it, a crash-consistent
    image shows the bitmap changes its journal holds as errors)."""
    needs_recovery: bool
    fsck_clean: bool
    fsck_output: str
    records: list
    recovered_records: list
    bad: int


def parse_records(data):
    """(record numbers, count of malformed 32-byte slots) of /records."""
    numbers, bad = [], 0
    for offset in range(0, len(data), RECORD_SIZE):
        m = RECORD_RE.fullmatch(data[offset:offset + RECORD_SIZE])
        if m and m.group(1) == m.group(2):
            numbers.append(int(m.group(1)))
        else:
            bad += 1
    return numbers, bad


def _debugfs_cat(raw, name='/records'):
    proc = subprocess.run(['debugfs', '-R', f'cat {name}', str(raw)],
                          capture_output=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f'debugfs cat {name} {raw} exited '
                           f'{proc.returncode}: {proc.stderr.decode()}')
    return proc.stdout


def inspect(image_path, fmt, workdir='/var/tmp', keep=None):
    """Reads the ext4 filesystem in ``image_path`` (format ``fmt``; a
    qcow2 with its backing chain) without mounting it: first a raw copy
    (``qemu-img convert -U``: a running QEMU holds the image's lock), then
    dumpe2fs, debugfs, a journal replay when needed and e2fsck -fn on the
    copy. ``keep``: where to leave that raw copy as it was before any
    replay (for a later byte-for-byte compare)."""
    tmp = Path(tempfile.mkdtemp(prefix='snapvol-inspect-', dir=workdir))
    try:
        raw = tmp / 'image.raw'
        _run(['qemu-img', 'convert', '-U', '-f', fmt, '-O', 'raw',
              str(image_path), str(raw)], timeout=300)
        if keep:
            _run(['cp', '--sparse=always', str(raw), str(keep)],
                 timeout=300)
        header = _run(['dumpe2fs', '-h', str(raw)]).stdout
        features = next((line for line in header.splitlines()
                         if line.startswith('Filesystem features:')), '')
        needs_recovery = 'needs_recovery' in features.split()
        records, bad = parse_records(_debugfs_cat(raw))
        recovered = records
        if needs_recovery:
            # Replays the journal only (what mounting would do), on the copy.
            replay = _run(['e2fsck', '-E', 'journal_only', '-p', str(raw)],
                          check=False, timeout=300)
            if replay.returncode not in (0, 1):
                raise RuntimeError(f'replaying the journal of {image_path} '
                                   f'failed: {replay.stdout}{replay.stderr}')
            recovered, bad = parse_records(_debugfs_cat(raw))
        fsck = _run(['e2fsck', '-fn', str(raw)], check=False, timeout=300)
        return Inspection(needs_recovery=needs_recovery,
                          fsck_clean=fsck.returncode == 0,
                          fsck_output=fsck.stdout + fsck.stderr,
                          records=records, recovered_records=recovered,
                          bad=bad)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def is_prefix(records):
    """True if ``records`` is 0, 1, ..., k (or empty)."""
    return list(records) == list(range(len(records)))


def check_prefix(records, what='records'):
    """Raises AssertionError unless ``records`` is 0..k; says where not."""
    for i, n in enumerate(records):
        if n != i:
            raise AssertionError(
                f'{what} are not a contiguous prefix: position {i} holds '
                f'record {n} (around: {list(records[max(0, i - 3):i + 4])}, '
                f'{len(records)} in all)')
