"""/v3/{project_id}/group_snapshots (3.14, which ``root`` checks).

As in Cinder: a create answers {"group_snapshot": {id, name,
group_type_id}}, a list {id, name} each, a delete an empty 202. There is
no update (Cinder has none either). The member snapshots are listed with
GET /snapshots?group_snapshot_id=<id>. From 3.19 administrators reset a
status with POST /group_snapshots/{id}/action {"reset_status": {...}}.
From 3.58 the details show ``project_id``.
"""

import pecan

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.rest import controller
from snapvol_api.rest import jsonbody
from snapvol_api.rest.volume import schemas
from snapvol_api.rest.volume import versions
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import current
from snapvol_api.rest.volume.controllers import listing

# From 3.29; before it Cinder reads no query parameters here but
# all_tenants.
FILTERS = ('name', 'status', 'group_id')


def _not_found(group_snapshot_id):
    return exception.GroupSnapshotNotFound(
        group_snapshot_id=group_snapshot_id)


def detail_view(group_snapshot):
    """From 3.58 with its project."""
    return views.group_snapshot_detail(
        group_snapshot,
        show_project=current.version_at_least(versions.GROUP_PROJECT_ID))


class GroupSnapshotsController(controller.Controller):

    _custom_actions = {'detail': ['GET'], 'action': ['POST']}

    def _list(self, collection_path, view):
        current.authorize('group:get_all_group_snapshots')
        params = pecan.request.GET
        if not current.version_at_least(versions.GROUP_SNAPSHOT_PAGINATION):
            params = {k: v for k, v in params.items() if k == 'all_tenants'}
        query = listing.parse(params, FILTERS, 'admin_api')
        if 'group_id' in query.filters:
            query.filters['group_id'] = query.filters['group_id'].lower()
        group_snapshots = current.call('list_group_snapshots',
                                       **query.rpc_kwargs())
        return views.collection(
            'group_snapshots', [view(g) for g in group_snapshots],
            listing.next_page_href(group_snapshots, query, collection_path))

    @pecan.expose('json')
    def get_all(self):
        return self._list('group_snapshots', views.group_snapshot_summary)

    @pecan.expose('json')
    def detail(self):
        return self._list('group_snapshots/detail', detail_view)

    @pecan.expose('json')
    def get_one(self, group_snapshot_id):
        group_snapshot_id = current.canonical_id(group_snapshot_id,
                                                 _not_found)
        current.authorize('group:get_group_snapshot')
        return {'group_snapshot': detail_view(
            current.call('get_group_snapshot', group_snapshot_id))}

    @pecan.expose('json')
    def post(self):
        current.authorize('group:create_group_snapshot')
        current.require_own_project()
        fields = schemas.parse(pecan.request,
                               schemas.group_snapshot_create)['group_snapshot']
        group_snapshot = current.call(
            'create_group_snapshot', fields['group_id'].lower(),
            name=fields.get('name'), description=fields.get('description'))
        current.set_status(202)
        return {'group_snapshot': views.group_snapshot_summary(
            group_snapshot, show_type=True)}

    @pecan.expose('json')
    def delete(self, group_snapshot_id):
        group_snapshot_id = current.canonical_id(group_snapshot_id,
                                                 _not_found)
        current.authorize('group:delete_group_snapshot')
        current.call('delete_group_snapshot', group_snapshot_id)
        return current.empty_response(202)

    @pecan.expose('json')
    def action(self, group_snapshot_id):
        group_snapshot_id = current.canonical_id(group_snapshot_id,
                                                 _not_found)
        body = schemas.parse(pecan.request, schemas.action)
        (name, args), = body.items()
        if name != 'reset_status' or not current.version_at_least(
                versions.GROUP_SNAPSHOT_RESET_STATUS):
            raise exception.Invalid('There is no such action: %s.' % name)
        current.authorize('group:reset_group_snapshot_status')
        jsonbody.validate(schemas.reset_status, args)
        current.call('reset_group_snapshot_status', group_snapshot_id,
                     schemas.to_reset_status(args, 'group snapshot',
                                             states.GROUP_SNAPSHOT.reset_to))
        return current.empty_response(202)
