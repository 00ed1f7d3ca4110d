"""The demo's real guest: tools/build-test-guest's kernel + initramfs
(busybox, qemu-ga and a workload), what it reports and what it writes.

The guest mounts its data disk (found by serial, also when the disk is
attached after boot) at /data, starts qemu-ga and appends numbered 32-byte
records to /data/records, fsync'ing each before it reports it on its
serial console::

    SNAPVOL ready <uptime> <first record number>
    SNAPVOL rec <n> <uptime>              record n is durable
    SNAPVOL ack mark <uptime>             answer to "mark" sent to ttyS0
    SNAPVOL error <what> [detail]

This is the part of tests/functional/guest.py the demo needs (the tests'
module stays theirs): reading the console log the compute service keeps,
sending ``mark`` (to relate host events to the guest's clock), and
reading the records back from a disk image without mounting it.
"""

import dataclasses
import os
import re
import select
import shutil
import subprocess
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILDER = os.path.join(REPO, 'tools', 'build-test-guest')
RECORD_SIZE = 32
RECORD_RE = re.compile(rb'rec (\d{8}) (\d{8}) snapvol\.\.\n')
# A pause between records: ~40 records/s under TCG, a fraction of a core.
DELAY_US = 20000
_LINE_RE = re.compile(r'SNAPVOL (\S+)(?: (.*?))?\s*$')


class Unavailable(Exception):
    """The guest cannot be built on this machine."""


def build():
    """(kernel, initrd): tools/build-test-guest's output (cached; built
    on first use, ~5 s and a 27 MB download). Unavailable if it fails."""
    try:
        proc = subprocess.run([BUILDER], capture_output=True, text=True,
                              timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable('%s: %s' % (BUILDER, exc)) from exc
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise Unavailable('%s exited %d: %s' % (
            BUILDER, proc.returncode, proc.stderr.strip()[-1000:]))
    kernel = os.path.join(lines[-1], 'vmlinuz')
    initrd = os.path.join(lines[-1], 'initrd.img')
    if not (os.path.isfile(kernel) and os.path.isfile(initrd)):
        raise Unavailable('%s printed %s, which lacks vmlinuz or initrd.img'
                          % (BUILDER, lines[-1]))
    return kernel, initrd


def cmdline(data_serial, delay_us=DELAY_US):
    """The guest's kernel command line (virtio-blk keeps 20 bytes of a
    serial: pass at most those)."""
    return ('console=ttyS0 quiet snapvol.data=%s snapvol.delay=%d'
            % (data_serial[:20], delay_us))


def _run(cmd, timeout=300, check=True):
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise RuntimeError('%s exited %d: %s%s' % (
            ' '.join(cmd), proc.returncode, proc.stdout, proc.stderr))
    return proc


def format_ext4(path, fs_mib):
    """An empty ext4 of ``fs_mib`` at the start of the raw image ``path``
    (its size kept; the rest of the disk stays unused). Inode tables and
    journal are written now, not by the guest's kernel in the background."""
    _run(['mkfs.ext4', '-q', '-F', '-L', 'snapvol-data',
          '-E', 'lazy_itable_init=0,lazy_journal_init=0', path,
          '%dM' % fs_mib])


# --- the console ---------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Record:
    number: int
    uptime: float


class Console:
    """The guest's serial console: lines from the log file the compute
    service keeps (<instances_path>/<id>/console.log), and the ``mark``
    command written into the domain's serial pty."""

    def __init__(self, log_path, domain_uuid, uri='qemu:///system'):
        self.log_path = log_path
        self.domain_uuid = domain_uuid
        self.uri = uri
        self.lines = []
        self._records = []
        self._file = None
        self._partial = b''
        self._pty = None
        self._drainer = None
        self._stop = threading.Event()

    def refresh(self):
        if self._file is None:
            try:
                self._file = open(self.log_path, 'rb')  # noqa: SIM115
            except FileNotFoundError:
                return
        data = self._file.read()
        if not data:
            return
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

    def record_times(self):
        self.refresh()
        return list(self._records)

    def records(self):
        """Numbers of the records the guest reported durable so far."""
        return [r.number for r in self.record_times()]

    def errors(self):
        self.refresh()
        return [line for line in self.lines if 'SNAPVOL error' in line]

    def tail(self, lines=20):
        self.refresh()
        return '\n'.join(self.lines[-lines:])

    def wait_for(self, pattern, timeout, since=0):
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
                raise TimeoutError('no console line matching %r within %d '
                                   's; console tail:\n%s'
                                   % (pattern, timeout, self.tail()))
            time.sleep(0.05)

    def wait_ready(self, timeout=180):
        """The guest's uptime when its workload started."""
        m = self.wait_for(r'SNAPVOL (ready|error) ?(.*)', timeout)
        if m.group(1) == 'error':
            raise RuntimeError('the guest failed to start: %s; console:\n%s'
                               % (m.group(0), self.tail()))
        return float(m.group(2).split()[0])

    def wait_records(self, n_more, timeout=120):
        start = len(self.record_times())
        deadline = time.monotonic() + timeout
        while len(self.record_times()) < start + n_more:
            if time.monotonic() > deadline:
                raise TimeoutError('fewer than %d new records within %d s; '
                                   'console tail:\n%s'
                                   % (n_more, timeout, self.tail()))
            time.sleep(0.05)

    def first_record_after(self, uptime, timeout=60):
        """The first record reported strictly after the guest's ``uptime``
        (one 10 ms tick later: uptimes are rounded)."""
        deadline = time.monotonic() + timeout
        while True:
            for r in self.record_times():
                if r.uptime > uptime + 0.01:
                    return r
            if time.monotonic() > deadline:
                raise TimeoutError('no record after uptime %s:\n%s'
                                   % (uptime, self.tail()))
            time.sleep(0.05)

    def longest_pause(self, start, end):
        """The longest time without a new durable record inside the
        guest-uptime interval [start, end]: a freeze shows as one."""
        points = [start] + [r.uptime for r in self.record_times()
                            if start < r.uptime < end] + [end]
        return max(b - a for a, b in zip(points, points[1:]))

    def mark(self, timeout=30):
        """The guest's uptime now, as the guest answers ``mark``."""
        self._open_pty()
        self.refresh()
        since = len(self.lines)
        os.write(self._pty, b'mark\n')
        m = self.wait_for(r'SNAPVOL ack mark (\S+)', timeout, since=since)
        return float(m.group(1))

    def _open_pty(self):
        """QEMU reads the pty only while some process holds it open (and
        notices a new opener on a 1 s poll), and then also writes the
        guest's output into it: keep it open and read that away."""
        if self._pty is not None:
            return
        import libvirt
        conn = libvirt.open(self.uri)
        try:
            xml = conn.lookupByUUIDString(self.domain_uuid).XMLDesc(0)
        finally:
            conn.close()
        path = None
        for serial in ET.fromstring(xml).findall('./devices/serial'):
            source = serial.find('source')
            if serial.get('type') == 'pty' and source is not None:
                path = source.get('path')
        if not path:
            raise RuntimeError('domain %s has no serial pty'
                               % self.domain_uuid)
        self._pty = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        self._drainer = threading.Thread(target=self._drain, daemon=True,
                                         name='guest-console-drain')
        self._drainer.start()

    def _drain(self):
        fd = self._pty
        while not self._stop.is_set():
            try:
                if select.select([fd], [], [], 0.2)[0]:
                    os.read(fd, 65536)
            except BlockingIOError:
                continue
            except (OSError, ValueError):
                return

    def close(self):
        self._stop.set()
        if self._drainer is not None:
            self._drainer.join(2)
        if self._pty is not None:
            os.close(self._pty)
            self._pty = None
        if self._file is not None:
            self._file.close()
            self._file = None


# --- images ----------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Inspection:
    """What a disk image holds. ``records``: /data/records as the image
    holds it, ext4's journal not replayed; ``recovered``: after a replay
    (what a mount would show; the same when ``needs_recovery`` is clear,
    as after a freeze). ``bad``: 32-byte slots that are not a well-formed
    record. ``fsck_clean``: e2fsck -fn after that replay."""
    needs_recovery: bool
    fsck_clean: bool
    fsck_output: str
    records: list
    recovered: list
    bad: int


def parse_records(data):
    numbers, bad = [], 0
    for offset in range(0, len(data), RECORD_SIZE):
        m = RECORD_RE.fullmatch(data[offset:offset + RECORD_SIZE])
        if m and m.group(1) == m.group(2):
            numbers.append(int(m.group(1)))
        else:
            bad += 1
    return numbers, bad


def _cat_records(raw):
    proc = subprocess.run(['debugfs', '-R', 'cat /records', raw],
                          capture_output=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise RuntimeError('debugfs cat /records %s: %s'
                           % (raw, proc.stderr.decode()))
    return proc.stdout


def inspect(image, fmt, workdir, keep=None):
    """Reads the records in ``image`` (format ``fmt``, a qcow2 with its
    chain) without mounting it: a raw copy (``qemu-img convert -U``: the
    running QEMU holds the image's lock), then dumpe2fs, debugfs, a journal
    replay if needed and e2fsck -fn, all on the copy. ``keep``: where to
    leave the unmodified raw copy (for a later byte-for-byte compare)."""
    tmp = tempfile.mkdtemp(prefix='inspect-', dir=workdir)
    try:
        raw = os.path.join(tmp, 'image.raw')
        _run(['qemu-img', 'convert', '-U', '-f', fmt, '-O', 'raw', image,
              raw])
        if keep:
            _run(['cp', '--sparse=always', raw, keep])
        header = _run(['dumpe2fs', '-h', raw]).stdout
        features = next((line for line in header.splitlines()
                         if line.startswith('Filesystem features:')), '')
        needs_recovery = 'needs_recovery' in features.split()
        records, bad = parse_records(_cat_records(raw))
        recovered = records
        if needs_recovery:
            replay = _run(['e2fsck', '-E', 'journal_only', '-p', raw],
                          check=False)
            if replay.returncode not in (0, 1):
                raise RuntimeError('replaying the journal of %s failed: %s%s'
                                   % (image, replay.stdout, replay.stderr))
            recovered, bad = parse_records(_cat_records(raw))
        fsck = _run(['e2fsck', '-fn', raw], check=False)
        return Inspection(needs_recovery, fsck.returncode == 0,
                          fsck.stdout + fsck.stderr, records, recovered, bad)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def is_prefix(records):
    """True if ``records`` is 0, 1, ..., k (or empty)."""
    return list(records) == list(range(len(records)))


def same_bytes(image, fmt, raw_copy):
    """True if ``image`` (its whole chain) holds exactly ``raw_copy``."""
    proc = _run(['qemu-img', 'compare', '-U', '-f', fmt, '-F', 'raw', image,
                 raw_copy], check=False)
    if proc.returncode not in (0, 1):
        raise RuntimeError('qemu-img compare %s %s: %s%s'
                           % (image, raw_copy, proc.stdout, proc.stderr))
    return proc.returncode == 0
