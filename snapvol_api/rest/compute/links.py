"""URLs in responses, built like Nova's: a versioned "self" link and an
unversioned "bookmark"."""

import urllib.parse

from snapvol_api.rest.compute import versions


class Links:
    """Links as seen by ``request`` (the URL it came to)."""

    def __init__(self, request):
        self.base = request.application_url.rstrip('/')
        self._request = request

    def version(self):
        return '%s%s/' % (self.base, versions.PREFIX)

    def _self(self, path):
        return '%s%s/%s' % (self.base, versions.PREFIX, path)

    def resource(self, collection, resource_id):
        path = '%s/%s' % (collection, resource_id)
        return [{'rel': 'self', 'href': self._self(path)},
                {'rel': 'bookmark', 'href': '%s/%s' % (self.base, path)}]

    def bookmark(self, collection, resource_id):
        return [{'rel': 'bookmark', 'href': '%s/%s/%s' % (
            self.base, collection, resource_id)}]

    def next_page(self, collection_path, marker):
        """The same list request, continued after ``marker``."""
        params = [(k, v) for k, v in self._request.GET.items()
                  if k != 'marker']
        params.append(('marker', marker))
        return '%s?%s' % (self._self(collection_path),
                          urllib.parse.urlencode(params))
