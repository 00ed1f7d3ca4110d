"""/v3/{project_id}/types: Cinder's volume types.

Anyone lists and shows the public ones (GET /types/default: the default
type of the caller's project); administrators see private ones too, and
create, change and delete types (``volume_extension:types_manage``),
their extra specs (``type_extra_specs``) and the projects a private type
is shared with (``type_access``). From 3.52 a list keeps the
types having the extra specs of ``?extra_specs={"key": "value"}``; before,
that filter is ignored, as Cinder ignores it.
"""

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest.volume import schemas
from snapvol_api.rest.volume import versions
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import current
from snapvol_api.rest.volume.controllers import listing
from snapvol_api.rest.volume.controllers import type_access
from snapvol_api.rest.volume.controllers import type_extra_specs

MANAGE_RULE = 'volume_extension:types_manage'


def _view(volume_type):
    return views.volume_type(
        volume_type,
        show_specs=current.allowed(
            'volume_extension:access_types_extra_specs'),
        show_qos=current.allowed(
            'volume_extension:access_types_qos_specs_id'))


def _is_public(value):
    """Cinder's reading of ?is_public: absent is True (the public types),
    "none" is None (all of them, for administrators)."""
    if value is None:
        return True
    if value.strip().lower() == 'none':
        return None
    try:
        return schemas.to_bool(value.strip())
    except ValueError:
        raise exception.Invalid('Invalid is_public filter [%s]'
                                % value[:64])


def _extra_specs_filter(params):
    if (not current.version_at_least(versions.TYPE_EXTRA_SPECS_FILTER)
            or 'extra_specs' not in params):
        return None
    return type_extra_specs.visible(
        listing.dict_filter(params['extra_specs'], 'extra_specs'))


def _name(value):
    if value is not None and not value.strip():
        raise exception.Invalid('Volume type name can not be empty.')
    return value


class VolumeTypesController(controller.Controller):

    extra_specs = type_extra_specs.ExtraSpecsController()
    action = type_access.TypeActionController()

    @pecan.expose('json')
    def get_all(self):
        params = pecan.request.GET
        types = current.call(
            'list_volume_types', is_public=_is_public(params.get(
                'is_public')), extra_specs=_extra_specs_filter(params))
        return {'volume_types': [_view(t) for t in types]}

    @pecan.expose('json')
    def get_one(self, type_id):
        """By id (or name), or "default"."""
        return {'volume_type': _view(current.call('get_volume_type',
                                                  type_id))}

    @pecan.expose('json')
    def post(self):
        current.authorize(MANAGE_RULE)
        fields = schemas.parse(pecan.request,
                               schemas.volume_type_create)['volume_type']
        is_public = fields.get('os-volume-type-access:is_public', True)
        volume_type = current.call(
            'create_volume_type', _name(fields['name']),
            description=fields.get('description'),
            is_public=schemas.to_bool(is_public),
            extra_specs=fields.get('extra_specs') or {})
        return {'volume_type': _view(volume_type)}

    @pecan.expose('json')
    def put(self, type_id):
        current.authorize(MANAGE_RULE)
        fields = schemas.parse(pecan.request,
                               schemas.volume_type_update)['volume_type']
        values = {'name': _name(fields.get('name')),
                  'description': fields.get('description')}
        if fields.get('is_public') is not None:
            values['is_public'] = schemas.to_bool(fields['is_public'])
        if all(v is None for v in values.values()):
            raise exception.Invalid(
                'Specify volume type name, description, is_public or a '
                'combination thereof.')
        return {'volume_type': _view(current.call(
            'update_volume_type', type_id, values))}

    @pecan.expose('json')
    def delete(self, type_id):
        current.authorize(MANAGE_RULE)
        current.call('delete_volume_type', type_id)
        return current.empty_response(202)


# Not a Python name, so set here rather than in the class body.
setattr(VolumeTypesController, 'os-volume-type-access',
        type_access.TypeAccessController())
