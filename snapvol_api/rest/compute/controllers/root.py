"""Routing from the URL root: / and /v2.1/ (the version documents, public)
and /v2.1/{servers|flavors|images|os-assisted-volume-snapshots|limits|
os-services}/...

Routing is explicit here: pecan's default object traversal would follow
any attribute a URL names (/__class__, /v2.1/_lookup).
"""

import pecan
from pecan import routing
import webob.exc

from snapvol_api.rest.compute import versions
from snapvol_api.rest.compute import views
from snapvol_api.rest.compute.controllers import current
from snapvol_api.rest.compute.controllers.assisted_snapshots import (
    AssistedSnapshotsController,
)
from snapvol_api.rest.compute.controllers.flavors import FlavorsController
from snapvol_api.rest.compute.controllers.images import ImagesController
from snapvol_api.rest.compute.controllers.limits import LimitsController
from snapvol_api.rest.compute.controllers.servers import ServersController
from snapvol_api.rest.compute.controllers.services import ServicesController
from snapvol_api.rest.openapi import compute as compute_openapi

_VERSION = versions.PREFIX.strip('/')
# Reachable without credentials, as in Nova: clients discover versions
# before they authenticate.
PUBLIC_PATHS = ('/', versions.PREFIX, versions.PREFIX + '/',
                '/openapi.json')

COLLECTIONS = {
    'servers': ServersController(),
    'flavors': FlavorsController(),
    'images': ImagesController(),
    'os-assisted-volume-snapshots': AssistedSnapshotsController(),
    'limits': LimitsController(),
    'os-services': ServicesController(),
}


def _get_only():
    raise webob.exc.HTTPMethodNotAllowed(headers=[('Allow', 'GET')])


class RootController:

    @pecan.expose()
    def _route(self, args, request):
        segments = list(args)
        if segments in ([], ['']):
            return self.versions, []
        if segments == ['openapi.json']:
            return self.openapi, []
        if segments[0] == _VERSION:
            if segments[1:] in ([], ['']):
                return self.version, []
            if segments[1] in COLLECTIONS:
                current.require_authenticated()
                return routing.lookup_controller(
                    COLLECTIONS[segments[1]], segments[2:], request)
        raise webob.exc.HTTPNotFound()

    @pecan.expose(generic=True, template='json')
    def versions(self):
        _get_only()

    @versions.when(method='GET', template='json')
    def versions_get(self):
        # Nova answers 200 here (Cinder 300).
        return views.version_list(current.links())

    @pecan.expose(generic=True, template='json')
    def version(self):
        _get_only()

    @version.when(method='GET', template='json')
    def version_get(self):
        return views.version(current.links())

    @pecan.expose(generic=True, template='json')
    def openapi(self):
        _get_only()

    @openapi.when(method='GET', template='json')
    def openapi_get(self):
        return compute_openapi.served(current.links().base)
