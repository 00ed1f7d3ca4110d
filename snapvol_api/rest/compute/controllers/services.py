"""/v2.1/os-services: the processes of the compute service and their
heartbeats (administrators), in Nova's shape; ``host`` and ``binary``
filter it."""

import pecan

from snapvol_api.rest import controller
from snapvol_api.rest.compute import views
from snapvol_api.rest.compute.controllers import current

FILTERS = ('host', 'binary')


class ServicesController(controller.Controller):

    @pecan.expose('json')
    def get_all(self):
        current.authorize('os_compute_api:os-services:list')
        params = pecan.request.GET
        filters = {k: params[k] for k in FILTERS if k in params}
        return {'services': [views.service(s) for s in
                             current.call('list_services', filters)]}
