"""The volume types, declared here: there is one, Cinder's default type
``__DEFAULT__``, every volume's, and no table (admin-managed types, with
extra specs naming a share backend, would need one).

Each is returned as a new plain dict in Cinder's shape of a volume type:
``id``, ``name``, ``description``, ``is_public``, ``extra_specs``,
``qos_specs_id``; callers may change their copy freely.
"""

import copy

from snapvol_api import exception

DEFAULT_ID = '5f2c1c6e-3b0e-4d7a-9a43-6c1f0d8e2b91'
DEFAULT_NAME = '__DEFAULT__'

DEFAULT = {
    'id': DEFAULT_ID,
    'name': DEFAULT_NAME,
    'description': 'Default Volume Type',
    'is_public': True,
    'extra_specs': {},
    'qos_specs_id': None,
}

_ALL = (DEFAULT,)


def get(volume_type_id_or_name):
    """The volume type with this id or name; else VolumeTypeNotFound."""
    for volume_type in _ALL:
        if volume_type_id_or_name in (volume_type['id'],
                                      volume_type['name']):
            return copy.deepcopy(volume_type)
    raise exception.VolumeTypeNotFound(volume_type=volume_type_id_or_name)


def get_all():
    return [copy.deepcopy(volume_type) for volume_type in _ALL]


def default():
    """The type of a volume created without one."""
    return copy.deepcopy(DEFAULT)
