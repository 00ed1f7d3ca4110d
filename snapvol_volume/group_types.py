"""The group types (Cinder microversion 3.11), declared here: there is one,
``consistent``, and no table.

Each is returned as a new plain dict in Cinder's shape of a group type:
``id``, ``name``, ``description``, ``is_public``, ``group_specs``; callers
may change their copy freely.
"""

from snapvol_api import exception
from snapvol_volume import type_catalog

CONSISTENT_ID = '0b6f8e2c-6a4d-4c55-9d8e-1f5a2d3c4b70'

CONSISTENT = {
    'id': CONSISTENT_ID,
    'name': 'consistent',
    'description': ('Group snapshots are taken in one atomic transaction '
                    'per instance: the attached volumes of each instance '
                    'are snapshotted at the same point in time.'),
    'is_public': True,
    'group_specs': {'consistent_group_snapshot_enabled': '<is> True'},
}

CATALOG = type_catalog.Catalog(
    (CONSISTENT,), lambda ref: exception.GroupTypeNotFound(group_type_id=ref))
get = CATALOG.get
get_all = CATALOG.get_all
default = CATALOG.default
