"""The user file of the http_basic auth strategy.

Each line is ``user:bcrypt-hash[:project[:roles]]``: what ``htpasswd -B``
writes, with two optional fields appended. The file is read again whenever
its modification time changes, so users can be added without a restart.
"""

import dataclasses
import logging
import os
import threading

import bcrypt

from snapvol_api import exception

LOG = logging.getLogger(__name__)

BCRYPT_PREFIXES = ('$2y$', '$2b$', '$2a$')

# Checked against when the user is unknown, so that a wrong user name
# costs as much time as a wrong password and names cannot be probed.
_DUMMY_HASH = bcrypt.hashpw(b'snapvol', bcrypt.gensalt(rounds=5))


@dataclasses.dataclass(frozen=True)
class User:
    name: str
    password_hash: bytes
    project_id: str
    roles: tuple


def parse_line(line):
    """A ``User``, or None for a blank or comment line; ValueError if bad."""
    line = line.strip()
    if not line or line.startswith('#'):
        return None
    fields = line.split(':')
    if len(fields) < 2 or len(fields) > 4 or not fields[0]:
        raise ValueError('expected user:hash[:project[:roles]]')
    name, password_hash = fields[0], fields[1]
    if not password_hash.startswith(BCRYPT_PREFIXES):
        raise ValueError('the password hash is not bcrypt (use htpasswd -B)')
    project_id = fields[2] if len(fields) > 2 and fields[2] else name
    roles = fields[3] if len(fields) > 3 else ''
    return User(name=name, password_hash=password_hash.encode(),
                project_id=project_id,
                roles=tuple(r.strip() for r in roles.split(',')
                            if r.strip()))


def parse(lines, path):
    users = {}
    for number, line in enumerate(lines, 1):
        try:
            user = parse_line(line)
        except ValueError as exc:
            LOG.warning('%s, line %d ignored: %s', path, number, exc)
            continue
        if user is None:
            continue
        if user.name in users:
            LOG.warning('%s, line %d ignored: user %s is already defined',
                        path, number, user.name)
            continue
        users[user.name] = user
    return users


class UserFile:
    """The users of an htpasswd file, kept in step with the file."""

    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()
        self._mtime = None
        self._users = {}
        try:
            self._reload_if_changed()
        except (OSError, UnicodeDecodeError) as exc:
            raise exception.ConfigInvalid(
                reason='cannot read http_basic_auth_user_file %s: %s'
                       % (path, getattr(exc, 'strerror', None) or exc))

    def _reload_if_changed(self):
        mtime = os.stat(self.path).st_mtime_ns
        if mtime == self._mtime:
            return
        with self._lock:
            if mtime == self._mtime:
                return
            with open(self.path, encoding='utf-8') as f:
                self._users = parse(f, self.path)
            self._mtime = mtime
            LOG.info('Loaded %d user(s) from %s', len(self._users),
                     self.path)

    def authenticate(self, name, password):
        """The ``User`` if the password is right, else None.

        Raises ServiceUnavailable when the file cannot be read any more:
        failing closed, and telling the operator why in the log only.
        """
        try:
            self._reload_if_changed()
        except (OSError, UnicodeDecodeError) as exc:
            LOG.error('Cannot read %s: %s', self.path, exc)
            raise exception.ServiceUnavailable(
                reason='authentication is not available')
        user = self._users.get(name)
        # bcrypt only uses the first 72 bytes, and the bcrypt library
        # refuses longer passwords instead of ignoring the rest as
        # htpasswd does.
        password = password.encode('utf-8')[:72]
        if user is None:
            bcrypt.checkpw(password, _DUMMY_HASH)
            return None
        try:
            ok = bcrypt.checkpw(password, user.password_hash)
        except ValueError:
            LOG.warning('%s: the hash of user %s is malformed', self.path,
                        name)
            return None
        return user if ok else None
