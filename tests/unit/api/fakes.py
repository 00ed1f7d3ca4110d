"""An in-memory stand-in for the volume manager behind ``VolumeAPI``.

It keeps the manager's contract as the API sees it: plain dicts, project
isolation (another project's id is "not found"), list filters, markers.
"""

import copy
import datetime
import itertools
import uuid

from snapvol_api import exception
from snapvol_volume import group_types
from snapvol_volume import quotas
from snapvol_volume import scope
from tests.unit.api import fake_services
from tests.unit.api import fake_types

SORT_KEYS = ('id', 'name', 'status', 'size', 'created_at', 'updated_at')
_EPOCH = datetime.datetime(2025, 1, 1)


class FakeVolumeAPI(fake_types.FakeVolumeTypes,
                    fake_services.FakeServices):

    def __init__(self):
        super().__init__()
        self.volumes = {}
        self.snapshots = {}
        self.groups = {}
        self.group_snapshots = {}
        self.messages = {}
        self.quotas = {}
        self.transfers = {}
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

    def _group(self, ctxt, group_id):
        group = self.groups.get(group_id)
        if group is None or not self._visible(ctxt, group):
            raise exception.GroupNotFound(group_id=group_id)
        return group

    def _group_snapshot(self, ctxt, group_snapshot_id):
        group_snapshot = self.group_snapshots.get(group_snapshot_id)
        if group_snapshot is None or not self._visible(ctxt, group_snapshot):
            raise exception.GroupSnapshotNotFound(
                group_snapshot_id=group_snapshot_id)
        return group_snapshot

    def _group_view(self, group):
        """The group with its live volumes, as the manager shows it."""
        group = copy.deepcopy(group)
        group['volumes'] = [v['id'] for v in self.volumes.values()
                            if v['group_id'] == group['id']
                            and v['status'] != 'deleting']
        return group

    def _list(self, ctxt, items, filters, marker, limit, sort, offset):
        # The manager's own rule (any filter the API passes is allowed).
        filters = scope.list_filters(ctxt, filters, allowed=set(filters))
        project = filters.pop('project_id', None)
        metadata = filters.pop('metadata', {})
        like = {k[:-1]: filters.pop(k).lower() for k in list(filters)
                if k.endswith('~')}
        result = [i for i in items.values()
                  if (project is None or i['project_id'] == project)
                  and all(i.get(k) == v for k, v in filters.items())
                  and all(v in (i.get(k) or '').lower()
                          for k, v in like.items())
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
                      metadata=None, snapshot_id=None, volume_type=None):
        self._record('create_volume', ctxt, size=size, name=name,
                     description=description, metadata=metadata,
                     snapshot_id=snapshot_id, volume_type=volume_type)
        vtype = self.type_of_new_volume(ctxt, volume_type)
        if snapshot_id is not None:
            self._snapshot(ctxt, snapshot_id)
        volume = {
            'id': str(uuid.uuid4()), 'project_id': ctxt.project_id,
            'user_id': ctxt.user_id, 'name': name,
            'description': description, 'size': size, 'status': 'creating',
            'host': 'node1', 'share': 'local:/srv/volumes',
            'host_backend_pool': 'node1@local#/srv/volumes',
            'format': 'raw', 'base_format': 'raw',
            'availability_zone': 'nova', 'bootable': False,
            'volume_type': vtype['volume_type'],
            'volume_type_id': vtype['volume_type_id'],
            'snapshot_id': snapshot_id, 'group_id': None,
            'metadata': dict(metadata or {}),
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

    def delete_volume(self, ctxt, volume_id, cascade=False, force=False):
        self._record('delete_volume', ctxt, volume_id=volume_id,
                     cascade=cascade, force=force)
        volume = self._volume(ctxt, volume_id)
        if force:
            scope.require_admin(ctxt)
        elif volume['status'] not in ('available', 'error'):
            raise exception.InvalidVolumeStatus(
                volume_id=volume_id, status=volume['status'],
                expected='available, error')
        volume['status'] = 'deleting'
        return copy.deepcopy(volume)

    def extend_volume(self, ctxt, volume_id, new_size, attached=False):
        self._record('extend_volume', ctxt, volume_id=volume_id,
                     new_size=new_size, attached=attached)
        volume = self._volume(ctxt, volume_id)
        if new_size <= volume['size']:
            raise exception.InvalidInput(reason='New size for extend must '
                                         'be greater than current size.')
        volume['status'] = 'extending'
        return copy.deepcopy(volume)

    def complete_volume_extend(self, ctxt, volume_id, error):
        self._record('complete_volume_extend', ctxt, volume_id=volume_id,
                     error=error)
        volume = self.volumes.get(volume_id)
        if volume is None:
            raise exception.VolumeNotFound(volume_id=volume_id)
        if volume['status'] != 'extending':
            raise exception.InvalidVolumeStatus(
                volume_id=volume_id, status=volume['status'],
                expected='extending')
        volume['status'] = 'in-use'
        return copy.deepcopy(volume)

    def revert_volume(self, ctxt, volume_id, snapshot_id):
        self._record('revert_volume', ctxt, volume_id=volume_id,
                     snapshot_id=snapshot_id)
        volume = self._volume(ctxt, volume_id)
        self._snapshot(ctxt, snapshot_id)
        volume['status'] = 'reverting'
        return copy.deepcopy(volume)

    def reset_volume_status(self, ctxt, volume_id, status,
                            attach_status=None):
        self._record('reset_volume_status', ctxt, volume_id=volume_id,
                     status=status, attach_status=attach_status)
        volume = self._volume(ctxt, volume_id)
        if status is not None:
            volume['status'] = status
        if attach_status == 'detached':
            volume['attachments'] = []
        return copy.deepcopy(volume)

    def set_volume_bootable(self, ctxt, volume_id, bootable):
        self._record('set_volume_bootable', ctxt, volume_id=volume_id,
                     bootable=bootable)
        volume = self._volume(ctxt, volume_id)
        volume['bootable'] = bootable
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
            'group_snapshot_id': None,
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

    def delete_snapshot(self, ctxt, snapshot_id, force=False):
        self._record('delete_snapshot', ctxt, snapshot_id=snapshot_id,
                     force=force)
        snapshot = self._snapshot(ctxt, snapshot_id)
        if force:
            scope.require_admin(ctxt)
        snapshot['status'] = 'deleting'
        return copy.deepcopy(snapshot)

    def report_snapshot_status(self, ctxt, snapshot_id, status, progress):
        self._record('report_snapshot_status', ctxt,
                     snapshot_id=snapshot_id, status=status,
                     progress=progress)
        snapshot = self._snapshot(ctxt, snapshot_id)
        if progress is not None:
            snapshot['progress'] = progress
        return copy.deepcopy(snapshot)

    # Transfers ------------------------------------------------------------

    def _transfer(self, ctxt, transfer_id, any_project=False):
        transfer = self.transfers.get(transfer_id)
        if transfer is None or not (any_project or
                                    self._visible(ctxt, transfer)):
            raise exception.TransferNotFound(transfer_id=transfer_id)
        return transfer

    def create_transfer(self, ctxt, volume_id, name=None,
                        no_snapshots=False):
        self._record('create_transfer', ctxt, volume_id=volume_id,
                     name=name, no_snapshots=no_snapshots)
        volume = self._volume(ctxt, volume_id)
        if volume['status'] != 'available':
            raise exception.InvalidVolumeStatus(
                volume_id=volume_id, status=volume['status'],
                expected='available')
        snapshots = [s for s in self.snapshots.values()
                     if s['volume_id'] == volume_id]
        if no_snapshots and snapshots:
            raise exception.SnapshotsCannotStay(volume_id=volume_id,
                                                count=len(snapshots))
        volume['status'] = 'awaiting-transfer'
        transfer = {'id': str(uuid.uuid4()), 'name': name,
                    'volume_id': volume_id,
                    'project_id': volume['project_id'],
                    'destination_project_id': None, 'accepted': False,
                    'no_snapshots': no_snapshots, 'metadata': {},
                    'created_at': self._now(), 'auth_key': 'k' * 16}
        self.transfers[transfer['id']] = transfer
        return copy.deepcopy(transfer)

    def get_transfer(self, ctxt, transfer_id):
        self._record('get_transfer', ctxt, transfer_id=transfer_id)
        return copy.deepcopy(self._transfer(ctxt, transfer_id))

    def list_transfers(self, ctxt, filters=None, marker=None, limit=None,
                       sort=None, offset=None):
        self._record('list_transfers', ctxt, filters=filters, marker=marker,
                     limit=limit, sort=sort, offset=offset)
        return self._list(ctxt, self.transfers, filters or {}, marker,
                          limit, sort, offset)

    def accept_transfer(self, ctxt, transfer_id, auth_key):
        self._record('accept_transfer', ctxt, transfer_id=transfer_id,
                     auth_key=auth_key)
        transfer = self._transfer(ctxt, transfer_id, any_project=True)
        if auth_key != transfer['auth_key']:
            raise exception.InvalidAuthKey(reason='wrong key')
        volume = self.volumes[transfer['volume_id']]
        volume.update(project_id=ctxt.project_id, status='available')
        del self.transfers[transfer_id]
        return dict(transfer, accepted=True,
                    destination_project_id=ctxt.project_id)

    def delete_transfer(self, ctxt, transfer_id):
        self._record('delete_transfer', ctxt, transfer_id=transfer_id)
        transfer = self._transfer(ctxt, transfer_id)
        self.volumes[transfer['volume_id']]['status'] = 'available'
        del self.transfers[transfer_id]

    # Quotas ---------------------------------------------------------------

    QUOTA_DEFAULTS = {'volumes': 10, 'snapshots': 10, 'gigabytes': 1000,
                      'groups': 10, 'backups': 10, 'backup_gigabytes': 1000,
                      'per_volume_gigabytes': -1}

    def _limits(self, project_id):
        return dict(self.QUOTA_DEFAULTS, **self.quotas.get(project_id, {}))

    def _used(self, project_id):
        volumes = [v for v in self.volumes.values()
                   if v['project_id'] == project_id]
        snapshots = [s for s in self.snapshots.values()
                     if s['project_id'] == project_id]
        return {'volumes': len(volumes), 'snapshots': len(snapshots),
                'gigabytes': sum(v['size'] for v in volumes + snapshots)}

    def get_quotas(self, ctxt, project_id, usage=False):
        self._record('get_quotas', ctxt, project_id=project_id, usage=usage)
        if not ctxt.is_admin and project_id != ctxt.project_id:
            raise exception.Forbidden(action='reading quotas')
        return self._usage(project_id) if usage else self._limits(
            project_id)

    def _usage(self, project_id):
        used = self._used(project_id)
        return {r: {'limit': v, 'in_use': used.get(r, 0), 'reserved': 0,
                    'allocated': 0}
                for r, v in self._limits(project_id).items()}

    def get_quota_defaults(self, ctxt):
        self._record('get_quota_defaults', ctxt)
        return dict(self.QUOTA_DEFAULTS)

    def update_quotas(self, ctxt, project_id, values):
        self._record('update_quotas', ctxt, project_id=project_id,
                     values=values)
        scope.require_admin(ctxt)
        unknown = set(values) - set(self.QUOTA_DEFAULTS)
        if unknown:
            raise exception.InvalidInput(reason='unknown %s' % unknown)
        self.quotas.setdefault(project_id, {}).update(values)
        return self._limits(project_id)

    def delete_quotas(self, ctxt, project_id):
        self._record('delete_quotas', ctxt, project_id=project_id)
        scope.require_admin(ctxt)
        self.quotas.pop(project_id, None)

    def get_absolute_limits(self, ctxt, project_id):
        self._record('get_absolute_limits', ctxt, project_id=project_id)
        usage = self._usage(project_id)
        return {key: usage[resource][field]
                for key, resource, field in quotas.ABSOLUTE}

    # Messages -------------------------------------------------------------

    def add_message(self, project_id, resource_uuid, user_message):
        """A message as the manager leaves one after a failure."""
        message = {
            'id': str(uuid.uuid4()), 'project_id': project_id,
            'request_id': None, 'resource_type': 'VOLUME',
            'resource_uuid': resource_uuid,
            'event_id': 'VOLUME_VOLUME_001_001', 'message_level': 'ERROR',
            'user_message': user_message, 'created_at': self._now(),
            'expires_at': '2025-02-01T00:00:00', 'metadata': {},
        }
        self.messages[message['id']] = message
        return message

    def _message(self, ctxt, message_id):
        message = self.messages.get(message_id)
        if message is None or not self._visible(ctxt, message):
            raise exception.MessageNotFound(message_id=message_id)
        return message

    def list_messages(self, ctxt, filters=None, marker=None, limit=None,
                      sort=None, offset=None):
        self._record('list_messages', ctxt, filters=filters, marker=marker,
                     limit=limit, sort=sort, offset=offset)
        return self._list(ctxt, self.messages, filters or {}, marker, limit,
                          sort, offset)

    def get_message(self, ctxt, message_id):
        self._record('get_message', ctxt, message_id=message_id)
        return copy.deepcopy(self._message(ctxt, message_id))

    def delete_message(self, ctxt, message_id):
        self._record('delete_message', ctxt, message_id=message_id)
        del self.messages[self._message(ctxt, message_id)['id']]

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

    # Group types, groups and group snapshots (1.2) ------------------------

    def list_availability_zones(self, ctxt):
        self._record('list_availability_zones', ctxt)
        return [{'name': 'nova', 'available': True}]

    def list_group_types(self, ctxt):
        self._record('list_group_types', ctxt)
        return group_types.get_all()

    def get_group_type(self, ctxt, group_type_id):
        self._record('get_group_type', ctxt, group_type_id=group_type_id)
        return group_types.CATALOG.show(group_type_id)

    def get_group(self, ctxt, group_id):
        self._record('get_group', ctxt, group_id=group_id)
        return self._group_view(self._group(ctxt, group_id))

    def list_groups(self, ctxt, filters=None, marker=None, limit=None,
                    sort=None, offset=None):
        self._record('list_groups', ctxt, filters=filters, marker=marker,
                     limit=limit, sort=sort, offset=offset)
        return [self._group_view(g) for g in self._list(
            ctxt, self.groups, filters or {}, marker, limit, sort, offset)]

    def _new_group(self, ctxt, name, description, group_type_id,
                   volume_types, availability_zone, status,
                   group_snapshot_id=None):
        group = {
            'id': str(uuid.uuid4()), 'project_id': ctxt.project_id,
            'user_id': ctxt.user_id, 'name': name,
            'description': description, 'status': status,
            'group_type_id': group_type_id,
            'volume_types': list(volume_types),
            'availability_zone': availability_zone or 'nova',
            'group_snapshot_id': group_snapshot_id, 'source_group_id': None,
            'metadata': {}, 'created_at': self._now(),
        }
        self.groups[group['id']] = group
        return group

    def create_group(self, ctxt, group_type, volume_types, name=None,
                     description=None, availability_zone=None):
        self._record('create_group', ctxt, group_type=group_type,
                     volume_types=volume_types, name=name,
                     description=description,
                     availability_zone=availability_zone)
        group_type = group_types.get(group_type)
        group = self._new_group(ctxt, name, description, group_type['id'],
                                volume_types, availability_zone, 'available')
        return self._group_view(group)

    def update_group(self, ctxt, group_id, values, add_volumes=(),
                     remove_volumes=()):
        self._record('update_group', ctxt, group_id=group_id, values=values,
                     add_volumes=list(add_volumes),
                     remove_volumes=list(remove_volumes))
        group = self._group(ctxt, group_id)
        for volume_id in add_volumes:
            if self._volume(ctxt, volume_id)['group_id'] is not None:
                raise exception.InvalidVolume(
                    reason='volume %s is in a group' % volume_id)
        for volume_id in remove_volumes:
            if self._volume(ctxt, volume_id)['group_id'] != group_id:
                raise exception.InvalidVolume(
                    reason='volume %s is not in group %s'
                           % (volume_id, group_id))
        for volume_id in add_volumes:
            self.volumes[volume_id]['group_id'] = group_id
        for volume_id in remove_volumes:
            self.volumes[volume_id]['group_id'] = None
        group.update({k: v for k, v in values.items()
                      if k in ('name', 'description')})
        return self._group_view(group)

    def delete_group(self, ctxt, group_id, delete_volumes=False):
        self._record('delete_group', ctxt, group_id=group_id,
                     delete_volumes=delete_volumes)
        group = self._group(ctxt, group_id)
        members = self._group_view(group)['volumes']
        if members and not delete_volumes:
            raise exception.InvalidGroup(
                reason='group %s still has %d volume(s)'
                       % (group_id, len(members)))
        for volume_id in members:
            self.volumes[volume_id]['status'] = 'deleting'
        del self.groups[group_id]
        return None

    def create_group_from_src(self, ctxt, name=None, description=None,
                              group_snapshot_id=None, source_group_id=None):
        self._record('create_group_from_src', ctxt, name=name,
                     description=description,
                     group_snapshot_id=group_snapshot_id,
                     source_group_id=source_group_id)
        if source_group_id is not None or group_snapshot_id is None:
            raise exception.InvalidInput(
                reason='cloning a group (source_group_id) is not supported')
        source = self._group_snapshot(ctxt, group_snapshot_id)
        origin = self.groups[source['group_id']]
        group = self._new_group(ctxt, name, description,
                                source['group_type_id'],
                                origin['volume_types'],
                                origin['availability_zone'], 'creating',
                                group_snapshot_id=source['id'])
        for snapshot_id in source['snapshots']:
            snapshot = self.snapshots[snapshot_id]
            volume = self.create_volume(ctxt, snapshot['size'],
                                        name=snapshot['name'],
                                        snapshot_id=snapshot_id)
            self.volumes[volume['id']]['group_id'] = group['id']
        return self._group_view(group)

    def reset_group_status(self, ctxt, group_id, status):
        self._record('reset_group_status', ctxt, group_id=group_id,
                     status=status)
        group = self._group(ctxt, group_id)
        group['status'] = status
        return self._group_view(group)

    def reset_group_snapshot_status(self, ctxt, group_snapshot_id, status):
        self._record('reset_group_snapshot_status', ctxt,
                     group_snapshot_id=group_snapshot_id, status=status)
        group_snapshot = self._group_snapshot(ctxt, group_snapshot_id)
        group_snapshot['status'] = status
        return copy.deepcopy(group_snapshot)

    def get_group_snapshot(self, ctxt, group_snapshot_id):
        self._record('get_group_snapshot', ctxt,
                     group_snapshot_id=group_snapshot_id)
        return copy.deepcopy(self._group_snapshot(ctxt, group_snapshot_id))

    def list_group_snapshots(self, ctxt, filters=None, marker=None,
                             limit=None, sort=None, offset=None):
        self._record('list_group_snapshots', ctxt, filters=filters,
                     marker=marker, limit=limit, sort=sort, offset=offset)
        return self._list(ctxt, self.group_snapshots, filters or {}, marker,
                          limit, sort, offset)

    def create_group_snapshot(self, ctxt, group_id, name=None,
                              description=None):
        self._record('create_group_snapshot', ctxt, group_id=group_id,
                     name=name, description=description)
        group = self._group_view(self._group(ctxt, group_id))
        if not group['volumes']:
            raise exception.InvalidGroup(
                reason='group %s has no volumes' % group_id)
        group_snapshot = {
            'id': str(uuid.uuid4()), 'group_id': group_id,
            'project_id': ctxt.project_id, 'user_id': ctxt.user_id,
            'name': name, 'description': description, 'status': 'creating',
            'group_type_id': group['group_type_id'], 'instance_id': None,
            'snapshots': [], 'metadata': {}, 'created_at': self._now(),
        }
        for volume_id in sorted(group['volumes']):
            snapshot = self.create_snapshot(ctxt, volume_id, name=name)
            self.snapshots[snapshot['id']]['group_snapshot_id'] = (
                group_snapshot['id'])
            group_snapshot['snapshots'].append(snapshot['id'])
        self.group_snapshots[group_snapshot['id']] = group_snapshot
        return copy.deepcopy(group_snapshot)

    def delete_group_snapshot(self, ctxt, group_snapshot_id):
        self._record('delete_group_snapshot', ctxt,
                     group_snapshot_id=group_snapshot_id)
        group_snapshot = self._group_snapshot(ctxt, group_snapshot_id)
        group_snapshot['status'] = 'deleting'
        for snapshot_id in group_snapshot['snapshots']:
            self.snapshots[snapshot_id]['status'] = 'deleting'
        return copy.deepcopy(group_snapshot)
