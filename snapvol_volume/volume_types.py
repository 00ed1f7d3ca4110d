"""The volume types, declared here: there is one, Cinder's default type
``__DEFAULT__``, every volume's, and no table (admin-managed types, with
extra specs naming a share backend, would need one).

Each is returned as a new plain dict in Cinder's shape of a volume type:
``id``, ``name``, ``description``, ``is_public``, ``extra_specs``,
``qos_specs_id``; callers may change their copy freely.
"""

from snapvol_api import exception
from snapvol_volume import type_catalog

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

CATALOG = type_catalog.Catalog(
    (DEFAULT,), lambda ref: exception.VolumeTypeNotFound(volume_type=ref))
get = CATALOG.get
get_all = CATALOG.get_all
default = CATALOG.default
