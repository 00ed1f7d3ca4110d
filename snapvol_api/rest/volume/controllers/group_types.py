"""/v3/{project_id}/group_types (3.11, which ``root`` checks): read-only.

snapvol declares its group types in code (one: ``consistent``), so there
is nothing to create, change or delete: an administrator asking to is told
so with a 405, anyone else gets the 403 Cinder's admin-only rule gives.
"""

import pecan
import webob.exc

from snapvol_api.rest import controller
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import current

READ_ONLY = ('snapvol has built-in group types only; they cannot be '
             'created, changed or deleted.')


def _view(group_type):
    return views.group_type(group_type, show_specs=current.allowed(
        'group:access_group_types_specs'))


def _read_only():
    current.authorize('group:group_types_manage')
    raise webob.exc.HTTPMethodNotAllowed(detail=READ_ONLY,
                                         headers=[('Allow', 'GET')])


class GroupTypesController(controller.Controller):

    @pecan.expose('json')
    def get_all(self):
        # cinderclient sends is_public (even "None"); every type is public.
        return {'group_types': [
            _view(t) for t in current.call('list_group_types')
            if t['is_public'] or current.context().is_admin]}

    @pecan.expose('json')
    def get_one(self, group_type_id):
        """By id (or name), or "default" for the default type."""
        return {'group_type': _view(
            current.call('get_group_type', group_type_id))}

    @pecan.expose('json')
    def post(self):
        _read_only()

    @pecan.expose('json')
    def put(self, group_type_id):
        _read_only()

    @pecan.expose('json')
    def delete(self, group_type_id):
        _read_only()
