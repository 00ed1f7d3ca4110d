"""The compute admin API as the volume manager uses it: python-novaclient's
assisted volume snapshots over a keystoneauth1 session.

Two ways to reach it: ``ComputeClient.from_conf()``, the [nova] options
(separate processes), and ``ComputeClient.in_process()``, snapvol-all's own
compute API with the secret that process made at start.
"""

import contextlib
import threading

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import token_endpoint
from novaclient import client as nova_client
from novaclient import exceptions as nova_exc
from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api.conf import CONF

LOG = logging.getLogger(__name__)

GROUP = 'nova'

# Options each auth plugin needs beyond keystoneauth's own required ones:
# plugins with no service catalog need the endpoint, and a plugin without
# its credentials sends requests the compute API refuses.
_PLUGIN_NEEDS = {
    'http_basic': ('endpoint', 'username', 'password'),
    'admin_token': ('endpoint', 'token'),
    'none': ('endpoint',),
}

HOW_TO_CONFIGURE = (
    'set [nova] auth_type and its options: "http_basic" with endpoint '
    '(the compute API, e.g. http://HOST:8774/v2.1), username and password '
    '(auth_strategy http_basic); "admin_token" with endpoint and token '
    '(auth_strategy noauth: token "admin"); "password" with auth_url, '
    'username, password, project_name and the domains (auth_strategy '
    'keystone)')


class ComputeClient:
    """``session_factory`` returns the keystoneauth1 Session novaclient
    uses; it is called on first use (a deployment without attached
    volumes never calls it). Default: from the [nova] options."""

    def __init__(self, session_factory=None, api_version=None):
        self._session_factory = session_factory or _session_from_conf
        self._api_version = api_version
        self._client = None
        self._lock = threading.Lock()

    @classmethod
    def from_conf(cls):
        """The compute API the [nova] options name."""
        return cls(_session_from_conf)

    @classmethod
    def in_process(cls, endpoint, token):
        """snapvol-all's own compute API at ``endpoint`` (its
        ``/v2.1`` URL), authenticated by the process's secret ``token``
        (``snapvol_api.rest.auth.InternalAdmin``). [nova] timeout, cafile
        and the other session options still apply; its auth options do
        not."""
        def session():
            return ks_loading.load_session_from_conf_options(
                CONF, GROUP, auth=token_endpoint.Token(endpoint, token))
        return cls(session)

    def _nova(self):
        with self._lock:
            if self._client is None:
                self._client = nova_client.Client(
                    self._api_version or CONF.nova.api_version,
                    session=self._session_factory())
            return self._client

    @contextlib.contextmanager
    def _request(self, what):
        try:
            yield
        except nova_exc.ClientException as e:
            raise exception.ComputeRequestFailed(request=what, reason=e)
        except ks_exc.ClientException as e:
            raise exception.ComputeUnavailable(reason=e)

    def create_snapshot(self, volume_id, create_info):
        with self._request('the snapshot create of %s' % volume_id):
            self._nova().assisted_volume_snapshots.create(volume_id,
                                                          create_info)

    def create_snapshot_set(self, group_snapshot_id, members):
        """Our list form of os-assisted-volume-snapshots (novaclient knows
        only Nova's single-volume body): ``members`` [{volume_id,
        create_info}] of one instance, taken in one transaction."""
        with self._request('the snapshot set %s' % group_snapshot_id):
            self._nova().client.post(
                '/os-assisted-volume-snapshots',
                body={'group_snapshot_id': group_snapshot_id,
                      'snapshots': members})

    def delete_snapshot(self, snapshot_id, delete_info):
        with self._request('the snapshot delete of %s'
                           % delete_info['volume_id']):
            self._nova().assisted_volume_snapshots.delete(snapshot_id,
                                                          delete_info)


def _session_from_conf():
    auth = ks_loading.load_auth_from_conf_options(CONF, GROUP)
    if auth is None:
        raise exception.ComputeUnavailable(
            reason='[nova] auth_type is not set: %s' % HOW_TO_CONFIGURE)
    return ks_loading.load_session_from_conf_options(CONF, GROUP, auth=auth)


def missing_options(conf=CONF):
    """What keeps the [nova] options from reaching the compute API, as
    sentences naming the options; empty when nothing does. Loads the
    auth plugin (which registers its options), contacts nothing."""
    if not conf[GROUP].auth_type:
        return ['[nova] auth_type is not set']
    try:
        ks_loading.load_auth_from_conf_options(conf, GROUP)
    except ks_exc.NoMatchingPlugin:
        return ['[nova] auth_type %s is no keystoneauth1 plugin'
                % conf[GROUP].auth_type]
    except ks_exc.MissingRequiredOptions as e:
        return ['[nova] %s is not set (auth_type %s)'
                % (', '.join(o.dest for o in e.options),
                   conf[GROUP].auth_type)]
    unset = [name for name in _PLUGIN_NEEDS.get(conf[GROUP].auth_type, ())
             if not conf[GROUP][name]]
    if unset:
        return ['[nova] %s %s not set (auth_type %s)'
                % (', '.join(unset), 'is' if len(unset) == 1 else 'are',
                   conf[GROUP].auth_type)]
    return []


def check_startup(conf=CONF):
    """A separate volume manager's start: raises ConfigInvalid when the
    [nova] options cannot reach the compute API, unless [volume]
    compute_api_required is false; then logs a warning that snapshots of
    attached volumes will fail."""
    problems = missing_options(conf)
    if not problems:
        return
    if conf.volume.compute_api_required:
        raise exception.ConfigInvalid(
            reason='%s. The volume manager calls the compute API for every '
                   'snapshot of an attached volume: %s; or set [volume] '
                   'compute_api_required = false to run without attached '
                   'volumes.' % ('; '.join(problems), HOW_TO_CONFIGURE))
    LOG.warning('%s, and [volume] compute_api_required is false: '
                'snapshots of attached volumes will fail until [nova] is '
                'configured (%s).', '; '.join(problems), HOW_TO_CONFIGURE)
