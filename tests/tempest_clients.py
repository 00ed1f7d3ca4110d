"""tempest's volume service clients without Keystone, for the tests that
check our answers against tempest's response schemas.

Each method of a tempest client (``tempest.lib.services.volume.v3``)
checks the status code and validates the body against the schema
tempest keeps for it (``tempest.lib.api_schema.response.volume``), the
one for the microversion asked where tempest has several: what a tempest
run against snapvol would check. ``Clients(endpoint, headers)`` gives
them all for one user; ``http`` replaces the HTTP connection (the unit
tests route it into a webtest app)::

    tempest = Clients('http://127.0.0.1:8776/v3/proj-a',
                      basic_auth_headers('alice', 'secret'))
    with microversion('3.65'):
        tempest.volumes.show_volume(volume_id)   # raises if it does not fit
"""

import base64
import contextlib
import urllib.parse

from tempest.lib.services.volume import base_client
from tempest.lib.services.volume.v3 import backups_client
from tempest.lib.services.volume.v3 import extensions_client
from tempest.lib.services.volume.v3 import group_snapshots_client
from tempest.lib.services.volume.v3 import group_types_client
from tempest.lib.services.volume.v3 import groups_client
from tempest.lib.services.volume.v3 import limits_client
from tempest.lib.services.volume.v3 import messages_client
from tempest.lib.services.volume.v3 import quotas_client
from tempest.lib.services.volume.v3 import snapshots_client
from tempest.lib.services.volume.v3 import transfers_client
from tempest.lib.services.volume.v3 import types_client
from tempest.lib.services.volume.v3 import versions_client
from tempest.lib.services.volume.v3 import volumes_client

CLIENTS = {
    'volumes': volumes_client.VolumesClient,
    'snapshots': snapshots_client.SnapshotsClient,
    'limits': limits_client.LimitsClient,
    'types': types_client.TypesClient,
    'quotas': quotas_client.QuotasClient,
    'transfers': transfers_client.TransfersClient,
    'transfers_v355': transfers_client.TransfersV355Client,
    'versions': versions_client.VersionsClient,
    'messages': messages_client.MessagesClient,
    'extensions': extensions_client.ExtensionsClient,
    'groups': groups_client.GroupsClient,
    'group_types': group_types_client.GroupTypesClient,
    'group_snapshots': group_snapshots_client.GroupSnapshotsClient,
    'backups': backups_client.BackupsClient,
}


def basic_auth_headers(user, password):
    token = base64.b64encode(f'{user}:{password}'.encode()).decode()
    return {'Authorization': 'Basic ' + token}


def noauth_headers(user, project):
    return {'X-Auth-Token': f'{user}:{project}'}


class AuthProvider:
    """The part of tempest's auth providers a RestClient uses: the
    endpoint every request goes to and the headers that authenticate
    it (tempest would get both from Keystone)."""

    credentials = None

    def __init__(self, endpoint, headers):
        self.endpoint = endpoint.rstrip('/')
        self.headers = dict(headers)

    def base_url(self, filters, auth_data=None):
        return self.endpoint

    def get_token(self):
        # Sent as X-Auth-Token by the calls that skip auth_request.
        return self.headers.get('X-Auth-Token', '')

    def auth_request(self, method, url, headers=None, body=None,
                     filters=None):
        return (f'{self.endpoint}/{url}', dict(headers or {}, **self.headers),
                body)


class Clients:
    """One tempest client per name of CLIENTS, as attributes."""

    def __init__(self, endpoint, headers, http=None):
        provider = AuthProvider(endpoint, headers)
        for name, cls in CLIENTS.items():
            client = cls(provider, 'volumev3', 'RegionOne')
            if http is not None:
                client.http_obj = http
            setattr(self, name, client)


@contextlib.contextmanager
def microversion(version):
    """tempest's microversioned clients (volumes, transfers, messages,
    groups, group types and snapshots, versions) ask for ``version``
    ("3.65"; None: no header) and pick their schemas for it; the others
    (snapshots, limits, quotas, types, extensions) always speak 3.0."""
    saved = base_client.VOLUME_MICROVERSION
    base_client.VOLUME_MICROVERSION = version
    try:
        yield
    finally:
        base_client.VOLUME_MICROVERSION = saved


class WebTestHttp:
    """Stands in for tempest's urllib3 pool: sends the request to a
    webtest app instead, and answers as tempest's ``http`` module does
    (a dict of lower-case headers with ``.status``, and the bytes)."""

    def __init__(self, app):
        self.app = app

    def request(self, url, method, headers=None, body=None, **_kwargs):
        split = urllib.parse.urlsplit(url)
        path = split.path + ('?' + split.query if split.query else '')
        if isinstance(body, str):
            body = body.encode()
        response = self.app.request(
            path, method=method, headers=dict(headers or {}),
            body=body or b'', expect_errors=True)
        return _Response(response.status_int, response.headers), \
            response.body


class _Response(dict):

    def __init__(self, status, headers):
        super().__init__((key.lower(), value)
                         for key, value in headers.items())
        self.status = status
        self['status'] = str(status)
