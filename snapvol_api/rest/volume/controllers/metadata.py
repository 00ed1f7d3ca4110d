"""/{volumes|snapshots}/{id}/metadata[/{key}], Cinder-style.

From 3.15 a volume's metadata carries an ETag, and a PUT of all of it
with If-Match is refused (412) when the metadata changed since: the lost
update of two clients editing at once.
"""

import hashlib
import json

import pecan
import webob.exc

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest.volume import schemas
from snapvol_api.rest.volume import versions
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import current


class MetadataController(controller.Controller):

    def __init__(self, resource):
        self._resource = resource

    def _id(self, parent_id):
        return current.canonical_id(parent_id, self._resource.not_found)

    def _metadata(self, parent_id):
        current.authorize(self._resource.get_metadata_rule)
        return current.call(self._resource.get, self._id(parent_id))[
            'metadata']

    def _set(self, parent_id, metadata, replace):
        current.authorize(self._resource.update_metadata_rule)
        return current.call(self._resource.set_metadata,
                            self._id(parent_id), metadata, replace=replace)

    def _etags(self):
        return (self._resource.kind == 'volume' and
                current.version_at_least(versions.METADATA_ETAG))

    @pecan.expose('json')
    def get_all(self, parent_id):
        body = views.metadata(self._metadata(parent_id))
        if self._etags():
            pecan.response.headers['ETag'] = '"%s"' % _etag(body)
        return body

    @pecan.expose('json')
    def get_one(self, parent_id, key):
        metadata = self._metadata(parent_id)
        if key not in metadata:
            raise exception.MetadataKeyNotFound(key=key)
        return views.meta_item(key, metadata[key])

    @pecan.expose('json')
    def post(self, parent_id):
        """Merges the given items into the metadata."""
        body = schemas.parse(pecan.request, schemas.metadata_set)
        return views.metadata(
            self._set(parent_id, body['metadata'], replace=False))

    @pecan.expose('json')
    def put(self, parent_id, *key):
        """Without a key: replaces all metadata; with one: sets that item."""
        if not key:
            body = schemas.parse(pecan.request, schemas.metadata_set)
            if self._etags() and pecan.request.if_match:
                now = _etag(views.metadata(self._metadata(parent_id)))
                if now not in pecan.request.if_match:
                    raise webob.exc.HTTPPreconditionFailed(
                        detail='The metadata changed since it was read.')
            return views.metadata(
                self._set(parent_id, body['metadata'], replace=True))
        if len(key) > 1:
            raise webob.exc.HTTPNotFound()
        body = schemas.parse(pecan.request, schemas.meta_item)
        if key[0] not in body['meta']:
            raise exception.Invalid('Request body and URI mismatch.')
        metadata = self._set(parent_id, body['meta'], replace=False)
        return views.meta_item(key[0], metadata[key[0]])

    @pecan.expose('json')
    def delete(self, parent_id, key):
        current.authorize(self._resource.delete_metadata_rule)
        current.call(self._resource.delete_metadata, self._id(parent_id),
                     key)
        return current.empty_response(200)


def _etag(body):
    """The same for the same metadata, whatever the order of its keys."""
    text = json.dumps(body, sort_keys=True).encode()
    return hashlib.md5(text, usedforsecurity=False).hexdigest()
