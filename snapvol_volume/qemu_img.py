"""qemu-img, always with explicit formats.

Formats are never probed (OSSA 2014-033): every call names the format of
the image (``-f``) and of any backing file it sets (``-F``). ``info`` never
opens backing files, so a hostile header cannot make us read them.
"""

import ctypes
import json
import os
import re
import signal
import subprocess
import threading
import time

from oslo_concurrency import processutils
from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api.conf import CONF

LOG = logging.getLogger(__name__)

FORMATS = ('raw', 'qcow2')


_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    # A qemu-img left running by a killed manager would still hold the
    # image's lock when the restarted manager resumes the same work.
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG,
                                            signal.SIGKILL)


def _run(*args):
    cmd = ('qemu-img',) + tuple(str(a) for a in args)
    start = time.monotonic()
    try:
        out, _err = processutils.execute(
            *cmd, env_variables={'LC_ALL': 'C'},
            timeout=CONF.volume.qemu_img_timeout,
            preexec_fn=_die_with_parent)
    except processutils.ProcessExecutionError as e:
        reason = (e.stderr or e.description or '').strip()
        raise exception.ImageCommandFailed(command=' '.join(cmd[:2]),
                                           reason=reason)
    LOG.debug('%s took %.3f s', ' '.join(cmd), time.monotonic() - start)
    return out


_PROGRESS = re.compile(r'\((\d+(?:\.\d+)?)/100%\)')


def _run_with_progress(on_progress, *args):
    """_run with ``-p``, telling ``on_progress(percent)`` (an int, each
    value once) as qemu-img prints it; None: plain _run."""
    if on_progress is None:
        return _run(*args)
    cmd = ('qemu-img', args[0], '-p') + tuple(str(a) for a in args[1:])
    start = time.monotonic()
    with subprocess.Popen(cmd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE,
                          env=dict(os.environ, LC_ALL='C'),
                          preexec_fn=_die_with_parent) as proc:
        timer = threading.Timer(CONF.volume.qemu_img_timeout, proc.kill)
        timer.start()
        try:
            told = None
            # Progress lines end with \r: read what comes, as it comes.
            for chunk in iter(lambda: proc.stdout.read1(4096), b''):
                for found in _PROGRESS.findall(chunk.decode()):
                    percent = int(float(found))
                    if percent != told:
                        on_progress(percent)
                        told = percent
            err = proc.stderr.read().decode()
        finally:
            timer.cancel()
    if proc.returncode != 0:
        raise exception.ImageCommandFailed(
            command=' '.join(cmd[:2]),
            reason=err.strip() or 'exit code %d' % proc.returncode)
    LOG.debug('%s took %.3f s', ' '.join(cmd), time.monotonic() - start)


def _check_format(fmt):
    if fmt not in FORMATS:
        raise exception.InvalidInput(reason='unsupported format %r' % fmt)


def info(path, fmt):
    """The image's header as qemu-img reports it (JSON as a dict).

    ``-U`` lets it read a file a running QEMU holds open.
    """
    _check_format(fmt)
    return json.loads(_run('info', '-U', '-f', fmt, '--output=json', path))


def create(path, fmt, size_bytes, backing=None, backing_fmt=None):
    """Creates an image; with ``backing`` (a name relative to the image's
    directory) an overlay that records ``backing_fmt`` in its header.

    ``-u`` because the size is given: qemu-img need not open the backing
    file, which was validated by the caller.
    """
    _check_format(fmt)
    args = ['create', '-q', '-f', fmt]
    if backing is not None:
        _check_format(backing_fmt)
        args += ['-u', '-b', backing, '-F', backing_fmt]
    _run(*args, path, size_bytes)


def commit(path, fmt, rate_limit=None, on_progress=None):
    """Writes an overlay's data into its backing file; ``-d`` leaves the
    overlay as it was, so a repeated commit after a crash is harmless.
    ``rate_limit``: bytes per second at most; ``on_progress(percent)``:
    told how far it is."""
    _check_format(fmt)
    limit = ('-r', int(rate_limit)) if rate_limit else ()
    quiet = () if on_progress else ('-q',)
    _run_with_progress(on_progress, 'commit', *quiet, '-f', fmt, '-d',
                       *limit, path)


def rebase_unsafe(path, fmt, backing, backing_fmt):
    """Points an overlay at another backing file without copying data:
    only correct when both backing files show the same data."""
    _check_format(fmt)
    _check_format(backing_fmt)
    _run('rebase', '-q', '-u', '-f', fmt, '-b', backing, '-F', backing_fmt,
         path)


def rebase(path, fmt, backing, backing_fmt, on_progress=None):
    """Copies into an overlay what its backing chain shows above
    ``backing`` and points it there (no ``backing``: all of it, leaving a
    standalone image); the data the overlay shows does not change. After a
    crash the header still names the old backing file, so it can be run
    again. ``on_progress(percent)``: told how far it is."""
    _check_format(fmt)
    args = ['rebase'] + ([] if on_progress else ['-q']) + [
        '-f', fmt, '-b', backing or '']
    if backing is not None:
        _check_format(backing_fmt)
        args += ['-F', backing_fmt]
    _run_with_progress(on_progress, *args, path)


def convert(src, src_fmt, dest, dest_fmt):
    """Copies the data ``src`` shows (with its backing chain) into a new,
    independent image."""
    _check_format(src_fmt)
    _check_format(dest_fmt)
    _run('convert', '-q', '-f', src_fmt, '-O', dest_fmt, src, dest)


def resize(path, fmt, size_bytes):
    _check_format(fmt)
    _run('resize', '-q', '-f', fmt, path, size_bytes)
