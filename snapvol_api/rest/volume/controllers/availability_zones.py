"""/v3/{project_id}/os-availability-zone: the zones of the volume
service, in Cinder's shape (availabilityZoneInfo)."""

import pecan

from snapvol_api.rest import controller
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import current


class AvailabilityZonesController(controller.Controller):

    @pecan.expose('json')
    def get_all(self):
        current.authorize('volume_extension:availability_zone_list')
        return {'availabilityZoneInfo': [
            views.availability_zone(z)
            for z in current.call('list_availability_zones')]}
