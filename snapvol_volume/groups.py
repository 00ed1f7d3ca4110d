"""Generic groups (Cinder 3.13): a named set of volumes that group
snapshots take together. A group owns no files: it is available as soon
as it is recorded, and its volumes are changed only through it."""

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_volume import group_types
from snapvol_volume import scope

LOG = logging.getLogger(__name__)


class Groups:

    def __init__(self, db, volumes, host, quotas):
        self._db = db
        self._quotas = quotas
        self._volumes = volumes
        self._host = host

    def create(self, ctxt, group_type, volume_types, name, description,
               availability_zone):
        group_type = group_types.get(group_type)
        if not volume_types:
            raise exception.InvalidInput(
                reason='a group needs at least one volume type')
        group = self._db.group_create({
            'project_id': ctxt.project_id, 'user_id': ctxt.user_id,
            'host': self._host, 'name': name, 'description': description,
            'group_type_id': group_type['id'],
            'volume_types': list(volume_types),
            'availability_zone': (availability_zone or
                                  CONF.storage_availability_zone),
            'status': states.GROUP.initial},
            limits=self._quotas.limits(ctxt.project_id))
        LOG.info('Created group %s (%s)', group.id, group_type['name'])
        return self._db.group_transition(group.id, states.AVAILABLE,
                                         expected=[states.CREATING])

    def create_from_src(self, ctxt, name, description, group_snapshot_id):
        """A group with one volume per member of the group snapshot, each
        made from its member snapshot (the volumes are built in workers;
        the group is available at once)."""
        source = self._db.group_snapshot_get(group_snapshot_id,
                                             scope.project(ctxt))
        if source.status != states.AVAILABLE:
            raise exception.InvalidGroupSnapshotStatus(
                group_snapshot_id=source.id, status=source.status,
                expected=states.AVAILABLE)
        origin = self._db.group_get(source.group_id)
        group = self._db.group_create({
            'project_id': ctxt.project_id, 'user_id': ctxt.user_id,
            'host': self._host, 'name': name, 'description': description,
            'group_type_id': source.group_type_id,
            'volume_types': list(origin.volume_types or []),
            'availability_zone': origin.availability_zone,
            'group_snapshot_id': source.id,
            'status': states.GROUP.initial})
        made = []
        try:
            for snapshot in source.snapshots:
                made.append(self._volumes.create(
                    ctxt, snapshot.volume_size, snapshot.name,
                    'from %s of group snapshot %s'
                    % (snapshot.id, source.id), {}, snapshot.id).id)
            self._db.group_add_volumes(group.id, made)
        except Exception as e:
            LOG.error('Group %s from group snapshot %s failed: %s',
                      group.id, source.id, e)
            self._db.group_transition(group.id, states.ERROR,
                                      expected=[states.CREATING])
            raise
        LOG.info('Group %s: %d volume(s) from group snapshot %s', group.id,
                 len(made), source.id)
        return self._db.group_transition(group.id, states.AVAILABLE,
                                         expected=[states.CREATING])

    def update(self, ctxt, group_id, values, add_volumes, remove_volumes):
        group = self._db.group_get(group_id, scope.project(ctxt))
        values = {k: v for k, v in values.items()
                  if k in ('name', 'description')}
        if values:
            self._db.group_update(group.id, values)
        if add_volumes or remove_volumes:
            self._change_volumes(ctxt, group, add_volumes, remove_volumes)
        return self._db.group_get(group.id)

    def _change_volumes(self, ctxt, group, add_volumes, remove_volumes):
        for volume_id in add_volumes:
            volume = scope.volume(self._db, ctxt, volume_id)
            if volume.status not in (states.AVAILABLE, states.IN_USE):
                raise exception.InvalidVolumeStatus(
                    volume_id=volume.id, status=volume.status,
                    expected='available, in-use')
        self._db.group_transition(group.id, states.UPDATING,
                                  expected=[states.AVAILABLE])
        try:
            if add_volumes:
                self._db.group_add_volumes(group.id, add_volumes)
            if remove_volumes:
                self._db.group_remove_volumes(group.id, remove_volumes)
        finally:
            self._db.group_transition(group.id, states.AVAILABLE,
                                      expected=[states.UPDATING])
        LOG.info('Group %s: added %s, removed %s', group.id,
                 ', '.join(add_volumes) or 'none',
                 ', '.join(remove_volumes) or 'none')

    def reset_status(self, ctxt, group_id, status):
        """Cinder 3.20's group reset_status, for administrators."""
        scope.require_admin(ctxt)
        group = self._db.group_get(group_id, scope.project(ctxt))
        group = self._db.group_transition(group.id, status, reset=True)
        LOG.warning('Group %s status reset to %s by %s', group.id, status,
                    ctxt.user_id)
        return group

    def delete(self, ctxt, group_id, delete_volumes):
        group = self._db.group_get(group_id, scope.project(ctxt))
        if self._db.group_snapshot_get_all({'group_id': group.id}):
            raise exception.InvalidGroup(
                reason='group %s has group snapshots; delete them first'
                       % group.id)
        volume_ids = [v.id for v in group.volumes]
        if volume_ids and not delete_volumes:
            raise exception.InvalidGroup(
                reason='group %s still has %d volume(s); delete them with '
                       'the group (delete-volumes) or remove them first'
                       % (group.id, len(volume_ids)))
        for volume in group.volumes:
            # Checked for all before any changes: a refusal changes nothing.
            self._volumes.refuse_if_snapshotted(volume.id)
            if volume.status not in states.VOLUME.sources(states.DELETING):
                raise exception.InvalidVolumeStatus(
                    volume_id=volume.id, status=volume.status,
                    expected=', '.join(states.VOLUME.sources(
                        states.DELETING)))
        self._db.group_transition(group.id, states.DELETING)
        if volume_ids:
            self._db.group_remove_volumes(group.id, volume_ids)
        failed = []
        for volume_id in volume_ids:
            try:
                self._volumes.delete(ctxt, volume_id)
            except exception.SnapvolException as e:
                LOG.warning('Group %s: volume %s is not deleted: %s',
                            group.id, volume_id, e)
                failed.append(volume_id)
        if failed:
            self._db.group_add_volumes(group.id, failed)
            return self._db.group_transition(
                group.id, states.ERROR_DELETING, expected=[states.DELETING])
        self._db.group_transition(group.id, states.DELETED,
                                  expected=[states.DELETING])
        LOG.info('Group %s is deleted with %d volume(s)', group.id,
                 len(volume_ids))
        return None
