"""/v2.1/limits: the caller's project's compute limits ([compute_quota])
and usage; an administrator names another project with ``?tenant_id=``.

Unlike the rest of the compute API, members may read it: openstack
limits show asks it of them (see ``compute.policies``).
"""

import pecan

from snapvol_api.conf import CONF
from snapvol_api.rest import controller
from snapvol_api.rest.compute import views
from snapvol_api.rest.compute.controllers import current

RULE = 'os_compute_api:limits'
OTHER_PROJECT_RULE = 'os_compute_api:limits:other_project'


class LimitsController(controller.Controller):

    @pecan.expose('json')
    def get_all(self):
        current.authorize(RULE)
        project_id = current.context().project_id
        # Nova: naming a project, even one's own, needs the other rule.
        if 'tenant_id' in pecan.request.GET:
            current.authorize(OTHER_PROJECT_RULE)
            project_id = pecan.request.GET['tenant_id']
        return views.limits(CONF.compute_quota,
                            current.call('get_project_usage', project_id))
