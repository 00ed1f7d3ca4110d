"""/v3/{project_id}/types/{type_id}/extra_specs[/{key}]: Cinder's extra
specs of a volume type. Administrators set and delete them; anyone who
may use the type reads them, but only the few Cinder shows users unless
``volume_extension:types_extra_specs:read_sensitive`` allows all (the
share choice is the operators' business)."""

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest.volume import schemas
from snapvol_api.rest.volume.controllers import current

# Cinder's USER_VISIBLE_EXTRA_SPECS.
USER_VISIBLE = ('multiattach', 'replication_enabled',
                'RESKEY:availability_zones')
READ_SENSITIVE_RULE = 'volume_extension:types_extra_specs:read_sensitive'


def visible(extra_specs):
    """The extra specs the caller may see (and filter types on)."""
    if current.allowed(READ_SENSITIVE_RULE):
        return dict(extra_specs)
    return {k: v for k, v in extra_specs.items() if k in USER_VISIBLE}


class ExtraSpecsController(controller.Controller):

    def _specs(self, type_id):
        return visible(current.call('get_volume_type',
                                    type_id)['extra_specs'])

    @pecan.expose('json')
    def get_all(self, type_id):
        current.authorize('volume_extension:types_extra_specs:index')
        return {'extra_specs': self._specs(type_id)}

    @pecan.expose('json')
    def get_one(self, type_id, key):
        current.authorize('volume_extension:types_extra_specs:show')
        specs = self._specs(type_id)
        if key not in specs:
            raise exception.VolumeTypeExtraSpecsNotFound(
                volume_type_id=type_id, extra_specs_key=key)
        return {key: specs[key]}

    @pecan.expose('json')
    def post(self, type_id):
        """Adds or changes the given extra specs; answers with them."""
        current.authorize('volume_extension:types_extra_specs:create')
        specs = schemas.parse(pecan.request,
                              schemas.extra_specs_set)['extra_specs']
        current.call('set_volume_type_extra_specs', type_id, specs)
        return {'extra_specs': specs}

    @pecan.expose('json')
    def put(self, type_id, key):
        current.authorize('volume_extension:types_extra_specs:update')
        body = schemas.parse(pecan.request, schemas.extra_spec_item)
        if key not in body:
            raise exception.Invalid('Request body and URI mismatch')
        current.call('set_volume_type_extra_specs', type_id, body)
        return body

    @pecan.expose('json')
    def delete(self, type_id, key):
        current.authorize('volume_extension:types_extra_specs:delete')
        current.call('delete_volume_type_extra_spec', type_id, key)
        return current.empty_response(202)
