"""/v3/{project_id}/os-services: the processes of the volume service and
their heartbeats (administrators), in Cinder's shape; ``host`` and
``binary`` filter it."""

import pecan

from snapvol_api.rest import controller
from snapvol_api.rest.volume import versions
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import current

FILTERS = ('host', 'binary')


class ServicesController(controller.Controller):

    @pecan.expose('json')
    def get_all(self):
        current.authorize('volume_extension:services:index')
        params = pecan.request.GET
        filters = {k: params[k] for k in FILTERS if k in params}
        return {'services': [
            views.service(
                s, show_cluster=current.version_at_least(
                    versions.SERVICE_CLUSTER),
                show_backend_state=current.version_at_least(
                    versions.BACKEND_STATE))
            for s in current.call('list_services', filters)]}
