"""/v2.1/flavors: the built-in flavors."""

import pecan

from snapvol_api.rest import controller
from snapvol_api.rest.compute import flavors
from snapvol_api.rest.compute import listing
from snapvol_api.rest.compute import views
from snapvol_api.rest.compute.controllers import current

RULE = 'os_compute_api:flavors'


class FlavorsController(controller.Controller):

    _custom_actions = {'detail': ['GET']}

    def _list(self, collection_path, view):
        current.authorize(RULE)
        links = current.links()
        selected, page = listing.flavors(pecan.request.GET)
        marker = listing.next_marker(selected, page, lambda f: f.id)
        return views.collection(
            'flavors', [view(f, links) for f in selected],
            marker and links.next_page(collection_path, marker))

    @pecan.expose('json')
    def get_all(self):
        return self._list('flavors', views.flavor_summary)

    @pecan.expose('json')
    def detail(self):
        return self._list('flavors/detail', views.flavor_detail)

    @pecan.expose('json')
    def get_one(self, flavor_id):
        current.authorize(RULE)
        return {'flavor': views.flavor_detail(flavors.get(flavor_id),
                                              current.links())}
