"""The microversions the volume API speaks, and what each one changes.

Cinder's microversions are cumulative: a client at 3.N gets every change
up to 3.N. ``MAX_VERSION`` is therefore raised only as far as every
version below it is honoured for the resources this service has. A
version that is about a resource snapvol does not have (clusters, pools,
the attachments API, manageable volumes, replication, log levels,
workers) changes nothing here: its URLs answer 404 at every version, as
they would in a Cinder without that feature enabled. Backups (/backups,
at every version, as in Cinder) are served by the posix driver; their
export_record and import_record are not.

    3.0   the v2 API
    3.1   os-volume_upload_image takes and shows ``visibility`` and
          ``protected`` (an image file has no use for them)
    3.2   the volume list's ``bootable`` filter is parsed strictly
    3.3   user messages: GET/DELETE /messages
    3.4   the volume list's ``glance_metadata`` filter
    3.5   /messages pages, sorts and filters
    3.6   consistency groups (not served)
    3.7   clusters (not served); os-services shows each service's
          ``cluster``
    3.8   manageable volumes (not served)
    3.9   PUT /backups/{id}: a backup's name and description
    3.10  the volume list's ``group_id`` filter
    3.11  /group_types
    3.12  GET /volumes/summary
    3.13  /groups; volume details show ``group_id``
    3.14  /group_snapshots, POST /groups/action create-from-src; snapshot
          details show ``group_snapshot_id`` and take it as a filter;
          group details show ``group_snapshot_id`` and ``source_group_id``
    3.15  volume metadata answers carry an ``ETag``; a PUT or POST with
          ``If-Match`` that no longer matches is 412
    3.16, 3.17  migration, manageable volumes (not served)
    3.18  backup details show os-backup-project-attr:project_id to
          administrators
    3.19  group snapshot ``reset_status`` action
    3.20  group ``reset_status`` action
    3.21  volume details show ``provider_id`` to administrators
    3.22  the snapshot list's ``metadata`` filter
    3.23  DELETE /volumes/{id}?force=true (os-force_delete's rule)
    3.24  workers cleanup (not served)
    3.25  group details show ``volumes``
    3.26  failover (not served)
    3.27, 3.28  the attachments API, pools (not served)
    3.29  group snapshot lists page, sort and filter
    3.30  snapshot lists sort by ``name``
    3.31  list filters are checked: an unknown one is 400
    3.32  log levels (not served)
    3.33  GET /resource_filters
    3.34  ``name~`` (and other ``~``) filters match a part ("like")
    3.35  pools (not served)
    3.36  GET /volumes/summary shows the volumes' ``metadata``
    3.37  backup lists sort by ``name``
    3.38  replication groups (not served)
    3.39  GET /limits?project_id= for administrators
    3.40  the volume action revert (to its latest snapshot)
    3.41  snapshot lists and details show ``user_id``
    3.42  os-extend of an attached volume: its guest sees the new size
    3.43  backups have ``metadata`` (create, update, details)
    3.44  attachment completion (not served)
    3.45  volume and snapshot lists give ``count`` with ``with_count=true``
    3.46, 3.47  volumes from Nova's 0-size images, from backups (not
          served: a backup is restored with POST /backups/{id}/restore)
    3.48  volume details show ``shared_targets`` and ``service_uuid``
    3.49  os-services shows the volume managers' ``backend_state``
    3.50  multiattach is understood (a multiattach volume is refused)
    3.51  a backup's create takes ``availability_zone`` (this service's
          only)
    3.52  GET /types filters on ``extra_specs``
    3.53  request bodies are checked strictly: an unknown field is 400
    3.54  attachment mode (not served)
    3.55  /volume-transfers, which may leave the snapshots behind
          (``no_snapshots``)
    3.56  backup details show ``user_id`` to administrators
    3.57  transfers show ``source_project_id``, ``destination_project_id``
          and ``accepted``
    3.58  groups and group snapshots show ``project_id``
    3.59  transfer lists page, sort and filter
    3.60  volume lists filter on ``created_at`` and ``updated_at`` with
          comparison operators (gt:, gte:, eq:, neq:, lt:, lte:)
    3.61  volume details show ``cluster_name`` to administrators
    3.62  /default-types: a project's own default volume type
    3.63  volume details show ``volume_type_id``
    3.64  volume details show ``encryption_key_id`` (none here)
    3.65  volume and snapshot details show ``consumes_quota``, and lists
          filter on it
    3.66  snapshots of in-use volumes need no ``force``; ``force: false``
          is refused
    3.67  URLs without a project id: /v3/volumes is /v3/{project}/volumes
    3.68  os-reimage (refused: snapvol has no image service)
    3.69  ``shared_targets`` may be null (here always false)
    3.70  transfers of encrypted volumes (there are none: nothing changes)
    3.71  os-extend_volume_completion: a compute service tells how the
          extend of an attached volume ended
"""

from snapvol_api.rest.microversion import Microversions
from snapvol_api.rest.microversion import Version

SERVICE_TYPE = 'volume'
PREFIX = '/v3'
MIN_VERSION = Version((3, 0))
MAX_VERSION = Version((3, 71))

IMAGE_UPLOAD_PARAMETERS = Version((3, 1))
BOOTABLE_FILTER = Version((3, 2))
MESSAGES = Version((3, 3))
GLANCE_METADATA_FILTER = Version((3, 4))
MESSAGES_PAGINATION = Version((3, 5))
SERVICE_CLUSTER = Version((3, 7))
VOLUME_LIST_GROUP = Version((3, 10))
GROUP_TYPES = Version((3, 11))
BACKUP_UPDATE = Version((3, 9))
VOLUME_SUMMARY = Version((3, 12))
GROUP_VOLUME = Version((3, 13))
GROUP_SNAPSHOTS = Version((3, 14))
METADATA_ETAG = Version((3, 15))
BACKUP_PROJECT = Version((3, 18))
GROUP_SNAPSHOT_RESET_STATUS = Version((3, 19))
GROUP_RESET_STATUS = Version((3, 20))
VOLUME_PROVIDER_ID = Version((3, 21))
SNAPSHOT_LIST_METADATA_FILTER = Version((3, 22))
VOLUME_DELETE_FORCE = Version((3, 23))
GROUP_VOLUME_LIST = Version((3, 25))
GROUP_SNAPSHOT_PAGINATION = Version((3, 29))
SNAPSHOT_SORT_NAME = Version((3, 30))
RESOURCE_FILTERS = Version((3, 31))
RESOURCE_FILTERS_API = Version((3, 33))
LIKE_FILTER = Version((3, 34))
VOLUME_SUMMARY_METADATA = Version((3, 36))
BACKUP_SORT_NAME = Version((3, 37))
LIMITS_ADMIN_FILTER = Version((3, 39))
VOLUME_REVERT = Version((3, 40))
SNAPSHOT_USER_ID = Version((3, 41))
VOLUME_EXTEND_INUSE = Version((3, 42))
BACKUP_METADATA = Version((3, 43))
COUNT = Version((3, 45))
SHARED_TARGETS = Version((3, 48))
BACKEND_STATE = Version((3, 49))
MULTIATTACH = Version((3, 50))
BACKUP_AZ = Version((3, 51))
TYPE_EXTRA_SPECS_FILTER = Version((3, 52))
STRICT_SCHEMAS = Version((3, 53))
TRANSFER_SNAPSHOTS = Version((3, 55))
BACKUP_PROJECT_USER_ID = Version((3, 56))
TRANSFER_DETAILS = Version((3, 57))
GROUP_PROJECT_ID = Version((3, 58))
TRANSFER_PAGINATION = Version((3, 59))
TIME_FILTERS = Version((3, 60))
CLUSTER_NAME = Version((3, 61))
DEFAULT_TYPES = Version((3, 62))
VOLUME_TYPE_ID = Version((3, 63))
ENCRYPTION_KEY_ID = Version((3, 64))
CONSUMES_QUOTA = Version((3, 65))
SNAPSHOT_IN_USE = Version((3, 66))
NO_PROJECT_ID = Version((3, 67))
REIMAGE = Version((3, 68))
SHARED_TARGETS_TRISTATE = Version((3, 69))
EXTEND_COMPLETION = Version((3, 71))
UPDATED = '2025-01-01T00:00:00Z'

MICROVERSIONS = Microversions(SERVICE_TYPE, MIN_VERSION, MAX_VERSION)
