"""Cinder's os-volume-type-access: an administrator shares a private
volume type with projects (POST /types/{id}/action addProjectAccess,
removeProjectAccess) and lists them (GET
/types/{id}/os-volume-type-access); a project it is shared with sees and
uses the type as a public one."""

import pecan
import webob.exc

from snapvol_api.rest import controller
from snapvol_api.rest.volume import schemas
from snapvol_api.rest.volume.controllers import current

RULE = 'volume_extension:volume_type_access'


class TypeAccessController(controller.Controller):

    @pecan.expose('json')
    def get_all(self, type_id):
        current.authorize(RULE)
        if current.call('get_volume_type', type_id)['is_public']:
            raise webob.exc.HTTPNotFound(
                detail='Access list not available for public volume types.')
        return {'volume_type_access': current.call(
            'list_volume_type_access', type_id)}


class TypeActionController(controller.Controller):

    _actions = {'addProjectAccess': 'add_volume_type_access',
              'removeProjectAccess': 'remove_volume_type_access'}

    @pecan.expose('json')
    def post(self, type_id):
        body = schemas.parse(pecan.request, schemas.type_access_action)
        (action, args), = body.items()
        current.authorize('%s:%s' % (RULE, action))
        current.call(self._actions[action], type_id, args['project'])
        return current.empty_response(202)
