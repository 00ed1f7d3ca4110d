"""/v3/{project_id}/default-types[/{target project}] (3.62, which
``root`` checks): a project's own default volume type, Cinder's API for
administrators. A volume created without a type gets its project's
default, else ``__DEFAULT__``."""

import pecan

from snapvol_api.rest import controller
from snapvol_api.rest.volume import schemas
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import current


class DefaultTypesController(controller.Controller):

    @pecan.expose('json')
    def get_all(self):
        current.authorize('volume_extension:default_get_all')
        return {'default_types': [
            views.default_type(d) for d in current.call(
                'list_default_types')]}

    @pecan.expose('json')
    def get_one(self, project_id):
        current.authorize('volume_extension:default_get',
                          {'project_id': project_id})
        return {'default_type': views.default_type(
            current.call('get_default_type', project_id))}

    @pecan.expose('json')
    def put(self, project_id):
        """Sets or changes it: ``volume_type`` is a name or id."""
        current.authorize('volume_extension:default_set_or_update',
                          {'project_id': project_id})
        fields = schemas.parse(pecan.request,
                               schemas.default_type_set)['default_type']
        return {'default_type': views.default_type(current.call(
            'set_default_type', project_id, fields['volume_type']))}

    @pecan.expose('json')
    def delete(self, project_id):
        current.authorize('volume_extension:default_unset',
                          {'project_id': project_id})
        current.call('unset_default_type', project_id)
        return current.empty_response(204)
