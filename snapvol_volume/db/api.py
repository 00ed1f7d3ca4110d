"""The only door to the volume database: its functions, whose homes are
``volumes`` (volumes, their files and snapshots), ``groups`` (groups and
group snapshots), ``backups`` (backups, and the reads of volumes'
data), ``messages``, ``quotas``, ``reports`` (the compute
service's reports waited for), ``requests`` (the ledger of write
requests: ``requests.Request`` and ``requests.Known`` are its types),
``services`` (heartbeats), ``transfers``,
``volume_types`` (with their extra specs and the projects' default types)
and ``common`` (the session and the generic steps).

Functions take and return plain values or detached model objects; nothing
outside ``snapvol_volume.db`` imports SQLAlchemy. Lookups that find nothing
raise ``snapvol_api.exception`` NotFound classes. A status changes only
through a transition function: one compare-and-swap that
``snapvol_api.states`` allows, refused when the row is not in a status it
may leave for the target (someone else changed it meanwhile):

- ``volume_transition``: by ``states.VOLUME``, else InvalidVolumeStatus
  (and ``volume_attach``/``volume_detach``, between available and in-use
  with the attachment);
- ``snapshot_transition``: ``states.SNAPSHOT``, InvalidSnapshotStatus;
- ``group_transition``: ``states.GROUP``, InvalidGroupStatus;
- ``group_snapshot_transition``: ``states.GROUP_SNAPSHOT``,
  InvalidGroupSnapshotStatus;
- ``backup_transition``: ``states.BACKUP``, InvalidBackupStatus (and
  ``backups``' steps of a backup's work, each one transaction with the
  status of the volume or snapshot it reads or writes).

A row that is not there (or was deleted) is the NotFound of its kind
instead. Rows are created only in their machine's initial status
(``values['status']``; anything else is a ValueError), and the
``*_update`` functions change no status, owner or group membership
(ValueError).
"""

from snapvol_volume.db.backups import BACKUP_SORT_KEYS  # noqa: F401
from snapvol_volume.db.backups import backup_begin_delete  # noqa: F401
from snapvol_volume.db.backups import backup_begin_restore  # noqa: F401
from snapvol_volume.db.backups import backup_claim  # noqa: F401
from snapvol_volume.db.backups import backup_create  # noqa: F401
from snapvol_volume.db.backups import backup_finish  # noqa: F401
from snapvol_volume.db.backups import backup_get  # noqa: F401
from snapvol_volume.db.backups import backup_get_all  # noqa: F401
from snapvol_volume.db.backups import backup_get_all_in  # noqa: F401
from snapvol_volume.db.backups import backup_transition  # noqa: F401
from snapvol_volume.db.backups import backup_update  # noqa: F401
from snapvol_volume.db.backups import read_begin  # noqa: F401
from snapvol_volume.db.backups import read_end  # noqa: F401
from snapvol_volume.db.backups import reads_in_flight  # noqa: F401
from snapvol_volume.db.backups import restore_finish  # noqa: F401
from snapvol_volume.db.backups import restore_volume_begin  # noqa: F401
from snapvol_volume.db.backups import snapshot_refuse_if_read  # noqa
from snapvol_volume.db.common import dispose  # noqa: F401
from snapvol_volume.db.common import session  # noqa: F401
from snapvol_volume.db.groups import GROUP_SNAPSHOT_SORT_KEYS  # noqa: F401
from snapvol_volume.db.groups import GROUP_SORT_KEYS  # noqa: F401
from snapvol_volume.db.groups import group_add_volumes  # noqa: F401
from snapvol_volume.db.groups import group_claim  # noqa: F401
from snapvol_volume.db.groups import group_create  # noqa: F401
from snapvol_volume.db.groups import group_get  # noqa: F401
from snapvol_volume.db.groups import group_get_all  # noqa: F401
from snapvol_volume.db.groups import group_remove_volumes  # noqa: F401
from snapvol_volume.db.groups import group_snapshot_claim  # noqa: F401
from snapvol_volume.db.groups import group_snapshot_create  # noqa: F401
from snapvol_volume.db.groups import group_snapshot_get  # noqa: F401
from snapvol_volume.db.groups import group_snapshot_get_all  # noqa: F401
from snapvol_volume.db.groups import group_snapshot_transition  # noqa: F401
from snapvol_volume.db.groups import group_snapshot_update  # noqa: F401
from snapvol_volume.db.groups import group_transition  # noqa: F401
from snapvol_volume.db.groups import group_update  # noqa: F401
from snapvol_volume.db.messages import message_create  # noqa: F401
from snapvol_volume.db.messages import message_delete  # noqa: F401
from snapvol_volume.db.messages import message_get  # noqa: F401
from snapvol_volume.db.messages import message_get_all  # noqa: F401
from snapvol_volume.db.quotas import RESOURCES as QUOTA_RESOURCES  # noqa
from snapvol_volume.db.quotas import quota_destroy_all  # noqa: F401
from snapvol_volume.db.quotas import quota_get_all  # noqa: F401
from snapvol_volume.db.quotas import quota_set  # noqa: F401
from snapvol_volume.db.quotas import usage_get as quota_usage_get  # noqa
from snapvol_volume.db.reports import report_deliver  # noqa: F401
from snapvol_volume.db.reports import report_expect  # noqa: F401
from snapvol_volume.db.reports import report_forget  # noqa: F401
from snapvol_volume.db.reports import report_get  # noqa: F401
from snapvol_volume.db.reports import report_purge  # noqa: F401
from snapvol_volume.db.requests import request_abandon  # noqa: F401
from snapvol_volume.db.requests import request_get  # noqa: F401
from snapvol_volume.db.requests import request_purge  # noqa: F401
from snapvol_volume.db.services import service_get  # noqa: F401
from snapvol_volume.db.services import service_get_all  # noqa: F401
from snapvol_volume.db.services import service_heartbeat  # noqa: F401
from snapvol_volume.db.services import service_is_up  # noqa: F401
from snapvol_volume.db.services import service_live_runs  # noqa: F401
from snapvol_volume.db.transfers import transfer_accept  # noqa: F401
from snapvol_volume.db.transfers import transfer_create  # noqa: F401
from snapvol_volume.db.transfers import transfer_delete  # noqa: F401
from snapvol_volume.db.transfers import transfer_get  # noqa: F401
from snapvol_volume.db.transfers import transfer_get_all  # noqa: F401
from snapvol_volume.db.volume_types import project_default_type_get  # noqa
from snapvol_volume.db.volume_types import project_default_type_get_all  # noqa
from snapvol_volume.db.volume_types import project_default_type_set  # noqa
from snapvol_volume.db.volume_types import project_default_type_unset  # noqa
from snapvol_volume.db.volume_types import volume_type_access_add  # noqa
from snapvol_volume.db.volume_types import volume_type_access_allowed  # noqa
from snapvol_volume.db.volume_types import volume_type_access_get_all  # noqa
from snapvol_volume.db.volume_types import volume_type_access_remove  # noqa
from snapvol_volume.db.volume_types import volume_type_create  # noqa: F401
from snapvol_volume.db.volume_types import volume_type_destroy  # noqa: F401
from snapvol_volume.db.volume_types import volume_type_extra_specs_delete  # noqa
from snapvol_volume.db.volume_types import volume_type_extra_specs_update  # noqa
from snapvol_volume.db.volume_types import volume_type_get  # noqa: F401
from snapvol_volume.db.volume_types import volume_type_get_all  # noqa: F401
from snapvol_volume.db.volume_types import volume_type_update  # noqa: F401
from snapvol_volume.db.volumes import SNAPSHOT_SORT_KEYS  # noqa: F401
from snapvol_volume.db.volumes import VOLUME_SORT_KEYS  # noqa: F401
from snapvol_volume.db.volumes import share_provisioned_gigabytes  # noqa
from snapvol_volume.db.volumes import snapshot_claim  # noqa: F401
from snapvol_volume.db.volumes import snapshot_create  # noqa: F401
from snapvol_volume.db.volumes import snapshot_get  # noqa: F401
from snapvol_volume.db.volumes import snapshot_get_all  # noqa: F401
from snapvol_volume.db.volumes import snapshot_get_all_for_volume  # noqa: F401
from snapvol_volume.db.volumes import snapshot_metadata_delete  # noqa: F401
from snapvol_volume.db.volumes import snapshot_metadata_set  # noqa: F401
from snapvol_volume.db.volumes import snapshot_transition  # noqa: F401
from snapvol_volume.db.volumes import snapshot_update  # noqa: F401
from snapvol_volume.db.volumes import volume_attach  # noqa: F401
from snapvol_volume.db.volumes import volume_begin_extend  # noqa: F401
from snapvol_volume.db.volumes import volume_begin_revert  # noqa: F401
from snapvol_volume.db.volumes import volume_claim  # noqa: F401
from snapvol_volume.db.volumes import volume_create  # noqa: F401
from snapvol_volume.db.volumes import volume_detach  # noqa: F401
from snapvol_volume.db.volumes import volume_file_delete  # noqa: F401
from snapvol_volume.db.volumes import volume_file_set  # noqa: F401
from snapvol_volume.db.volumes import volume_files  # noqa: F401
from snapvol_volume.db.volumes import volume_forget_attachments  # noqa: F401
from snapvol_volume.db.volumes import volume_get  # noqa: F401
from snapvol_volume.db.volumes import volume_get_all  # noqa: F401
from snapvol_volume.db.volumes import volume_get_all_by_manager  # noqa
from snapvol_volume.db.volumes import volume_metadata_delete  # noqa: F401
from snapvol_volume.db.volumes import volume_metadata_set  # noqa: F401
from snapvol_volume.db.volumes import volume_transition  # noqa: F401
from snapvol_volume.db.volumes import volume_update  # noqa: F401
