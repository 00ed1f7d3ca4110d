"""What differs between volumes and snapshots where their API is alike
(metadata, actions): RPC method names, policy rules, errors."""

import dataclasses

from snapvol_api import exception
from snapvol_api import states


@dataclasses.dataclass(frozen=True)
class Resource:
    kind: str
    get: str
    delete: str
    set_metadata: str
    delete_metadata: str
    reset_status: str
    reset_statuses: tuple
    get_metadata_rule: str
    update_metadata_rule: str
    delete_metadata_rule: str
    reset_status_rule: str
    force_delete_rule: str
    not_found_class: type
    id_field: str

    def not_found(self, resource_id):
        return self.not_found_class(**{self.id_field: resource_id})


VOLUME = Resource(
    kind='volume',
    get='get_volume',
    delete='delete_volume',
    set_metadata='set_volume_metadata',
    delete_metadata='delete_volume_metadata',
    reset_status='reset_volume_status',
    reset_statuses=states.VOLUME.reset_to,
    get_metadata_rule='volume:get_volume_metadata',
    update_metadata_rule='volume:update_volume_metadata',
    delete_metadata_rule='volume:delete_volume_metadata',
    reset_status_rule='volume_extension:volume_admin_actions:reset_status',
    force_delete_rule='volume_extension:volume_admin_actions:force_delete',
    not_found_class=exception.VolumeNotFound,
    id_field='volume_id',
)

SNAPSHOT = Resource(
    kind='snapshot',
    get='get_snapshot',
    delete='delete_snapshot',
    set_metadata='set_snapshot_metadata',
    delete_metadata='delete_snapshot_metadata',
    reset_status='reset_snapshot_status',
    reset_statuses=states.SNAPSHOT.reset_to,
    get_metadata_rule='volume:get_snapshot_metadata',
    update_metadata_rule='volume:update_snapshot_metadata',
    delete_metadata_rule='volume:delete_snapshot_metadata',
    reset_status_rule='volume_extension:snapshot_admin_actions:reset_status',
    force_delete_rule='volume_extension:snapshot_admin_actions:force_delete',
    not_found_class=exception.SnapshotNotFound,
    id_field='snapshot_id',
)
