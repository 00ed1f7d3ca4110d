"""Names the compute manager takes from requests: file names and disk
devices."""

import re

_BARE_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]*$')

# The disk targets instances get, in order: vda is the boot volume.
DEVICES = ['vd%s' % chr(c) for c in range(ord('a'), ord('z') + 1)]


def bare_name(value, what, error):
    """``value`` if it is a plain file name (no directory, no '..');
    ``error(reason=...)`` is raised otherwise."""
    if not isinstance(value, str) or not _BARE_NAME.match(value) \
            or '..' in value:
        raise error(reason='%s must be a plain file name, not %r'
                           % (what, value))
    return value
