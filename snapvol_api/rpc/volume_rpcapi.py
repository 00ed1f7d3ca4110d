"""Client side of the volume manager's RPC API."""

import oslo_messaging as messaging

from snapvol_api.conf import CONF
from snapvol_api import rpc

TOPIC = 'snapvol-volume'


class VolumeAPI:
    """Client side of the volume manager RPC API.

    Every method returns plain data: a volume or snapshot is a dict as
    described in ``snapvol_volume.manager``; errors arrive as
    ``snapvol_api.exception`` classes.

    API version history:

    * 1.0 - Initial version.
    """

    RPC_API_VERSION = '1.0'

    def __init__(self):
        target = messaging.Target(topic=TOPIC, version=self.RPC_API_VERSION)
        self.client = rpc.get_client(target,
                                     version_cap=self.RPC_API_VERSION)

    def _call(self, ctxt, method, version='1.0', **kwargs):
        cctxt = self.client.prepare(version=version)
        return cctxt.call(ctxt, method, **kwargs)

    # Volumes

    def get_volume(self, ctxt, volume_id):
        return self._call(ctxt, 'get_volume', volume_id=volume_id)

    def list_volumes(self, ctxt, filters=None, marker=None, limit=None,
                     sort=None, offset=None):
        """``sort`` is a list of [key, direction] pairs."""
        return self._call(ctxt, 'list_volumes', filters=filters or {},
                          marker=marker, limit=limit, sort=sort or [],
                          offset=offset)

    def create_volume(self, ctxt, size, name=None, description=None,
                      metadata=None, snapshot_id=None):
        """Returns the new volume at once, status 'creating'."""
        return self._call(ctxt, 'create_volume', size=size, name=name,
                          description=description, metadata=metadata or {},
                          snapshot_id=snapshot_id)

    def update_volume(self, ctxt, volume_id, values):
        """``values`` may hold name, description and metadata."""
        return self._call(ctxt, 'update_volume', volume_id=volume_id,
                          values=values)

    def delete_volume(self, ctxt, volume_id):
        """Returns the volume at once, status 'deleting'."""
        return self._call(ctxt, 'delete_volume', volume_id=volume_id)

    def reset_volume_status(self, ctxt, volume_id, status):
        return self._call(ctxt, 'reset_volume_status', volume_id=volume_id,
                          status=status)

    def set_volume_metadata(self, ctxt, volume_id, metadata, replace=False):
        """Merges (or with ``replace`` replaces) metadata; returns it all."""
        return self._call(ctxt, 'set_volume_metadata', volume_id=volume_id,
                          metadata=metadata, replace=replace)

    def delete_volume_metadata(self, ctxt, volume_id, key):
        return self._call(ctxt, 'delete_volume_metadata',
                          volume_id=volume_id, key=key)

    # Snapshots

    def get_snapshot(self, ctxt, snapshot_id):
        return self._call(ctxt, 'get_snapshot', snapshot_id=snapshot_id)

    def list_snapshots(self, ctxt, filters=None, marker=None, limit=None,
                       sort=None, offset=None):
        return self._call(ctxt, 'list_snapshots', filters=filters or {},
                          marker=marker, limit=limit, sort=sort or [],
                          offset=offset)

    def create_snapshot(self, ctxt, volume_id, name=None, description=None,
                        metadata=None, force=False):
        """Returns the new snapshot at once, status 'creating'."""
        return self._call(ctxt, 'create_snapshot', volume_id=volume_id,
                          name=name, description=description,
                          metadata=metadata or {}, force=force)

    def update_snapshot(self, ctxt, snapshot_id, values):
        return self._call(ctxt, 'update_snapshot', snapshot_id=snapshot_id,
                          values=values)

    def delete_snapshot(self, ctxt, snapshot_id):
        """Returns the snapshot at once, status 'deleting'."""
        return self._call(ctxt, 'delete_snapshot', snapshot_id=snapshot_id)

    def reset_snapshot_status(self, ctxt, snapshot_id, status):
        return self._call(ctxt, 'reset_snapshot_status',
                          snapshot_id=snapshot_id, status=status)

    def set_snapshot_metadata(self, ctxt, snapshot_id, metadata,
                              replace=False):
        return self._call(ctxt, 'set_snapshot_metadata',
                          snapshot_id=snapshot_id, metadata=metadata,
                          replace=replace)

    def delete_snapshot_metadata(self, ctxt, snapshot_id, key):
        return self._call(ctxt, 'delete_snapshot_metadata',
                          snapshot_id=snapshot_id, key=key)
