"""/v3/{project_id}/groups: generic groups (3.13, which ``root`` checks).

As in Cinder: a create answers {"group": {id, name}}, an update or a
delete an empty 202; POST /groups/action {"create-from-src": ...} (3.14)
makes a group from a group snapshot; POST /groups/{id}/action takes
{"delete": {"delete-volumes": bool}}. From 3.58 the details show
``project_id``.
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

FILTERS = ('name', 'status')


def _not_found(group_id):
    return exception.GroupNotFound(group_id=group_id)


def detail_view(group):
    """From 3.25, ``?list_volume=true`` adds the ids of its volumes; from
    3.58 it shows its project."""
    return views.group_detail(
        group,
        show_sources=current.version_at_least(versions.GROUP_SNAPSHOTS),
        show_volumes=current.version_at_least(versions.GROUP_VOLUME_LIST)
        and listing.flag(pecan.request.GET, 'list_volume'),
        show_project=current.version_at_least(versions.GROUP_PROJECT_ID))


def _stripped(fields):
    """name and description, stripped as Cinder strips them."""
    values = {}
    for key in ('name', 'description'):
        if key in fields:
            value = fields[key]
            values[key] = value.strip() if value else value
    return values


class GroupsController(controller.Controller):

    # POST /groups/action (create-from-src) and POST /groups/{id}/action.
    _custom_actions = {'detail': ['GET'], 'action': ['POST']}

    def _list(self, collection_path, view):
        current.authorize('group:get_all')
        # Cinder lets administrators list every project's groups.
        params = {k: v for k, v in pecan.request.GET.items()
                  if k != 'list_volume'}
        query = listing.parse(params, FILTERS, 'admin_api')
        groups = current.call('list_groups', **query.rpc_kwargs())
        return views.collection(
            'groups', [view(g) for g in groups],
            listing.next_page_href(groups, query, collection_path),
            links_key='group_links')

    @pecan.expose('json')
    def get_all(self):
        return self._list('groups', views.group_summary)

    @pecan.expose('json')
    def detail(self):
        return self._list('groups/detail', detail_view)

    @pecan.expose('json')
    def get_one(self, group_id):
        group_id = current.canonical_id(group_id, _not_found)
        current.authorize('group:get')
        return {'group': detail_view(current.call('get_group', group_id))}

    @pecan.expose('json')
    def post(self):
        current.authorize('group:create')
        current.require_own_project()
        fields = schemas.parse(pecan.request, schemas.group_create)['group']
        group = current.call(
            'create_group', fields['group_type'], fields['volume_types'],
            availability_zone=fields.get('availability_zone'),
            **_stripped(fields))
        current.set_status(202)
        return {'group': views.group_summary(group)}

    @pecan.expose('json')
    def put(self, group_id):
        group_id = current.canonical_id(group_id, _not_found)
        current.authorize('group:update')
        fields = schemas.parse(pecan.request, schemas.group_update)['group']
        values = _stripped(fields)
        add = schemas.to_id_list(fields.get('add_volumes'), 'add_volumes')
        remove = schemas.to_id_list(fields.get('remove_volumes'),
                                    'remove_volumes')
        if not (add or remove or any(values.values())):
            # Cinder's refusal of an update that changes nothing.
            raise exception.InvalidGroup(
                reason='name, description, add_volumes and remove_volumes '
                       'cannot all be empty in the request body.')
        current.call('update_group', group_id, values, add_volumes=add,
                     remove_volumes=remove)
        return current.empty_response(202)

    @pecan.expose('json')
    def action(self, group_id=None):
        body = schemas.parse(pecan.request, schemas.action)
        (name, args), = body.items()
        if group_id is None:
            if name != 'create-from-src':
                raise exception.Invalid('There is no such action: %s.'
                                        % name)
            return self._create_from_src(args)
        group_id = current.canonical_id(group_id, _not_found)
        if name == 'reset_status' and current.version_at_least(
                versions.GROUP_RESET_STATUS):
            return self._reset_status(group_id, args)
        if name != 'delete':
            raise exception.Invalid('There is no such action: %s.' % name)
        return self._delete(group_id, args)

    def _reset_status(self, group_id, args):
        current.authorize('group:reset_status')
        jsonbody.validate(schemas.reset_status, args)
        current.call('reset_group_status', group_id, schemas.to_reset_status(
            args, 'group', states.GROUP.reset_to))
        return current.empty_response(202)

    def _create_from_src(self, args):
        # The action came with 3.14; below it the URL names no method.
        current.require_version(versions.GROUP_SNAPSHOTS)
        current.authorize('group:create')
        current.require_own_project()
        jsonbody.validate(schemas.group_create_from_src,
                          {'create-from-src': args})
        sources = [key for key in ('group_snapshot_id', 'source_group_id')
                   if args.get(key)]
        if len(sources) != 1:
            raise exception.Invalid(
                'create-from-src takes exactly one of group_snapshot_id '
                'and source_group_id.')
        (source,) = sources
        # source_group_id goes to the manager, which says what it does
        # with it (today: refused, as cloning a group is not supported).
        group = current.call('create_group_from_src',
                             **{source: args[source].lower()},
                             **_stripped(args))
        current.set_status(202)
        return {'group': views.group_summary(group)}

    def _delete(self, group_id, args):
        current.authorize('group:delete')
        jsonbody.validate(schemas.group_delete, args)
        current.call('delete_group', group_id, delete_volumes=schemas.to_bool(
            args.get('delete-volumes', False)))
        return current.empty_response(202)
