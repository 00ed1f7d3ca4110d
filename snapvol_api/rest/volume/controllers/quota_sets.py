"""/v3/{project_id}/os-quota-sets/{target project}[/defaults]: Cinder's
quotas of a project (``?usage=true`` with what it uses); administrators
change them (PUT) or put them back to the defaults (DELETE)."""

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest.volume import schemas
from snapvol_api.rest.volume.controllers import current
from snapvol_api.rest.volume.controllers import listing


def _quota_set(project_id, quotas):
    return {'quota_set': dict(quotas, id=project_id)}


class QuotaSetsController(controller.Controller):

    _custom_actions = {'defaults': ['GET']}

    @pecan.expose('json')
    def get_one(self, project_id):
        current.authorize('volume_extension:quotas:show',
                          {'project_id': project_id})
        usage = listing.flag(pecan.request.GET, 'usage')
        return _quota_set(project_id, current.call(
            'get_quotas', project_id, usage))

    @pecan.expose('json')
    def defaults(self, project_id):
        current.authorize('volume_extension:quotas:show',
                          {'project_id': project_id})
        return _quota_set(project_id, current.call('get_quota_defaults'))

    @pecan.expose('json')
    def put(self, project_id):
        current.authorize('volume_extension:quotas:update',
                          {'project_id': project_id})
        fields = schemas.parse(pecan.request, schemas.quota_update)
        values = {k: int(v) for k, v in fields['quota_set'].items()
                  if k not in schemas.QUOTA_IGNORED_KEYS}
        if not values:
            raise exception.Invalid('No quota to change in quota_set.')
        return {'quota_set': current.call('update_quotas', project_id,
                                          values)}

    @pecan.expose('json')
    def delete(self, project_id):
        current.authorize('volume_extension:quotas:delete',
                          {'project_id': project_id})
        current.call('delete_quotas', project_id)
        # Cinder answers 200 (tempest checks it).
        return current.empty_response(200)
