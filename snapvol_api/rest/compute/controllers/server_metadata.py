"""/v2.1/servers/{server_id}/metadata[/{key}], Nova-style."""

import pecan
import webob.exc

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest.compute import schemas
from snapvol_api.rest.compute import views
from snapvol_api.rest.compute.controllers import current

_RULE = 'os_compute_api:server-metadata:%s'


def _set(server_id, metadata, replace):
    """The whole metadata after the change."""
    instance = current.instance(server_id)
    return current.call('set_instance_metadata', current.live_host(instance),
                        instance['id'], metadata, replace=replace)


class ServerMetadataController(controller.Controller):

    @pecan.expose('json')
    def get_all(self, server_id):
        current.authorize(_RULE % 'index')
        return views.metadata(current.instance(server_id)['metadata'])

    @pecan.expose('json')
    def get_one(self, server_id, key):
        current.authorize(_RULE % 'show')
        metadata = current.instance(server_id)['metadata']
        if key not in metadata:
            raise exception.MetadataKeyNotFound(key=key)
        return views.meta_item(key, metadata[key])

    @pecan.expose('json')
    def post(self, server_id):
        """Merges the given items into the metadata."""
        current.authorize(_RULE % 'create')
        body = schemas.parse(pecan.request, schemas.metadata_set)
        return views.metadata(_set(server_id, body['metadata'],
                                   replace=False))

    @pecan.expose('json')
    def put(self, server_id, *key):
        """Without a key: replaces all metadata; with one: sets that item."""
        if not key:
            current.authorize(_RULE % 'update_all')
            body = schemas.parse(pecan.request, schemas.metadata_set)
            return views.metadata(_set(server_id, body['metadata'],
                                       replace=True))
        if len(key) > 1:
            raise webob.exc.HTTPNotFound()
        current.authorize(_RULE % 'update')
        body = schemas.parse(pecan.request, schemas.meta_item)
        if key[0] not in body['meta']:
            raise exception.Invalid('Request body and URI mismatch')
        metadata = _set(server_id, body['meta'], replace=False)
        return views.meta_item(key[0], metadata[key[0]])

    @pecan.expose('json')
    def delete(self, server_id, key):
        current.authorize(_RULE % 'delete')
        instance = current.instance(server_id)
        current.call('delete_instance_metadata',
                     current.live_host(instance), instance['id'], key)
        return current.empty_response(204)
