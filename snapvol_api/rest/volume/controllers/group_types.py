"""/v3/{project_id}/group_types (3.11, which ``root`` checks): read-only
(``builtin_types``); the one type is ``consistent``."""

from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import builtin_types
from snapvol_api.rest.volume.controllers import current


class GroupTypesController(builtin_types.BuiltInTypesController):

    collection_key, member_key = 'group_types', 'group_type'
    list_call, get_call = 'list_group_types', 'get_group_type'
    manage_rule = 'group:group_types_manage'
    read_only = ('snapvol has built-in group types only; they cannot be '
                 'created, changed or deleted.')

    def view(self, group_type):
        return views.group_type(group_type, show_specs=current.allowed(
            'group:access_group_types_specs'))
