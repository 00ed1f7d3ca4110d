"""Microversion headers: parse, check, answer.

Clients ask with ``OpenStack-API-Version: <service> X.Y``; Nova's clients
below 2.27 use ``X-OpenStack-Nova-API-Version: X.Y`` instead, which an API
can accept as its ``legacy_header``.
"""

import dataclasses
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


def _entry(header_value, service_type):
    """``service_type``'s value in an OpenStack-API-Version header, which
    may name several services ("volume 3.0, compute 2.1"); None if absent."""
    for entry in (header_value or '').split(','):
        service, _sep, value = entry.strip().partition(' ')
        if service.lower() == service_type:
            return value.strip()
    return None


def _within(value, minimum, maximum):
    if value.lower() == 'latest':
        return maximum
    version = Version.parse(value)
    if not minimum <= version <= maximum:
        raise webob.exc.HTTPNotAcceptable(
            detail='Version %s is not supported by the API. Minimum is '
                   '%s and maximum is %s.' % (value, minimum, maximum))
    return version


def requested(header_value, service_type, minimum, maximum):
    """The version ``header_value`` asks for, within [minimum, maximum].

    Only ``service_type``'s entry counts; no entry means the minimum.
    """
    value = _entry(header_value, service_type)
    return minimum if value is None else _within(value, minimum, maximum)


@dataclasses.dataclass(frozen=True)
class Microversions:
    """The versions one API speaks and the headers it reads and answers."""

    service_type: str
    minimum: Version
    maximum: Version
    legacy_header: str | None = None

    def requested(self, headers):
        """The version the request ``headers`` ask for; the standard header
        wins over the legacy one, as in Nova."""
        value = _entry(headers.get(HEADER), self.service_type)
        if value is None and self.legacy_header:
            value = headers.get(self.legacy_header, '').strip() or None
        if value is None:
            return self.minimum
        return _within(value, self.minimum, self.maximum)

    def response_headers(self, version):
        headers = {HEADER: '%s %s' % (self.service_type, version)}
        vary = [HEADER]
        if self.legacy_header:
            headers[self.legacy_header] = str(version)
            vary.append(self.legacy_header)
        headers['Vary'] = ', '.join(vary)
        return headers
