"""The group types (Cinder microversion 3.11), declared here: there is one,
``consistent``, and no table.

Each is returned as a new plain dict in Cinder's shape of a group type:
``id``, ``name``, ``description``, ``is_public``, ``group_specs``; callers
may change their copy freely.
"""

import copy

from snapvol_api import exception

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

_ALL = (CONSISTENT,)


def get(group_type_id_or_name):
    """The group type with this id or name; else GroupTypeNotFound."""
    for group_type in _ALL:
        if group_type_id_or_name in (group_type['id'], group_type['name']):
            return copy.deepcopy(group_type)
    raise exception.GroupTypeNotFound(group_type_id=group_type_id_or_name)


def get_all():
    """Every group type, the default first."""
    return [copy.deepcopy(group_type) for group_type in _ALL]


def default():
    """The group type of a group created without one: ``consistent``."""
    return copy.deepcopy(CONSISTENT)
