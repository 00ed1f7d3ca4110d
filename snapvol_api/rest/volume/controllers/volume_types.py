"""/v3/{project_id}/types: read-only (``builtin_types``); the one type is
Cinder's ``__DEFAULT__``."""

from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import builtin_types
from snapvol_api.rest.volume.controllers import current


class VolumeTypesController(builtin_types.BuiltInTypesController):

    collection_key, member_key = 'volume_types', 'volume_type'
    list_call, get_call = 'list_volume_types', 'get_volume_type'
    manage_rule = 'volume_extension:types_manage'
    read_only = ('snapvol has one built-in volume type, __DEFAULT__; volume '
                 'types cannot be created, changed or deleted.')

    def view(self, volume_type):
        return views.volume_type(
            volume_type,
            show_specs=current.allowed(
                'volume_extension:access_types_extra_specs'),
            show_qos=current.allowed(
                'volume_extension:access_types_qos_specs_id'))
