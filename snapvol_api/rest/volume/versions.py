"""The microversions the volume API speaks."""

from snapvol_api.rest.microversion import Microversions
from snapvol_api.rest.microversion import Version

SERVICE_TYPE = 'volume'
PREFIX = '/v3'
MIN_VERSION = Version((3, 0))
# Raise with every microversion we add; clients negotiate against it.
# What each one changes here:
#   3.4   volume lists take the glance_metadata filter
#   3.10  volume lists take the group_id filter
#   3.11  /group_types
#   3.12  GET /volumes/summary
#   3.13  /groups; volume details show group_id
#   3.14  /group_snapshots, POST /groups/action create-from-src; snapshot
#         details show group_snapshot_id, snapshot lists take it as a
#         filter; group details show group_snapshot_id and source_group_id
MAX_VERSION = Version((3, 14))

GLANCE_METADATA_FILTER = Version((3, 4))
VOLUME_LIST_GROUP = Version((3, 10))
GROUP_TYPES = Version((3, 11))
VOLUME_SUMMARY = Version((3, 12))
GROUP_VOLUME = Version((3, 13))
GROUP_SNAPSHOTS = Version((3, 14))
UPDATED = '2025-01-01T00:00:00Z'

MICROVERSIONS = Microversions(SERVICE_TYPE, MIN_VERSION, MAX_VERSION)
