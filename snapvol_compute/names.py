"""Disk devices of instances, and the file names the compute manager
takes from requests (checked by the one rule, snapvol_api.names)."""

from snapvol_api import names

# The disk targets instances get, in order: vda is the boot volume.
DEVICES = ['vd%s' % chr(c) for c in range(ord('a'), ord('z') + 1)]


def bare_name(value, what, error):
    """``value`` if it is a bare file name; ``error(reason=...)``
    otherwise, also when it is missing."""
    if value is None:
        raise error(reason='%s is missing' % what)
    return names.check_file_name(value, what, error)
