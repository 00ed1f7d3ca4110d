"""The ``OpenStack-API-Version`` header: parse, check, answer."""

import re

import webob.exc

from snapvol_api import exception

HEADER = 'OpenStack-API-Version'

_VERSION_RE = re.compile(r'^([1-9]\d*)\.(0|[1-9]\d*)$')


class Version(tuple):
    """(major, minor) that compares as numbers and prints as "3.0"."""

    @classmethod
    def parse(cls, text):
        match = _VERSION_RE.match(text.strip())
        if not match:
            raise exception.Invalid(
                'API version string %s is of invalid format. Must be of '
                'format MajorNum.MinorNum.' % text)
        return cls((int(match.group(1)), int(match.group(2))))

    def __str__(self):
        return '%d.%d' % self


def requested(header_value, service_type, minimum, maximum):
    """The version ``header_value`` asks for, within [minimum, maximum].

    The header may name several services ("volume 3.0, compute 2.1");
    only ``service_type``'s entry counts. No entry means the minimum.
    """
    for entry in (header_value or '').split(','):
        service, _sep, value = entry.strip().partition(' ')
        if service.lower() != service_type:
            continue
        value = value.strip()
        if value.lower() == 'latest':
            return maximum
        version = Version.parse(value)
        if not minimum <= version <= maximum:
            raise webob.exc.HTTPNotAcceptable(
                detail='Version %s is not supported by the API. Minimum is '
                       '%s and maximum is %s.' % (value, minimum, maximum))
        return version
    return minimum


def response_headers(service_type, version):
    return {HEADER: '%s %s' % (service_type, version), 'Vary': HEADER}
