"""URLs in responses, built like Cinder's."""

import urllib.parse

from snapvol_api.conf import CONF


class Links:
    """Links of the resources of ``project_id``, as seen by ``request``."""

    def __init__(self, request, project_id=None):
        base = CONF.volume_api.public_endpoint or request.application_url
        self.base = base.rstrip('/')
        self.project_id = project_id
        self._request = request

    def version(self):
        return self.base + '/v3/'

    def resource(self, collection, resource_id):
        path = '%s/%s/%s' % (self.project_id, collection, resource_id)
        return [{'rel': 'self', 'href': '%s/v3/%s' % (self.base, path)},
                {'rel': 'bookmark', 'href': '%s/%s' % (self.base, path)}]

    def next_page(self, collection_path, marker):
        """The same list request, continued after ``marker``."""
        params = [(k, v) for k, v in self._request.GET.items()
                  if k != 'marker']
        params.append(('marker', marker))
        return '%s/v3/%s/%s?%s' % (self.base, self.project_id,
                                   collection_path,
                                   urllib.parse.urlencode(params))
