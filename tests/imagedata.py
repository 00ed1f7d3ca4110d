"""Data verification for disk images and qcow2 chains.

Tests write known byte patterns into an image with ``qemu-io`` and apply the
same writes to an :class:`ImageModel`, a sparse raw file holding what the
disk must contain. A model copied at each point in time (``checkpoint``) is
what a snapshot of that moment must contain. ``qemu-img compare`` then
checks a whole chain against a model, reading through the backing files the
way a guest would::

    model = ImageModel(tmp_path / 'model.raw', size=64 * MiB)
    model.write_image(path, 'qcow2', 0xAB, 0, 64 * KiB)  # image and model
    at_snap1 = model.checkpoint('snap1')                # frozen copy
    model.write_image(path, 'qcow2', 0xCD, 4 * KiB, 512)
    model.assert_matches(path, 'qcow2')                 # current state
    at_snap1.assert_matches(snapshot_view, 'qcow2')     # the past

Formats are always given explicitly (``-f``/``-F``), never probed: that is
the project's rule (OSSA 2014-033) and the tests follow it too.
"""

import json
import os
from pathlib import Path
import shutil
import subprocess

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

QEMU_TIMEOUT = 300


class ImageToolError(RuntimeError):
    """qemu-img/qemu-io failed (not: found a difference)."""


def _run(cmd, timeout=QEMU_TIMEOUT):
    try:
        return subprocess.run(cmd, capture_output=True, text=True,
                              timeout=timeout, check=False)
    except FileNotFoundError as exc:
        raise ImageToolError(f'{cmd[0]} not found: run tools/testbed '
                             f'(package qemu-utils)') from exc


def _describe(cmd, proc):
    return (f'{" ".join(map(str, cmd))} exited {proc.returncode}\n'
            f'stdout: {proc.stdout.strip()}\nstderr: {proc.stderr.strip()}')


def qemu_io(image, fmt, command, *, force_share=False):
    """Run one qemu-io command (e.g. ``'write -P 0xab 0 4k'``) on ``image``.

    Raises ImageToolError when qemu-io fails or reports a failed command
    ("write failed: ...", "Pattern verification failed": some versions
    exit 0 even then, so the output is checked too).
    ``force_share`` (-U) is needed to read an image a running QEMU holds.
    """
    cmd = ['qemu-io', '-f', fmt]
    if force_share:
        cmd.append('-U')
    cmd += ['-c', command, os.fspath(image)]
    proc = _run(cmd)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0 or 'failed' in out:
        raise ImageToolError(_describe(cmd, proc))
    return proc.stdout


def write_pattern(image, fmt, pattern, offset, length):
    """Writes ``length`` bytes of ``pattern`` at ``offset`` (qemu-io)."""
    _check_pattern(pattern)
    qemu_io(image, fmt, f'write -P {pattern:#x} {offset} {length}')


def has_pattern(image, fmt, pattern, offset, length, *, force_share=False):
    """True when ``length`` bytes at ``offset`` all have value ``pattern``."""
    _check_pattern(pattern)
    try:
        qemu_io(image, fmt, f'read -P {pattern:#x} {offset} {length}',
                force_share=force_share)
    except ImageToolError as exc:
        if 'Pattern verification failed' in str(exc):
            return False
        raise
    return True


def compare(model, image, fmt, *, strict=False, force_share=False):
    """Compare a raw ``model`` file with ``image`` (and its backing chain).

    Returns (identical, message). Unallocated areas read as zeros, so a
    sparse model equals a chain with holes; a size difference is allowed when
    the excess is zeros unless ``strict``. Raises ImageToolError when
    qemu-img cannot compare (exit code other than 0 or 1).
    """
    cmd = ['qemu-img', 'compare', '-f', 'raw', '-F', fmt]
    if strict:
        cmd.append('-s')
    if force_share:
        cmd.append('-U')
    cmd += [os.fspath(model), os.fspath(image)]
    proc = _run(cmd)
    if proc.returncode not in (0, 1):
        raise ImageToolError(_describe(cmd, proc))
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()


def image_chain(image, fmt, *, force_share=False):
    """``qemu-img info --backing-chain`` of ``image`` as a list of dicts,
    the active image first (keys: filename, format, virtual-size,
    backing-filename, full-backing-filename, backing-filename-format...)."""
    cmd = ['qemu-img', 'info', '--backing-chain', '--output=json', '-f', fmt]
    if force_share:
        cmd.append('-U')
    cmd.append(os.fspath(image))
    proc = _run(cmd)
    if proc.returncode != 0:
        raise ImageToolError(_describe(cmd, proc))
    chain = json.loads(proc.stdout)
    return chain if isinstance(chain, list) else [chain]


def create_image(path, fmt, size, *, backing=None, backing_fmt=None):
    """``qemu-img create`` an image, optionally on top of ``backing``
    (whose format must then be given too: nothing is probed)."""
    cmd = ['qemu-img', 'create', '-q', '-f', fmt]
    if backing is not None:
        if backing_fmt is None:
            raise ValueError('backing_fmt is required with backing')
        cmd += ['-b', os.fspath(backing), '-F', backing_fmt]
    cmd += [os.fspath(path)]
    if size is not None:
        cmd.append(str(size))
    proc = _run(cmd)
    if proc.returncode != 0:
        raise ImageToolError(_describe(cmd, proc))
    return Path(path)


def _check_pattern(pattern):
    if not 0 <= pattern <= 0xFF:
        raise ValueError(f'pattern must be a byte value, not {pattern!r}')


class ImageModel:
    """What a disk must contain at one point in time: a sparse raw file.

    Apply every write both to the real image and to the model
    (``write_image`` does both), take a ``checkpoint`` whenever the test
    takes a snapshot, then ``assert_matches`` the image or chain.
    """

    def __init__(self, path, size, *, _existing=False):
        self.path = Path(path)
        self.size = int(size)
        if not _existing:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, 'wb') as f:
                f.truncate(self.size)

    def write(self, pattern, offset, length):
        """Record a write of ``length`` bytes of ``pattern`` at ``offset``."""
        _check_pattern(pattern)
        if offset < 0 or offset + length > self.size:
            raise ValueError(f'write {offset}+{length} outside a model of '
                             f'{self.size} bytes')
        with open(self.path, 'r+b') as f:
            f.seek(offset)
            f.write(bytes([pattern]) * length)

    def write_image(self, image, fmt, pattern, offset, length):
        """Write the pattern into ``image`` with qemu-io, then the model."""
        write_pattern(image, fmt, pattern, offset, length)
        self.write(pattern, offset, length)

    def checkpoint(self, label):
        """A frozen copy of the model now (beside it, ``<label>.raw``):
        the expected content of a snapshot taken at this moment."""
        dest = self.path.with_name(f'{self.path.stem}.{label}.raw')
        if dest.exists():
            raise FileExistsError(dest)
        if subprocess.run(['cp', '--sparse=always', os.fspath(self.path),
                           os.fspath(dest)]).returncode != 0:
            shutil.copyfile(self.path, dest)
        return ImageModel(dest, self.size, _existing=True)

    def matches(self, image, fmt, *, force_share=False):
        """True when ``image`` (with its backing chain) equals the model."""
        return compare(self.path, image, fmt, force_share=force_share)[0]

    def assert_matches(self, image, fmt, *, check_size=True,
                       force_share=False):
        """Fail with qemu-img's first difference and the image's chain."""
        same, message = compare(self.path, image, fmt,
                                force_share=force_share)
        chain = image_chain(image, fmt, force_share=force_share)
        if same and check_size and chain[0]['virtual-size'] != self.size:
            same = False
            message = (f'virtual size {chain[0]["virtual-size"]} != model '
                       f'size {self.size}')
        if not same:
            layers = '\n'.join(
                f'  {layer["filename"]} ({layer["format"]})'
                for layer in chain)
            raise AssertionError(
                f'{image} ({fmt}) differs from model {self.path}: '
                f'{message}\nchain:\n{layers}')
