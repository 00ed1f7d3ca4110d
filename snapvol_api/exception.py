"""Every snapvol exception.

A leaf class only sets ``msg_fmt``; its category base sets the HTTP ``code``
the API answers with. The classes survive RPC: ``snapvol_api.rpc`` lists this
module in ``allowed_remote_exmods``, and oslo.messaging rebuilds a remote
error as ``cls(message, **kwargs)``, which ``__init__`` accepts.
"""


class SnapvolException(Exception):
    msg_fmt = 'An unknown error occurred.'
    code = 500

    def __init__(self, message=None, **kwargs):
        self.kwargs = dict(kwargs)
        self.kwargs.setdefault('code', self.code)
        if not message:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError, ValueError):
                # A bad format call must not hide the real error.
                message = self.msg_fmt
        self.message = str(message)
        super().__init__(self.message)

    def __str__(self):
        return self.message


# Categories -----------------------------------------------------------------

class Invalid(SnapvolException):
    msg_fmt = 'Invalid request: %(reason)s'
    code = 400


class NotAuthorized(SnapvolException):
    msg_fmt = 'Not authorized.'
    code = 401


class Forbidden(SnapvolException):
    msg_fmt = 'Policy does not allow %(action)s to be performed.'
    code = 403


class NotFound(SnapvolException):
    msg_fmt = 'Resource could not be found.'
    code = 404


class Conflict(SnapvolException):
    msg_fmt = 'Conflict: %(reason)s'
    code = 409


class OverQuota(SnapvolException):
    """Cinder's QuotaError: 413 overLimit, retry after 0 s (when usage
    goes down, not by waiting)."""
    msg_fmt = 'Quota exceeded: %(reason)s'
    code = 413


class ServiceUnavailable(SnapvolException):
    msg_fmt = 'Service unavailable: %(reason)s'
    code = 503


# Requests -------------------------------------------------------------------

class VolumeLimitExceeded(OverQuota):
    msg_fmt = ("Maximum number of volumes allowed (%(allowed)d) exceeded for "
               "quota '%(name)s'.")


class SnapshotLimitExceeded(OverQuota):
    msg_fmt = 'Maximum number of snapshots allowed (%(allowed)d) exceeded.'


class GroupLimitExceeded(OverQuota):
    msg_fmt = 'Maximum number of groups allowed (%(allowed)d) exceeded.'


class VolumeSizeExceedsAvailableQuota(OverQuota):
    msg_fmt = ('Requested volume or snapshot exceeds allowed %(name)s '
               'quota. Requested %(requested)sG, quota is %(quota)sG and '
               '%(consumed)sG has been consumed.')


class VolumeSizeExceedsLimit(OverQuota):
    msg_fmt = ('Requested volume size %(size)dG is larger than maximum '
               'allowed limit %(limit)dG.')


class InvalidQuotaValue(Invalid):
    msg_fmt = 'Change would make usage less than 0 for the following ' \
              'resources: %(unders)s'


class InsufficientCapacity(Invalid):
    """No share can take a volume now (Cinder's scheduler would leave the
    volume in error with "No valid backend was found")."""
    msg_fmt = ('No share has room for a volume of %(size)d GiB: %(reason)s')


class InvalidInput(Invalid):
    msg_fmt = 'Invalid input received: %(reason)s'


class InvalidVolume(Invalid):
    msg_fmt = 'Invalid volume: %(reason)s'


class InvalidSnapshot(Invalid):
    msg_fmt = 'Invalid snapshot: %(reason)s'


class InvalidGroup(Invalid):
    msg_fmt = 'Invalid group: %(reason)s'


class InvalidGroupSnapshot(Invalid):
    msg_fmt = 'Invalid group snapshot: %(reason)s'


class VolumeNotFound(NotFound):
    msg_fmt = 'Volume %(volume_id)s could not be found.'


class SnapshotNotFound(NotFound):
    msg_fmt = 'Snapshot %(snapshot_id)s could not be found.'


class GroupNotFound(NotFound):
    msg_fmt = 'Group %(group_id)s could not be found.'


class GroupSnapshotNotFound(NotFound):
    msg_fmt = 'Group snapshot %(group_snapshot_id)s could not be found.'


class VolumeTypeNotFound(NotFound):
    msg_fmt = 'Volume type %(volume_type)s could not be found.'


class InvalidAvailabilityZone(Invalid):
    msg_fmt = "Availability zone '%(az)s' is invalid."


class GroupTypeNotFound(NotFound):
    msg_fmt = 'Group type %(group_type_id)s could not be found.'


class TransferNotFound(NotFound):
    msg_fmt = 'Transfer %(transfer_id)s could not be found.'


class InvalidAuthKey(Invalid):
    msg_fmt = 'Invalid auth key: %(reason)s'


class MessageNotFound(NotFound):
    msg_fmt = 'Message %(message_id)s could not be found.'


class MetadataKeyNotFound(NotFound):
    msg_fmt = 'Metadata key %(key)s could not be found.'


# Cinder answers a resource in the wrong status with 400, not 409.
class InvalidVolumeStatus(InvalidVolume):
    msg_fmt = ('Volume %(volume_id)s is %(status)s; this needs it to be '
               'one of: %(expected)s.')


class InvalidSnapshotStatus(InvalidSnapshot):
    msg_fmt = ('Snapshot %(snapshot_id)s is %(status)s; this needs it to be '
               'one of: %(expected)s.')


class InvalidGroupStatus(InvalidGroup):
    msg_fmt = ('Group %(group_id)s is %(status)s; this needs it to be '
               'one of: %(expected)s.')


class InvalidGroupSnapshotStatus(InvalidGroupSnapshot):
    msg_fmt = ('Group snapshot %(group_snapshot_id)s is %(status)s; this '
               'needs it to be one of: %(expected)s.')


class VolumeHasSnapshots(Invalid):
    msg_fmt = ('Volume %(volume_id)s still has %(count)d dependent '
               'snapshot(s); delete them first.')


class InvalidStatusTransition(Conflict):
    msg_fmt = ('%(kind)s %(id)s cannot go from %(current)s to '
               '%(requested)s.')


# Files and chains -----------------------------------------------------------

class InvalidFileName(Invalid):
    msg_fmt = 'File name %(name)r is not one of volume %(volume_id)s.'


class UnsafeBackingFile(Invalid):
    msg_fmt = ('Refusing to use %(path)s: %(reason)s.')


class ChainMismatch(Conflict):
    msg_fmt = ('The qcow2 chain of volume %(volume_id)s does not match its '
               'records: %(reason)s.')


class InfoStoreCorrupt(SnapvolException):
    msg_fmt = 'The snapshot info store %(path)s is unusable: %(reason)s.'


class ImageCommandFailed(SnapvolException):
    msg_fmt = '%(command)s failed: %(reason)s'


# Shares ---------------------------------------------------------------------

class InvalidShareConfig(SnapvolException):
    msg_fmt = 'Shares configuration %(path)s, line %(line)d: %(reason)s.'


class ShareUnavailable(ServiceUnavailable):
    msg_fmt = 'Share %(share)s is unavailable: %(reason)s.'


class ComputeUnavailable(ServiceUnavailable):
    msg_fmt = 'The compute service cannot be reached: %(reason)s'


class ComputeRequestFailed(SnapvolException):
    msg_fmt = 'The compute service refused %(request)s: %(reason)s'


class NoValidShare(ServiceUnavailable):
    msg_fmt = 'No share can hold a volume of %(size)d GiB.'


# Compute --------------------------------------------------------------------

class InstanceNotFound(NotFound):
    msg_fmt = 'Instance %(instance_id)s could not be found.'


class FlavorNotFound(NotFound):
    msg_fmt = 'Flavor %(flavor_id)s could not be found.'


class ImageNotFound(NotFound):
    msg_fmt = 'Image %(image_id)s could not be found.'


class VolumeNotCreated(SnapvolException):
    # Nova's, for a build whose volume from a snapshot never came.
    msg_fmt = ('Volume %(volume_id)s did not finish being created after '
               '%(attempts)d checks; its status is %(status)s.')


class VolumeNotAttached(NotFound):
    msg_fmt = 'Volume %(volume_id)s is not attached to an instance.'


class DiskNotFound(NotFound):
    msg_fmt = ('Instance %(instance_id)s has no disk with serial '
               '%(volume_id)s.')


class DiskTargetNotFound(NotFound):
    msg_fmt = 'Instance %(instance_id)s has no disk %(target)s.'


class InvalidDeleteInfo(Invalid):
    msg_fmt = 'Invalid delete_info: %(reason)s'


class InvalidCreateInfo(Invalid):
    msg_fmt = 'Invalid create_info: %(reason)s'


class InstanceInvalidState(Conflict):
    msg_fmt = ('Instance %(instance_id)s is %(state)s; this cannot be done '
               'now.')


# Instance states (snapvol_api.states.INSTANCE) ---------------------------

class InstanceStatusConflict(InstanceInvalidState):
    """A guarded transition found the instance in a status it may not
    leave for ``target`` (or not the one the caller expected)."""
    msg_fmt = ('Instance %(instance_id)s is %(state)s; it cannot become '
               '%(target)s.')


class InstanceActionConflict(InstanceInvalidState):
    """Nova's refusal of a server action in the wrong state."""
    msg_fmt = ("Cannot '%(action)s' instance %(instance_id)s while it is "
               "in %(attr)s %(state)s")


class HypervisorError(SnapvolException):
    """A libvirt call failed; ``error_code`` is libvirt's."""
    msg_fmt = 'libvirt: %(reason)s'


class HypervisorBusy(HypervisorError):
    """libvirt gave up waiting for the domain's job lock: another job (on
    GlusterFS, libvirt reading a chain over libgfapi) held it. Nothing was
    started; the call may be made again."""
    code = 503


class HypervisorUnavailable(HypervisorError):
    """The libvirt connection is down (and could not be opened again)."""
    msg_fmt = 'libvirt at %(uri)s is unavailable: %(reason)s'
    code = 503


class InstanceExists(Conflict):
    msg_fmt = 'Instance %(instance_id)s already exists.'


class QuiesceFailed(HypervisorError):
    msg_fmt = ('Could not freeze the filesystems of instance '
               '%(instance_id)s: %(reason)s')


class PartialSnapshot(HypervisorError):
    """An atomic snapshot failed, yet some disks switched (``formats``:
    {volume_id: {new file: format}} of those): what the domain writes to
    now must be kept."""
    msg_fmt = ('The snapshot of instance %(instance_id)s failed '
               '(%(reason)s), yet the disks of volume(s) %(volumes)s '
               'switched to their new files.')


class BlockJobFailed(HypervisorError):
    msg_fmt = 'Block job on %(disk)s of %(instance_id)s failed: %(reason)s'


class BlockJobTimeout(BlockJobFailed):
    msg_fmt = ('Block job on %(disk)s of %(instance_id)s did not finish in '
               '%(timeout)d s.')


# Configuration and services -------------------------------------------------

class ConfigInvalid(SnapvolException):
    msg_fmt = 'Invalid configuration: %(reason)s'


class VolumeServiceUnavailable(ServiceUnavailable):
    msg_fmt = 'The volume service is unavailable: %(reason)s'


class RequestAbandoned(Conflict):
    """The API got no answer in time and gave the request up; a manager
    that gets it later does nothing."""
    msg_fmt = 'The request was given up by the API; nothing was done.'


class CoordinationUnavailable(ServiceUnavailable):
    msg_fmt = 'The coordination backend is unavailable: %(reason)s'


class LockBusy(Conflict):
    """A lock asked for without waiting is held by someone else."""
    msg_fmt = 'Lock %(name)s is held by someone else.'


class ServiceNotFound(NotFound):
    msg_fmt = 'Service %(binary)s on host %(host)s could not be found.'


class ComputeHostUnavailable(ServiceUnavailable):
    """The instance's compute host is down (no heartbeat within
    service_down_time): a call to it would only wait out its timeout, so
    none is sent."""
    msg_fmt = ('Compute host %(host)s is down (no heartbeat within '
               'service_down_time); nothing was done. Try again once it '
               'is up.')


class NoValidHost(SnapvolException):
    """No compute host that is up has room for the flavor (Nova's
    words)."""
    msg_fmt = 'No valid host was found. %(reason)s'


# Volume transfers -----------------------------------------------------------

class SnapshotsCannotStay(InvalidVolume):
    """A ``no_snapshots`` transfer (3.55) of a volume with snapshots: they
    are files of the volume's own chain, so they cannot stay with the old
    project while the volume moves."""
    msg_fmt = ('Volume %(volume_id)s has %(count)d snapshot(s), files of '
               'its own chain that cannot stay behind: transfer it with '
               'them (no_snapshots false), or delete them first.')


# Volume types (Cinder's words) ----------------------------------------------

class VolumeTypeExists(Conflict):
    msg_fmt = 'Volume Type %(id)s already exists.'


class VolumeTypeInUse(Invalid):
    msg_fmt = ('Volume Type %(volume_type_id)s deletion is not allowed with '
               'volumes present with the type.')


class VolumeTypeDefaultDeletionError(Invalid):
    msg_fmt = ('The volume type %(volume_type_id)s is a default volume type '
               'and cannot be deleted.')


class VolumeTypeExtraSpecsNotFound(NotFound):
    msg_fmt = ('Volume Type %(volume_type_id)s has no extra specs with key '
               '%(extra_specs_key)s.')


class VolumeTypeProjectDefaultNotFound(NotFound):
    msg_fmt = 'Default type for project %(project_id)s not found.'


class NoShareForVolumeType(Invalid):
    """The extra specs of a volume type rule out every share (known before
    anything is made)."""
    msg_fmt = ('No share of this volume service suits volume type '
               '%(volume_type)s: %(reason)s')


class ReimageNotSupported(Invalid):
    """os-reimage (Cinder 3.68) writes an image service's image to the
    volume; snapvol talks to no image service."""
    msg_fmt = ('Volume %(volume_id)s cannot be re-imaged from image '
               '%(image_id)s: re-imaging needs an image service, which '
               'this volume service does not have.')


class VolumeTypeAccessExists(Conflict):
    msg_fmt = ('Volume type access for %(volume_type_id)s / %(project_id)s '
               'combination already exists.')


class VolumeTypeAccessNotFound(NotFound):
    msg_fmt = ('Volume type access not found for %(volume_type_id)s / '
               '%(project_id)s combination.')


# Backups and exports (Cinder's words where Cinder has them) ----------------

class BackupNotFound(NotFound):
    msg_fmt = 'Backup %(backup_id)s could not be found.'


class InvalidBackup(Invalid):
    msg_fmt = 'Invalid backup: %(reason)s'


class InvalidBackupStatus(InvalidBackup):
    msg_fmt = ('Backup %(backup_id)s is %(status)s; this needs it to be '
               'one of: %(expected)s.')


class BackupLimitExceeded(OverQuota):
    msg_fmt = 'Maximum number of backups allowed (%(allowed)d) exceeded.'


class VolumeBackupSizeExceedsAvailableQuota(OverQuota):
    msg_fmt = ('Requested backup exceeds allowed Backup gigabytes quota. '
               'Requested %(requested)sG, quota is %(quota)sG and '
               '%(consumed)sG has been consumed.')


class BeingRead(Conflict):
    """A delete of a snapshot (or its volume's older ones) while a backup
    or an export reads the snapshot's point in time: the merge would
    change files that read goes through."""
    msg_fmt = ('Snapshot %(snapshot_id)s cannot be deleted now: '
               '%(reader)s is reading %(what)s of volume %(volume_id)s, '
               'and deleting it would merge files that read goes '
               'through. Try again once it is done.')


class BackupCorrupt(SnapvolException):
    """A backup's objects do not match its metadata (missing, changed)."""
    msg_fmt = 'Backup %(backup_id)s cannot be read: %(reason)s'


class ExportExists(Conflict):
    msg_fmt = ('An export named %(name)s already exists in this project; '
               'choose another image_name.')
