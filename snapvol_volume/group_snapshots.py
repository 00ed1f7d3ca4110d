"""Group snapshots (Cinder 3.14, seed 002): every volume of a group at one
instant.

The request checks and records the set under the state locks of every
member volume; the worker takes their chain locks, always in the order of
the volume ids, so two sets never deadlock. It makes every member's
overlay first, then asks the compute service once for the members
attached to the instance (one libvirt transaction, one freeze), and only
then activates the overlays the domain writes to; a detached member's
overlay is activated with them (nothing writes to a detached volume in
between). Whatever fails, every overlay the domain does not write to is
removed, and those members and the set end ``error``.
"""

import contextlib

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api import states
from snapvol_volume import group_types
from snapvol_volume import messages
from snapvol_volume import outcome
from snapvol_volume import reads
from snapvol_volume import scope

LOG = logging.getLogger(__name__)

# Member metadata naming the set (seed 002: a user finds every member of
# a set, and every set of an instance).
SET_KEY = 'snapvol:group_snapshot_name'
INSTANCE_KEY = 'snapvol:instance_id'
DEVICE_KEY = 'snapvol:device'
BOOT_INDEX_KEY = 'snapvol:boot_index'
FREEZE_KEY = 'snapvol:freeze_seconds'
FREEZE_WARNING_KEY = 'snapvol:freeze_warning'


def member_name(set_name, volume):
    """``<set name>-<device>`` (vda...) for an attached volume, else
    ``<set name>-<volume id>``."""
    if volume.attachments and volume.attachments[0].device:
        return '%s-%s' % (set_name, volume.attachments[0].device
                          .rsplit('/', 1)[-1])
    return '%s-%s' % (set_name, volume.id)


class GroupSnapshots:

    def __init__(self, db, shares, locks, workers, assisted, snapshots,
                 owner, quotas):
        self._db = db
        self._quotas = quotas
        self._shares = shares
        self._locks = locks
        self._workers = workers
        self._assisted = assisted
        self._snapshots = snapshots
        self.owner = owner

    # Requests ---------------------------------------------------------------

    def create(self, ctxt, group_id, name, description):
        group = self._db.group_get(group_id, scope.project(ctxt))
        if group.status != states.AVAILABLE:
            raise exception.InvalidGroupStatus(
                group_id=group.id, status=group.status,
                expected=states.AVAILABLE)
        if not group.volumes:
            raise exception.InvalidGroup(
                reason='group %s has no volumes to snapshot' % group.id)
        return self._record(ctxt, [v.id for v in group.volumes],
                            name or 'group-snapshot', description,
                            group=group)

    def create_for_instance(self, ctxt, instance_id, disks, name,
                            description):
        """An instance's snapshot (the compute API's createImage): every
        volume of ``disks`` ([{volume_id, device, boot_index}]) must be
        attached to ``instance_id``; no group. The members' metadata also
        carries their boot index."""
        boot_indexes = {d['volume_id']: d.get('boot_index') for d in disks}
        return self._record(ctxt, list(boot_indexes), name, description,
                            instance_id=instance_id,
                            boot_indexes=boot_indexes)

    def _record(self, ctxt, volume_ids, name, description, group=None,
                instance_id=None, boot_indexes=None):
        volume_ids = sorted(volume_ids)
        with contextlib.ExitStack() as stack:
            for volume_id in volume_ids:
                stack.enter_context(self._locks.state(volume_id))
            volumes = [scope.volume(self._db, ctxt, v) for v in volume_ids]
            attached_to = self._check_members(volumes)
            if instance_id is not None and any(
                    [a.instance_id for a in v.attachments] != [instance_id]
                    for v in volumes):
                raise exception.InvalidGroupSnapshot(
                    reason='the volumes %s are not all attached to '
                           'instance %s' % (', '.join(volume_ids),
                                            instance_id))
            projects = {v.project_id for v in volumes}
            if len(projects) > 1:
                raise exception.InvalidGroupSnapshot(
                    reason='the volumes belong to several projects (%s)'
                           % ', '.join(sorted(projects)))
            (project_id,) = projects
            members = []
            for volume in volumes:
                metadata = self._member_metadata(name, volume)
                if (boot_indexes or {}).get(volume.id) is not None:
                    metadata[BOOT_INDEX_KEY] = str(boot_indexes[volume.id])
                members.append(({
                    'volume_id': volume.id, 'project_id': project_id,
                    'user_id': ctxt.user_id,
                    'name': member_name(name, volume),
                    'description': 'snapshot for %s' % name,
                    'volume_size': volume.size,
                    'status': states.SNAPSHOT.initial, 'progress': '0%',
                    'owner': self.owner}, metadata))
            group_snapshot = self._db.group_snapshot_create({
                'group_id': group.id if group else None,
                'project_id': project_id, 'user_id': ctxt.user_id,
                'name': name, 'description': description,
                'group_type_id': (group.group_type_id if group
                                  else group_types.CONSISTENT_ID),
                'instance_id': attached_to,
                'status': states.GROUP_SNAPSHOT.initial,
                'owner': self.owner}, members,
                limits=self._quotas.limits(project_id))
        LOG.info('Creating group snapshot %s of %s: %d volume(s)%s',
                 group_snapshot.id,
                 'group %s' % group.id if group else 'an instance',
                 len(volumes), ', attached to %s' % attached_to
                 if attached_to else '')
        self._workers.spawn(self.build, group_snapshot.id, self.owner)
        return group_snapshot

    def _check_members(self, volumes):
        """The one instance the in-use members are attached to (None when
        none is): one transaction cannot span several domains."""
        for volume in volumes:
            if volume.status not in (states.AVAILABLE, states.IN_USE):
                raise exception.InvalidVolumeStatus(
                    volume_id=volume.id, status=volume.status,
                    expected='available, in-use')
            self._shares.check_now(volume)
        instances = sorted({a.instance_id for v in volumes
                            for a in v.attachments})
        if len(instances) > 1:
            raise exception.InvalidGroupSnapshot(
                reason='the volumes are attached to several instances '
                       '(%s); a group snapshot is one transaction on one '
                       'instance' % ', '.join(instances))
        return instances[0] if instances else None

    @staticmethod
    def _member_metadata(name, volume):
        metadata = {SET_KEY: name}
        if volume.attachments:
            attachment = volume.attachments[0]
            metadata[INSTANCE_KEY] = attachment.instance_id
            if attachment.device:
                metadata[DEVICE_KEY] = attachment.device
        return metadata

    def reset_status(self, ctxt, group_snapshot_id, status):
        """Cinder 3.19's group snapshot reset_status, for administrators;
        the members keep theirs."""
        scope.require_admin(ctxt)
        group_snapshot = self._db.group_snapshot_get(group_snapshot_id,
                                                     scope.project(ctxt))
        group_snapshot = self._db.group_snapshot_transition(
            group_snapshot.id, status, reset=True)
        LOG.warning('Group snapshot %s status reset to %s by %s',
                    group_snapshot.id, status, ctxt.user_id)
        return group_snapshot

    def delete(self, ctxt, group_snapshot_id):
        """Deletes the members one after another, in one worker: QEMU has
        no transactional merge, and QEMU 7.2 was seen to crash running
        block-stream jobs on several disks of one domain at once. The set
        goes once they are gone (``settle``)."""
        group_snapshot = self._db.group_snapshot_get(group_snapshot_id,
                                                     scope.project(ctxt))
        # Checked for every member before any changes: a refusal changes
        # nothing.
        for snapshot in group_snapshot.snapshots:
            self._snapshots.refuse_if_cloning(snapshot.id)
            reads.refuse_delete(self._db, snapshot)
        group_snapshot = self._db.group_snapshot_transition(
            group_snapshot.id, states.DELETING, values={'owner': self.owner})
        LOG.info('Deleting group snapshot %s: %d member(s)',
                 group_snapshot.id, len(group_snapshot.snapshots))
        deleting = []
        for snapshot in group_snapshot.snapshots:
            if snapshot.status in (states.DELETING, states.DELETED):
                continue
            try:
                self._snapshots.delete(ctxt, snapshot.id, in_group=True)
                deleting.append(snapshot.id)
            except exception.SnapvolException as e:
                LOG.warning('Group snapshot %s: member %s is not deleted: '
                            '%s', group_snapshot.id, snapshot.id, e)
        self._workers.spawn(self.merge_members, group_snapshot.id, deleting)
        return self._db.group_snapshot_get(group_snapshot.id)

    def merge_members(self, group_snapshot_id, snapshot_ids):
        for snapshot_id in snapshot_ids:
            try:
                self._snapshots.merge(snapshot_id, self.owner)
            except Exception:
                LOG.exception('Group snapshot %s: merging member %s failed',
                              group_snapshot_id, snapshot_id)
        settle(self._db, group_snapshot_id)

    # Work, in a worker ------------------------------------------------------

    def build(self, group_snapshot_id, owner):
        group_snapshot = self._db.group_snapshot_get(group_snapshot_id)
        members = sorted(group_snapshot.snapshots, key=lambda s: s.volume_id)
        with contextlib.ExitStack() as stack:
            for member in members:
                stack.enter_context(self._locks.chain(member.volume_id))
            group_snapshot = self._db.group_snapshot_get(group_snapshot_id)
            if (group_snapshot.status != states.CREATING or
                    group_snapshot.owner != owner):
                LOG.info('Group snapshot %s is %s (work of %s); left to its '
                         'owner', group_snapshot_id, group_snapshot.status,
                         group_snapshot.owner)
                return
            try:
                self._create(group_snapshot, members, owner)
            except Exception as e:
                LOG.exception('Group snapshot %s failed', group_snapshot_id)
                for member in members:
                    outcome.failed(self._db.snapshot_transition, member.id,
                                   states.CREATING, states.ERROR, owner, e,
                                   self._snapshots.teller(
                                       member.id, messages.CREATE_SNAPSHOT))
        settle(self._db, group_snapshot_id)

    def _create(self, group_snapshot, members, owner):
        volumes = {m.volume_id: self._db.volume_get(m.volume_id)
                   for m in members}
        chains = {v.id: self._shares.chain(v) for v in volumes.values()}
        taken = set()
        try:
            for member in members:
                chain = chains[member.volume_id]
                name = chain.snapshot_file(member.id)
                # Recorded first, as for one snapshot: after a crash the
                # overlay may be in the info store already.
                self._db.volume_file_set(member.volume_id, name, 'qcow2')
                chain.new_overlay(member.id,
                                  volumes[member.volume_id].size)
            attached = [m for m in members
                        if volumes[m.volume_id].attachments]
            report = {'members': {}, 'error': None}
            if attached:
                report = self._assisted.create_set(group_snapshot.id,
                                                   attached, volumes)
            taken = {m.id for m in members
                     if m in attached and m.id in report['members']}
            if report['error'] is None:
                taken |= {m.id for m in members if m not in attached}
            for member in members:
                if member.id in taken:
                    chains[member.volume_id].activate_overlay(member.id)
        finally:
            for member in members:
                if member.id not in taken:
                    chains[member.volume_id].discard_overlay(member.id)
                self._shares.record(member.volume_id,
                                    chains[member.volume_id])
        metadata = self._report_metadata(report)
        for member in members:
            if member.id not in taken:
                outcome.failed(self._db.snapshot_transition, member.id,
                               states.CREATING, states.ERROR, owner,
                               report['error'], self._snapshots.teller(
                                   member.id, messages.CREATE_SNAPSHOT))
                continue
            if metadata:
                self._db.snapshot_metadata_set(member.id, metadata)
            outcome.succeeded(self._db.snapshot_transition, member.id,
                              states.CREATING, states.AVAILABLE, owner,
                              values={'progress': '100%'})

    @staticmethod
    def _report_metadata(report):
        metadata = {}
        if report.get('quiesced') is not None:
            metadata['quiesced'] = 'yes' if report['quiesced'] else 'no'
        if report.get('freeze_seconds') is not None:
            metadata[FREEZE_KEY] = '%.3f' % report['freeze_seconds']
            if report.get('freeze_warning'):
                metadata[FREEZE_WARNING_KEY] = 'yes'
        return metadata


def settle(db, group_snapshot_id):
    """The set follows its members once none is in flight: a create
    ends available when every member is, else error; a delete ends
    when no member is left, else error_deleting. Called after every
    member's outcome (also by recovery), so the last one settles it."""
    try:
        group_snapshot = db.group_snapshot_get(group_snapshot_id)
    except exception.GroupSnapshotNotFound:
        return
    statuses = [s.status for s in group_snapshot.snapshots]
    if any(s in states.IN_FLIGHT for s in statuses):
        return
    if group_snapshot.status == states.CREATING:
        target = (states.AVAILABLE if statuses and all(
            s == states.AVAILABLE for s in statuses) else states.ERROR)
    elif group_snapshot.status == states.DELETING:
        target = states.ERROR_DELETING if statuses else states.DELETED
    else:
        return
    try:
        db.group_snapshot_transition(
            group_snapshot_id, target, expected=[group_snapshot.status])
    except exception.InvalidGroupSnapshotStatus as e:
        LOG.info('Group snapshot %s: %s', group_snapshot_id, e)
        return
    LOG.info('Group snapshot %s is %s', group_snapshot_id, target)
