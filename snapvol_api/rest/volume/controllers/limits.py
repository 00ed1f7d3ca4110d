"""/v3/{project_id}/limits: the project's absolute limits and usage, from
its quotas (no rate limits); from 3.39 an administrator names another
project with ``?project_id=``."""

import pecan

from snapvol_api.rest import controller
from snapvol_api.rest.volume import versions
from snapvol_api.rest.volume.controllers import current


class LimitsController(controller.Controller):

    @pecan.expose('json')
    def get_all(self):
        current.authorize('limits_extension:used_limits')
        project_id = current.project_id()
        wanted = pecan.request.GET.get('project_id')
        if wanted and current.version_at_least(
                versions.LIMITS_ADMIN_FILTER) and current.context().is_admin:
            project_id = wanted
        return {'limits': {'rate': [], 'absolute': current.call(
            'get_absolute_limits', project_id)}}
