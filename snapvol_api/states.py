"""Status names of volumes and snapshots, as Cinder spells them."""

# Volumes
CREATING = 'creating'
AVAILABLE = 'available'
IN_USE = 'in-use'
DELETING = 'deleting'
ERROR = 'error'
ERROR_DELETING = 'error_deleting'

VOLUME_STATUSES = (CREATING, AVAILABLE, IN_USE, DELETING, ERROR,
                   ERROR_DELETING)

# Snapshots (seed 001 adds the two *_compute_complete statuses, which only
# the compute service reports; they are never stored).
DELETED = 'deleted'
CREATING_COMPUTE_COMPLETE = 'creating_compute_complete'
DELETING_COMPUTE_COMPLETE = 'deleting_compute_complete'

SNAPSHOT_STATUSES = (CREATING, AVAILABLE, DELETING, ERROR, ERROR_DELETING,
                     DELETED)

# What an administrator may set with os-reset_status.
VOLUME_RESET_STATUSES = (AVAILABLE, IN_USE, ERROR, ERROR_DELETING, CREATING,
                         DELETING)
SNAPSHOT_RESET_STATUSES = (AVAILABLE, ERROR, ERROR_DELETING, CREATING,
                           DELETING)
