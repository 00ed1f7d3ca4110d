"""GET /v3/{project_id}/resource_filters (3.33): the filters each list
takes, as this service reads them (``?resource=`` for one list)."""

import pecan

from snapvol_api.rest import controller
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import backups
from snapvol_api.rest.volume.controllers import current
from snapvol_api.rest.volume.controllers import group_snapshots
from snapvol_api.rest.volume.controllers import groups
from snapvol_api.rest.volume.controllers import messages
from snapvol_api.rest.volume.controllers import snapshots
from snapvol_api.rest.volume.controllers import volumes


def _all():
    return {
        'volume': volumes.filter_names() + ('glance_metadata',),
        'snapshot': snapshots.filter_names(),
        'group': groups.FILTERS,
        'group_snapshot': group_snapshots.FILTERS,
        'message': messages.FILTERS,
        'backup': backups.FILTERS,
    }


class ResourceFiltersController(controller.Controller):

    @pecan.expose('json')
    def get_all(self):
        current.require_authenticated()
        wanted = pecan.request.GET.get('resource')
        return views.resource_filters({
            resource: names for resource, names in _all().items()
            if wanted in (None, resource)})
