"""POST /{volumes|snapshots}/{id}/action: {"<action>": {...}}."""

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest import jsonbody
from snapvol_api.rest.volume import schemas
from snapvol_api.rest.volume.controllers import current


class ActionController(controller.Controller):
    """The actions of snapshots; ``VolumeActionController`` adds the
    volumes' own."""

    def __init__(self, resource):
        self._resource = resource
        self._actions = {'os-reset_status': self._reset_status}

    @pecan.expose('json')
    def post(self, parent_id):
        resource_id = current.canonical_id(parent_id,
                                           self._resource.not_found)
        body = schemas.parse(pecan.request, schemas.action)
        (action, args), = body.items()
        if action not in self._actions:
            raise exception.Invalid('There is no such action: %s.' % action)
        self._actions[action](resource_id, args)
        return current.empty_response(202)

    def _reset_status(self, resource_id, args):
        # Policy first: a caller who may not reset learns nothing more.
        current.authorize(self._resource.reset_status_rule)
        jsonbody.validate(schemas.reset_status, args)
        status = args['status'].lower()
        if status not in self._resource.reset_statuses:
            raise exception.Invalid(
                'Invalid status %s for a %s; expected one of: %s.'
                % (status, self._resource.kind,
                   ', '.join(self._resource.reset_statuses)))
        current.call(self._resource.reset_status, resource_id, status)


class VolumeActionController(ActionController):

    def __init__(self, resource):
        super().__init__(resource)
        self._actions['os-extend'] = self._extend

    def _extend(self, volume_id, args):
        current.authorize('volume:extend')
        jsonbody.validate(schemas.extend, args)
        current.call('extend_volume', volume_id,
                     schemas.to_size(args['new_size']))
