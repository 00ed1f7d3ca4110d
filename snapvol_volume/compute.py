"""The compute admin API as the volume manager uses it: python-novaclient's
assisted volume snapshots over a keystoneauth1 session built from [nova]."""

import threading

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from novaclient import client as nova_client
from novaclient import exceptions as nova_exc

from snapvol_api import exception
from snapvol_api.conf import CONF


class ComputeClient:

    def __init__(self):
        self._client = None
        self._lock = threading.Lock()

    def _nova(self):
        with self._lock:
            if self._client is None:
                auth = ks_loading.load_auth_from_conf_options(CONF, 'nova')
                session = ks_loading.load_session_from_conf_options(
                    CONF, 'nova', auth=auth)
                self._client = nova_client.Client(CONF.nova.api_version,
                                                  session=session)
            return self._client

    def _request(self, what, func, *args):
        try:
            return func(*args)
        except nova_exc.ClientException as e:
            raise exception.ComputeRequestFailed(request=what, reason=e)
        except ks_exc.ClientException as e:
            raise exception.ComputeUnavailable(reason=e)

    def create_snapshot(self, volume_id, create_info):
        self._request('the snapshot create of %s' % volume_id,
                      self._nova().assisted_volume_snapshots.create,
                      volume_id, create_info)

    def delete_snapshot(self, snapshot_id, delete_info):
        self._request('the snapshot delete of %s' % delete_info['volume_id'],
                      self._nova().assisted_volume_snapshots.delete,
                      snapshot_id, delete_info)
