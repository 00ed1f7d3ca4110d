"""The POSTs of tooz's etcd3 driver without requests' own machinery.

etcd3gw (tooz's etcd3 driver) sends every call to etcd's JSON gateway as a
POST through a requests Session: taking or releasing a lock, granting or
renewing a lease. Through requests one costs about 1.5 ms of CPU (its
session merges settings, cookies, hooks and the environment for each
one), on a kept-alive http.client connection about 0.2 ms; a snapshot's
create or delete takes about ten of them (issue 13's benchmark is
CPU-bound). ``install`` gives the driver's client a session whose plain
POSTs to an http:// endpoint that no proxy stands before go the short
way, on connections kept for the next; anything else (https, a proxy or
netrc credentials from the environment, a streamed watch, other methods)
goes through requests as before. Errors are requests' own, as etcd3gw
expects them.
"""

import http.client
import json as jsonlib
import threading
import urllib.parse

import requests
from requests import utils as requests_utils


class Response:
    """What etcd3gw reads of a response."""

    def __init__(self, status_code, reason, content):
        self.status_code = status_code
        self.reason = reason
        self.content = content

    @property
    def text(self):
        return self.content.decode('utf-8', errors='replace')

    def json(self):
        return jsonlib.loads(self.content)


class LeanPosts:
    """A requests Session (``session``) whose plain POSTs to ``base_url``
    use http.client; every other attribute is the session's."""

    # Connections kept between calls (the threads of a manager that ask
    # at once are few: its workers and the heart that renews leases).
    IDLE_MAX = 8

    def __init__(self, session, base_url):
        self._session = session
        parts = urllib.parse.urlsplit(base_url)
        self._netloc = parts.netloc
        self._host, self._port = parts.hostname, parts.port or 80
        # requests would go through a proxy, or add credentials, that the
        # environment names for this endpoint: leave it to requests.
        self._short = (parts.scheme == 'http' and not session.proxies
                       and not session.auth
                       and not (session.trust_env and (
                           requests_utils.get_environ_proxies(base_url)
                           or requests_utils.get_netrc_auth(base_url))))
        self._idle = []
        self._mutex = threading.Lock()

    def __getattr__(self, name):
        return getattr(self._session, name)

    def post(self, url, data=None, json=None, timeout=None, **kwargs):
        parts = urllib.parse.urlsplit(url)
        if (not self._short or kwargs or parts.scheme != 'http'
                or parts.netloc != self._netloc):
            return self._session.post(url, data=data, json=json,
                                      timeout=timeout, **kwargs)
        body = data if json is None else jsonlib.dumps(json)
        path = parts.path + ('?' + parts.query if parts.query else '')
        conn, reused = self._connection(timeout)
        try:
            try:
                response = self._send(conn, path, body)
            except (http.client.RemoteDisconnected, BrokenPipeError,
                    ConnectionResetError):
                if not reused:
                    raise
                # A kept connection the server had closed meanwhile: the
                # call never reached it. Once more, on a new one.
                conn.close()
                conn, reused = self._connection(timeout, new=True)
                response = self._send(conn, path, body)
        except TimeoutError as exc:
            conn.close()
            raise requests.exceptions.Timeout(str(exc))
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise requests.exceptions.ConnectionError(str(exc))
        self._keep(conn)
        return response

    @staticmethod
    def _send(conn, path, body):
        if isinstance(body, str):
            body = body.encode('utf-8')
        conn.request('POST', path, body=body,
                     headers={'Content-Type': 'application/json'})
        reply = conn.getresponse()
        content = reply.read()
        if reply.will_close:
            conn.close()
        return Response(reply.status, reply.reason, content)

    def _connection(self, timeout, new=False):
        """(a connection, whether it served a call before)."""
        if not new:
            with self._mutex:
                if self._idle:
                    conn = self._idle.pop()
                    conn.timeout = timeout
                    if conn.sock is not None:
                        conn.sock.settimeout(timeout)
                    return conn, True
        return http.client.HTTPConnection(self._host, self._port,
                                          timeout=timeout), False

    def _keep(self, conn):
        if conn.sock is None:
            return
        with self._mutex:
            if len(self._idle) < self.IDLE_MAX:
                self._idle.append(conn)
                return
        conn.close()

    def close(self):
        with self._mutex:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
        self._session.close()


def install(member):
    """Gives the etcd3gw client of tooz member ``member`` (made, not yet
    started) LeanPosts; a member of another driver is left as it is."""
    client = getattr(member, 'client', None)
    session = getattr(client, 'session', None)
    base_url = getattr(client, 'base_url', None)
    if isinstance(session, requests.Session) and isinstance(base_url, str):
        client.session = LeanPosts(session, base_url)
