"""The one check of a file name that came from outside (an API request, a
report, a qcow2 header): a bare name inside a share directory, never a
path."""

import re

from snapvol_api import exception

_BARE_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]*$')
MAX_LENGTH = 255


def is_file_name(value):
    """Whether ``value`` is a bare file name: letters, digits, '.', '_'
    and '-', not starting with '.' or '-', without '..'."""
    return (isinstance(value, str) and len(value) <= MAX_LENGTH
            and bool(_BARE_NAME.match(value)) and '..' not in value)


def check_file_name(value, what, error=exception.InvalidInput):
    """``value``, if it is a bare file name (None stays None); else
    ``error(reason=...)`` naming it ``what``."""
    if value is None or is_file_name(value):
        return value
    raise error(reason="%s must be a bare file name (letters, digits, "
                       "'.', '_', '-'; no '/' or '..'), not %r"
                       % (what, value))
