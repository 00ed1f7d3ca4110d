"""An in-memory stand-in for the volume manager behind ``VolumeAPI``.

It keeps the manager's contract as the API sees it: plain dicts, project
isolation (another project's id is "not found"), list filters, markers.
"""

import copy
import datetime
import itertools
import uuid

from snapvol_api import exception
from snapvol_volume import scope

SORT_KEYS = ('id', 'name', 'status', 'size', 'created_at', 'updated_at')
_EPOCH = datetime.datetime(2025, 1, 1)


class FakeVolumeAPI:

    def __init__(self):
        self.volumes = {}
        self.snapshots = {}
        self.calls = []
        self.last_context = None
        # Raised by the next call, to test how errors are shown.
        self.error = None
        self._clock = itertools.count()

    def _now(self):
        return (_EPOCH + datetime.timedelta(seconds=next(self._clock))
                ).isoformat()

    def _record(self, method, ctxt, **kwargs):
        self.calls.append((method, kwargs))
        self.last_context = ctxt
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    # Helpers --------------------------------------------------------------

    def _visible(self, ctxt, item):
        return scope.visible(ctxt, item)

    def _volume(self, ctxt, volume_id):
        volume = self.volumes.get(volume_id)
        if volume is None or not self._visible(ctxt, volume):
            raise exception.VolumeNotFound(volume_id=volume_id)
        return volume

    def _snapshot(self, ctxt, snapshot_id):
        snapshot = self.snapshots.get(snapshot_id)
        if snapshot is None or not self._visible(ctxt, snapshot):
            raise exception.SnapshotNotFound(snapshot_id=snapshot_id)
        return snapshot

    def _list(self, ctxt, items, filters, marker, limit, sort, offset):
        # The manager's own rule (any filter the API passes is allowed).
        filters = scope.list_filters(ctxt, filters, allowed=set(filters))
        project = filters.pop('project_id', None)
        metadata = filters.pop('metadata', {})
        result = [i for i in items.values()
                  if (project is None or i['project_id'] == project)
                  and all(i.get(k) == v for k, v in filters.items())
                  and all(i['metadata'].get(k) == v
                          for k, v in metadata.items())]
        for key, direction in reversed(sort or [['created_at', 'desc']]):
            if key not in SORT_KEYS:
                raise exception.InvalidInput(reason='bad sort key %s' % key)
            result.sort(key=lambda i: i[key], reverse=direction == 'desc')
        if marker is not None:
            ids = [i['id'] for i in result]
            if marker not in ids:
                raise exception.InvalidInput(
                    reason='marker %s not found' % marker)
            result = result[ids.index(marker) + 1:]
        result = result[offset or 0:]
        if limit is not None:
            result = result[:limit]
        return copy.deepcopy(result)

    # Volumes --------------------------------------------------------------

    def get_volume(self, ctxt, volume_id):
        self._record('get_volume', ctxt, volume_id=volume_id)
        return copy.deepcopy(self._volume(ctxt, volume_id))

    def list_volumes(self, ctxt, filters=None, marker=None, limit=None,
                     sort=None, offset=None):
        self._record('list_volumes', ctxt, filters=filters, marker=marker,
                     limit=limit, sort=sort, offset=offset)
        return self._list(ctxt, self.volumes, filters or {}, marker, limit,
                          sort, offset)

    def create_volume(self, ctxt, size, name=None, description=None,
                      metadata=None, snapshot_id=None):
        self._record('create_volume', ctxt, size=size, name=name,
                     description=description, metadata=metadata,
                     snapshot_id=snapshot_id)
        if snapshot_id is not None:
            self._snapshot(ctxt, snapshot_id)
        volume = {
            'id': str(uuid.uuid4()), 'project_id': ctxt.project_id,
            'user_id': ctxt.user_id, 'name': name,
            'description': description, 'size': size, 'status': 'creating',
            'host': 'node1', 'share': 'local:/srv/volumes',
            'format': 'raw', 'base_format': 'raw',
            'availability_zone': 'nova', 'bootable': False,
            'snapshot_id': snapshot_id, 'metadata': dict(metadata or {}),
            'attachments': [], 'created_at': self._now(),
            'updated_at': None,
        }
        self.volumes[volume['id']] = volume
        return copy.deepcopy(volume)

    def update_volume(self, ctxt, volume_id, values):
        self._record('update_volume', ctxt, volume_id=volume_id,
                     values=values)
        volume = self._volume(ctxt, volume_id)
        volume.update(values)
        volume['updated_at'] = self._now()
        return copy.deepcopy(volume)

    def delete_volume(self, ctxt, volume_id):
        self._record('delete_volume', ctxt, volume_id=volume_id)
        volume = self._volume(ctxt, volume_id)
        if volume['status'] not in ('available', 'error'):
            raise exception.InvalidVolumeStatus(
                volume_id=volume_id, status=volume['status'],
                expected='available, error')
        volume['status'] = 'deleting'
        return copy.deepcopy(volume)

    def reset_volume_status(self, ctxt, volume_id, status):
        self._record('reset_volume_status', ctxt, volume_id=volume_id,
                     status=status)
        volume = self._volume(ctxt, volume_id)
        volume['status'] = status
        return copy.deepcopy(volume)

    def set_volume_metadata(self, ctxt, volume_id, metadata, replace=False):
        self._record('set_volume_metadata', ctxt, volume_id=volume_id,
                     metadata=metadata, replace=replace)
        volume = self._volume(ctxt, volume_id)
        if replace:
            volume['metadata'] = {}
        volume['metadata'].update(metadata)
        return dict(volume['metadata'])

    def delete_volume_metadata(self, ctxt, volume_id, key):
        self._record('delete_volume_metadata', ctxt, volume_id=volume_id,
                     key=key)
        volume = self._volume(ctxt, volume_id)
        if key not in volume['metadata']:
            raise exception.MetadataKeyNotFound(key=key)
        del volume['metadata'][key]

    # Snapshots ------------------------------------------------------------

    def get_snapshot(self, ctxt, snapshot_id):
        self._record('get_snapshot', ctxt, snapshot_id=snapshot_id)
        return copy.deepcopy(self._snapshot(ctxt, snapshot_id))

    def list_snapshots(self, ctxt, filters=None, marker=None, limit=None,
                       sort=None, offset=None):
        self._record('list_snapshots', ctxt, filters=filters, marker=marker,
                     limit=limit, sort=sort, offset=offset)
        return self._list(ctxt, self.snapshots, filters or {}, marker,
                          limit, sort, offset)

    def create_snapshot(self, ctxt, volume_id, name=None, description=None,
                        metadata=None, force=False):
        self._record('create_snapshot', ctxt, volume_id=volume_id,
                     name=name, description=description, metadata=metadata,
                     force=force)
        volume = self._volume(ctxt, volume_id)
        snapshot = {
            'id': str(uuid.uuid4()), 'project_id': ctxt.project_id,
            'user_id': ctxt.user_id, 'volume_id': volume_id, 'name': name,
            'description': description, 'size': volume['size'],
            'status': 'creating', 'progress': '0%',
            'metadata': dict(metadata or {}), 'created_at': self._now(),
            'updated_at': None,
        }
        self.snapshots[snapshot['id']] = snapshot
        return copy.deepcopy(snapshot)

    def update_snapshot(self, ctxt, snapshot_id, values):
        self._record('update_snapshot', ctxt, snapshot_id=snapshot_id,
                     values=values)
        snapshot = self._snapshot(ctxt, snapshot_id)
        snapshot.update(values)
        snapshot['updated_at'] = self._now()
        return copy.deepcopy(snapshot)

    def delete_snapshot(self, ctxt, snapshot_id):
        self._record('delete_snapshot', ctxt, snapshot_id=snapshot_id)
        snapshot = self._snapshot(ctxt, snapshot_id)
        snapshot['status'] = 'deleting'
        return copy.deepcopy(snapshot)

    def reset_snapshot_status(self, ctxt, snapshot_id, status):
        self._record('reset_snapshot_status', ctxt, snapshot_id=snapshot_id,
                     status=status)
        snapshot = self._snapshot(ctxt, snapshot_id)
        snapshot['status'] = status
        return copy.deepcopy(snapshot)

    def set_snapshot_metadata(self, ctxt, snapshot_id, metadata,
                              replace=False):
        self._record('set_snapshot_metadata', ctxt, snapshot_id=snapshot_id,
                     metadata=metadata, replace=replace)
        snapshot = self._snapshot(ctxt, snapshot_id)
        if replace:
            snapshot['metadata'] = {}
        snapshot['metadata'].update(metadata)
        return dict(snapshot['metadata'])

    def delete_snapshot_metadata(self, ctxt, snapshot_id, key):
        self._record('delete_snapshot_metadata', ctxt,
                     snapshot_id=snapshot_id, key=key)
        snapshot = self._snapshot(ctxt, snapshot_id)
        if key not in snapshot['metadata']:
            raise exception.MetadataKeyNotFound(key=key)
        del snapshot['metadata'][key]
