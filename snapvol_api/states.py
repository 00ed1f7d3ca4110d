"""Every status of volumes, snapshots, groups, group snapshots, backups
and instances, and the transitions between them, declared once.

Managers never write a status directly: they ask their database for a
guarded transition (``transition(..., target, expected=...)``), which is
one compare-and-swap on the row and is refused unless the table below
allows it from the status the row has *now*. So a worker's late failure
cannot overwrite a status someone else set meanwhile (an administrator's
``os-reset_status``, another worker's outcome). Status names are Cinder's
and Nova's.
"""

from collections.abc import Mapping
import dataclasses

# Volumes, snapshots, groups and group snapshots (Cinder)
CREATING = 'creating'
AVAILABLE = 'available'
IN_USE = 'in-use'
# Groups only: volumes are being added or removed.
UPDATING = 'updating'
DELETING = 'deleting'
DELETED = 'deleted'
ERROR = 'error'
ERROR_DELETING = 'error_deleting'
# Volumes only: os-extend, and a transfer to another project.
EXTENDING = 'extending'
ERROR_EXTENDING = 'error_extending'
AWAITING_TRANSFER = 'awaiting-transfer'
# Volumes reverting to their latest snapshot (Cinder 3.40), and that
# snapshot meanwhile; a backup being restored.
REVERTING = 'reverting'
RESTORING = 'restoring'
# A volume or snapshot whose data a backup reads (Cinder's), or an export
# (os-volume_upload_image) of a snapshot; a volume being exported; a
# volume a backup is written into, and one whose restore failed.
BACKING_UP = 'backing-up'
UPLOADING = 'uploading'
RESTORING_BACKUP = 'restoring-backup'
ERROR_RESTORING = 'error_restoring'

# Seed 001: only the compute service reports these; they are never stored.
CREATING_COMPUTE_COMPLETE = 'creating_compute_complete'
DELETING_COMPUTE_COMPLETE = 'deleting_compute_complete'

# Instances (Nova's server statuses)
BUILD = 'BUILD'
ACTIVE = 'ACTIVE'
SHUTOFF = 'SHUTOFF'
REBOOT = 'REBOOT'
HARD_REBOOT = 'HARD_REBOOT'
INSTANCE_ERROR = 'ERROR'
INSTANCE_DELETED = 'DELETED'

# The state of an instance's compute host, as Nova's host_status: its
# service is up, down (no heartbeat within service_down_time), up but
# disabled, or has no row.
HOST_UP = 'UP'
HOST_DOWN = 'DOWN'
HOST_MAINTENANCE = 'MAINTENANCE'
HOST_UNKNOWN = 'UNKNOWN'


@dataclasses.dataclass(frozen=True)
class Machine:
    """The states of one kind of resource: ``transitions`` maps each
    status to the statuses it may change to; ``reset_to`` are the statuses
    an administrator may force from any status. ``parked``: statuses of
    Cinder features snapvol does not have, which only os-reset_status
    sets (Cinder accepts them) and only os-reset_status leaves: no work
    ever starts from them."""

    kind: str
    transitions: Mapping[str, frozenset]
    reset_to: tuple
    parked: tuple = ()

    @property
    def statuses(self):
        return tuple(self.transitions) + self.parked

    @property
    def initial(self):
        """The status a new resource has: the first one declared."""
        return next(iter(self.transitions))

    @property
    def terminal(self):
        """The statuses nothing leaves, not even os-reset_status."""
        return tuple(s for s, targets in self.transitions.items()
                     if not targets)

    def allows(self, current, target):
        return target in self.transitions.get(current, ())

    def sources(self, target):
        """The statuses from which ``target`` may be reached."""
        return tuple(s for s, targets in self.transitions.items()
                     if target in targets)


_VOLUME_PARKED = ('attaching', 'detaching', 'maintenance', 'reserved',
                  'managing', 'error_managing', 'error_backing-up',
                  'downloading', 'retyping')
_SNAPSHOT_PARKED = ('unmanaging',)

# What the volume manager does, and nothing else: a volume in use is
# detached before it is deleted; a failed delete may be asked again, a
# failed extend leaves the volume to delete; an administrator's
# os-reset_status (``reset_to``) is the only other way in.
VOLUME = Machine('Volume', {
    CREATING: frozenset({AVAILABLE, ERROR}),
    AVAILABLE: frozenset({IN_USE, DELETING, EXTENDING, AWAITING_TRANSFER,
                          REVERTING, BACKING_UP, UPLOADING,
                          RESTORING_BACKUP}),
    # From 3.42 an attached volume grows while its guest runs.
    IN_USE: frozenset({AVAILABLE, EXTENDING}),
    # Until the transfer is accepted (the volume is another project's
    # then) or deleted.
    AWAITING_TRANSFER: frozenset({AVAILABLE}),
    EXTENDING: frozenset({AVAILABLE, IN_USE, ERROR_EXTENDING}),
    # A failed revert leaves the volume to revert again or delete.
    REVERTING: frozenset({AVAILABLE, ERROR}),
    # Read by a backup or an export, written by a restore: only the
    # worker doing it ends it (a failed restore leaves data to delete).
    BACKING_UP: frozenset({AVAILABLE}),
    UPLOADING: frozenset({AVAILABLE}),
    RESTORING_BACKUP: frozenset({AVAILABLE, ERROR_RESTORING}),
    ERROR_RESTORING: frozenset({DELETING}),
    DELETING: frozenset({DELETED, ERROR_DELETING}),
    ERROR: frozenset({DELETING}),
    ERROR_DELETING: frozenset({DELETING}),
    ERROR_EXTENDING: frozenset({DELETING}),
    DELETED: frozenset(),
}, reset_to=(AVAILABLE, IN_USE, ERROR, ERROR_DELETING, ERROR_EXTENDING,
             CREATING, DELETING, AWAITING_TRANSFER, BACKING_UP, UPLOADING,
             RESTORING_BACKUP, ERROR_RESTORING) + _VOLUME_PARKED,
   parked=_VOLUME_PARKED)

# A snapshot in error keeps no file the chain needs (a failed create
# removes its overlay), so it may be deleted; one that failed to delete
# may be asked again.
SNAPSHOT = Machine('Snapshot', {
    CREATING: frozenset({AVAILABLE, ERROR}),
    AVAILABLE: frozenset({DELETING, RESTORING, BACKING_UP}),
    # Its volume reverts to it; it is available again either way.
    RESTORING: frozenset({AVAILABLE}),
    # A backup or an export reads its data; a delete waits for the end.
    BACKING_UP: frozenset({AVAILABLE}),
    DELETING: frozenset({DELETED, ERROR_DELETING}),
    ERROR: frozenset({DELETING}),
    ERROR_DELETING: frozenset({DELETING}),
    DELETED: frozenset(),
}, reset_to=(AVAILABLE, ERROR, ERROR_DELETING, CREATING, DELETING,
             RESTORING, BACKING_UP) + _SNAPSHOT_PARKED,
   parked=_SNAPSHOT_PARKED)

# Generic groups (Cinder 3.13), without Cinder's in-use (attachments are
# the member volumes' own status). An update (volumes added or removed)
# is all or nothing in the database, so it ends available again.
GROUP = Machine('Group', {
    CREATING: frozenset({AVAILABLE, ERROR}),
    AVAILABLE: frozenset({UPDATING, DELETING}),
    UPDATING: frozenset({AVAILABLE}),
    DELETING: frozenset({DELETED, ERROR_DELETING}),
    ERROR: frozenset({DELETING}),
    ERROR_DELETING: frozenset({DELETING}),
    DELETED: frozenset(),
}, reset_to=(AVAILABLE, ERROR, ERROR_DELETING, CREATING, DELETING))

# Group snapshots (Cinder 3.14): as a snapshot, which no volume reverts
# to and nothing reads whole, without Cinder features to park in.
GROUP_SNAPSHOT = Machine(
    'GroupSnapshot',
    {status: targets - {RESTORING, BACKING_UP}
     for status, targets in SNAPSHOT.transitions.items()
     if status not in (RESTORING, BACKING_UP)},
    reset_to=(AVAILABLE, ERROR, ERROR_DELETING, CREATING, DELETING))

# Work that a worker is doing on a resource in these statuses; the worker
# recorded as its owner finishes it (or a later start of the service).
IN_FLIGHT = (CREATING, DELETING, EXTENDING, REVERTING)

# Backups (Cinder's): a failed create or delete leaves the backup in
# error, which may be deleted (again); a restore leaves it available
# whatever happened to the volume. A delete cancels a create in flight
# (os-force_delete), whose worker stops and removes what it wrote.
BACKUP = Machine('Backup', {
    CREATING: frozenset({AVAILABLE, ERROR, DELETING}),
    AVAILABLE: frozenset({DELETING, RESTORING}),
    RESTORING: frozenset({AVAILABLE}),
    DELETING: frozenset({DELETED, ERROR}),
    ERROR: frozenset({DELETING}),
    DELETED: frozenset(),
}, reset_to=(AVAILABLE, ERROR))

# Backup work done by a worker (its owner) in these statuses; the backup
# recovery finishes it or ends it when its owner died.
BACKUP_IN_FLIGHT = (CREATING, DELETING, RESTORING)

INSTANCE = Machine('Instance', {
    BUILD: frozenset({ACTIVE, INSTANCE_ERROR, INSTANCE_DELETED}),
    ACTIVE: frozenset({SHUTOFF, REBOOT, HARD_REBOOT, INSTANCE_ERROR,
                       INSTANCE_DELETED}),
    SHUTOFF: frozenset({ACTIVE, HARD_REBOOT, INSTANCE_ERROR,
                        INSTANCE_DELETED}),
    # A reboot ends ACTIVE; a soft one that the guest ignores becomes
    # hard; one interrupted by a restart of its manager is found ACTIVE or
    # SHUTOFF by the power state sync.
    REBOOT: frozenset({ACTIVE, SHUTOFF, HARD_REBOOT, INSTANCE_ERROR,
                       INSTANCE_DELETED}),
    HARD_REBOOT: frozenset({ACTIVE, SHUTOFF, INSTANCE_ERROR,
                            INSTANCE_DELETED}),
    INSTANCE_ERROR: frozenset({ACTIVE, SHUTOFF, HARD_REBOOT,
                               INSTANCE_DELETED}),
    INSTANCE_DELETED: frozenset(),
}, reset_to=(ACTIVE, INSTANCE_ERROR))

# Nova's view of each status: (vm_state, task_state, power_state: 0
# NOSTATE, 1 RUNNING, 4 SHUTDOWN).
INSTANCE_NOVA_STATES = {
    BUILD: ('building', 'spawning', 0),
    ACTIVE: ('active', None, 1),
    SHUTOFF: ('stopped', None, 4),
    REBOOT: ('active', 'rebooting', 1),
    HARD_REBOOT: ('active', 'rebooting_hard', 1),
    INSTANCE_ERROR: ('error', None, 0),
    INSTANCE_DELETED: ('deleted', None, 0),
}

# What a compute report may say about a snapshot, by the status the
# snapshot must have for it (seed 001).
COMPUTE_REPORTS = {
    CREATING_COMPUTE_COMPLETE: (CREATING,),
    DELETING_COMPUTE_COMPLETE: (DELETING,),
    ERROR: (CREATING, DELETING),
}
