"""/v3/{project_id}/volumes."""

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest.volume import schemas
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import current
from snapvol_api.rest.volume.controllers import listing
from snapvol_api.rest.volume.controllers.actions import ActionController
from snapvol_api.rest.volume.controllers.metadata import MetadataController
from snapvol_api.rest.volume.controllers.resources import VOLUME

FILTERS = ('name', 'status')

# Cinder create fields snapvol has no feature for: refused when set, so
# nobody believes they got, say, a clone.
UNSUPPORTED_CREATE_FIELDS = ('source_volid', 'imageRef', 'image_id',
                             'backup_id', 'consistencygroup_id', 'group_id',
                             'source_replica')


def detail_view(volume):
    target = {'project_id': volume['project_id']}
    return views.volume_detail(
        volume, current.links(),
        show_tenant=current.allowed(
            'volume_extension:volume_tenant_attribute', target),
        show_host=current.allowed(
            'volume_extension:volume_host_attribute', target),
        show_migration=current.allowed(
            'volume_extension:volume_mig_status_attribute', target))


def _refuse_unsupported(fields):
    for key in UNSUPPORTED_CREATE_FIELDS:
        if fields.get(key) is not None:
            raise exception.Invalid('%s is not supported by this volume '
                                    'service.' % key)
    if schemas.to_bool(fields.get('multiattach', False)):
        raise exception.Invalid('multiattach volumes are not supported by '
                                'this volume service.')


class VolumesController(controller.Controller):

    _custom_actions = {'detail': ['GET']}

    metadata = MetadataController(VOLUME)
    action = ActionController(VOLUME)

    def _list(self, collection_path, view):
        current.authorize('volume:get_all')
        query = listing.parse(pecan.request.GET, FILTERS,
                              'volume:get_all_projects')
        volumes = current.call('list_volumes', **query.rpc_kwargs())
        return views.collection(
            'volumes', [view(v) for v in volumes],
            listing.next_page_href(volumes, query, collection_path))

    @pecan.expose('json')
    def get_all(self):
        links = current.links()
        return self._list('volumes',
                          lambda v: views.volume_summary(v, links))

    @pecan.expose('json')
    def detail(self):
        return self._list('volumes/detail', detail_view)

    @pecan.expose('json')
    def get_one(self, volume_id):
        volume_id = current.canonical_id(volume_id, VOLUME.not_found)
        current.authorize('volume:get')
        return {'volume': detail_view(current.call('get_volume', volume_id))}

    @pecan.expose('json')
    def post(self):
        current.authorize('volume:create')
        current.require_own_project()
        fields = schemas.parse(pecan.request, schemas.volume_create)['volume']
        _refuse_unsupported(fields)
        snapshot_id = fields.get('snapshot_id')
        volume = current.call(
            'create_volume', schemas.to_size(fields['size']),
            metadata=fields.get('metadata') or {},
            snapshot_id=snapshot_id and snapshot_id.lower(),
            **schemas.name_and_description(fields))
        current.set_status(202)
        return {'volume': detail_view(volume)}

    @pecan.expose('json')
    def put(self, volume_id):
        volume_id = current.canonical_id(volume_id, VOLUME.not_found)
        current.authorize('volume:update')
        fields = schemas.parse(pecan.request, schemas.volume_update)['volume']
        values = schemas.name_and_description(fields)
        if 'metadata' in fields:
            values['metadata'] = fields['metadata'] or {}
        volume = current.call('update_volume', volume_id, values)
        return {'volume': detail_view(volume)}

    @pecan.expose('json')
    def delete(self, volume_id):
        volume_id = current.canonical_id(volume_id, VOLUME.not_found)
        current.authorize('volume:delete')
        current.call('delete_volume', volume_id)
        return current.empty_response(202)
