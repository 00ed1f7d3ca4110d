"""The functional tests' guest: a real kernel with qemu-ga and a workload.

``tools/build-test-guest`` builds it (see there); this module gives tests
the pieces around it, and builds no libvirt XML: a test boots it through
the virt layer with a ``DomainSpec`` of ``kernel``/``initrd`` from
:func:`build`, ``cmdline`` from :func:`cmdline`, ``guest_agent=True``,
``console_log`` and a raw data disk made by :func:`format_ext4` whose
``serial`` is the one given to :func:`cmdline`. Files QEMU opens must be
readable by libvirt-qemu: :func:`make_workdir` makes a 0755 directory.

What the guest does and says, its console (:class:`Console`) and reading
its records back from a disk image (:func:`inspect`) are in
``tests/guestdata.py``, which ``tools/demo.py`` shares; this module
re-exports them, and adds what only tests need.
"""

from pathlib import Path
import tempfile

from tests import guestdata
from tests.guestdata import BUILDER  # noqa: F401
from tests.guestdata import COMMANDS  # noqa: F401
from tests.guestdata import DEFAULT_DELAY_US  # noqa: F401
from tests.guestdata import RECORD_RE  # noqa: F401
from tests.guestdata import RECORD_SIZE  # noqa: F401
from tests.guestdata import REPO  # noqa: F401
from tests.guestdata import Ack  # noqa: F401
from tests.guestdata import CommandFailed  # noqa: F401
from tests.guestdata import Console  # noqa: F401
from tests.guestdata import Gap  # noqa: F401
from tests.guestdata import Inspection  # noqa: F401
from tests.guestdata import Record  # noqa: F401
from tests.guestdata import check_prefix  # noqa: F401
from tests.guestdata import cmdline  # noqa: F401
from tests.guestdata import inspect  # noqa: F401
from tests.guestdata import is_prefix  # noqa: F401
from tests.guestdata import parse_records  # noqa: F401

from . import harness


def build():
    """(kernel, initrd) paths of the test guest, built on first use
    (``tools/build-test-guest``, cached outside the repository). Skips the
    test (fails it under CI) when it cannot be built."""
    try:
        return guestdata.build()
    except guestdata.Unavailable as exc:
        harness.unavailable(str(exc))


def make_workdir(prefix='snapvol-guest-'):
    """A new directory under /var/tmp that QEMU (libvirt-qemu) can enter."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir='/var/tmp'))
    path.chmod(0o755)
    return path


def format_ext4(path, size_mib=64, fs_mib=None):
    """Creates (or overwrites) ``path`` as a raw image of ``size_mib``
    holding an empty ext4 filesystem of ``fs_mib`` (default: all of it;
    a smaller one leaves the rest of the disk unused, and less to write
    and copy). Inode tables and journal are written now, so that the
    guest's kernel does not initialise them in the background."""
    path = Path(path)
    with open(path, 'wb') as f:
        f.truncate(size_mib * 1024 * 1024)
    guestdata.mkfs_ext4(path, fs_mib)
    path.chmod(0o644)
    return path
