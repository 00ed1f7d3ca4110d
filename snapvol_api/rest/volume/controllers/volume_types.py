"""/v3/{project_id}/types: read-only.

snapvol declares its volume types in code (one: Cinder's ``__DEFAULT__``),
so there is nothing to create, change or delete: an administrator asking
to is told so with a 405, anyone else gets the 403 Cinder's admin-only
rule gives.
"""

import pecan
import webob.exc

from snapvol_api.rest import controller
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import current

READ_ONLY = ('snapvol has one built-in volume type, __DEFAULT__; volume '
             'types cannot be created, changed or deleted.')


def _view(volume_type):
    return views.volume_type(
        volume_type,
        show_specs=current.allowed('volume_extension:access_types_extra_specs'),
        show_qos=current.allowed('volume_extension:access_types_qos_specs_id'))


def _read_only():
    current.authorize('volume_extension:types_manage')
    raise webob.exc.HTTPMethodNotAllowed(detail=READ_ONLY,
                                         headers=[('Allow', 'GET')])


class VolumeTypesController(controller.Controller):

    @pecan.expose('json')
    def get_all(self):
        # Clients send is_public (openstackclient "None"); every type is.
        return {'volume_types': [
            _view(t) for t in current.call('list_volume_types')
            if t['is_public'] or current.context().is_admin]}

    @pecan.expose('json')
    def get_one(self, volume_type_id):
        """By id (or name), or "default" for the default type."""
        return {'volume_type': _view(
            current.call('get_volume_type', volume_type_id))}

    @pecan.expose('json')
    def post(self):
        _read_only()

    @pecan.expose('json')
    def put(self, volume_type_id):
        _read_only()

    @pecan.expose('json')
    def delete(self, volume_type_id):
        _read_only()
