"""/v3/{project_id}/backups: Cinder's backups, at every microversion.

POST makes one of a volume's data, or with ``snapshot_id`` of a
snapshot's point in time (``incremental``: only the blocks that changed
since the latest backup before it); GET lists and shows them; DELETE
removes one; POST /{id}/restore writes one into an available volume or a
new one; POST /{id}/action takes os-reset_status and os-force_delete
(administrators). export_record and import_record are not served.

By microversion: 3.9 PUT /{id} (name, description); 3.18 details show
os-backup-project-attr:project_id, and 3.56 user_id, where policy allows
(administrators); 3.37 lists sort by name; 3.43 metadata (create, update,
details); 3.45 ``with_count``; 3.51 a create's availability_zone.
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

FILTERS = ('name', 'status', 'volume_id')
ATTRIBUTES_RULE = 'backup:backup_project_attribute'


def _not_found(backup_id):
    return exception.BackupNotFound(backup_id=backup_id)


def detail_view(backup):
    attributes = current.allowed(ATTRIBUTES_RULE)
    return views.backup_detail(
        backup, current.links(),
        show_metadata=current.version_at_least(versions.BACKUP_METADATA),
        show_project=attributes and current.version_at_least(
            versions.BACKUP_PROJECT),
        show_user=attributes and current.version_at_least(
            versions.BACKUP_PROJECT_USER_ID))


def _refuse_name_sort(params):
    """Before 3.37 Cinder sorts backups by display_name, not name."""
    if current.version_at_least(versions.BACKUP_SORT_NAME):
        return
    keys = [item.partition(':')[0].strip()
            for item in params.get('sort', '').split(',')]
    if 'name' in keys + [params.get('sort_key')]:
        raise exception.Invalid(
            'Backups sort by name from microversion 3.37; before it, by '
            'display_name.')


def _create_schema():
    if current.version_at_least(versions.BACKUP_AZ):
        return schemas.backup_create_v351
    if current.version_at_least(versions.BACKUP_METADATA):
        return schemas.backup_create_v343
    return schemas.backup_create


class BackupActionController(controller.Controller):
    """POST /backups/{id}/action: os-reset_status (to available or
    error) and os-force_delete, for administrators."""

    @pecan.expose('json')
    def post(self, parent_id):
        backup_id = current.canonical_id(parent_id, _not_found)
        body = schemas.parse(pecan.request, schemas.action)
        (action, args), = body.items()
        if action == 'os-reset_status':
            current.authorize(
                'volume_extension:backup_admin_actions:reset_status')
            jsonbody.validate(schemas.reset_status, args)
            current.call('reset_backup_status', backup_id,
                         schemas.to_reset_status(args, 'backup',
                                                 states.BACKUP.reset_to))
        elif action == 'os-force_delete':
            current.authorize(
                'volume_extension:backup_admin_actions:force_delete')
            jsonbody.validate(schemas.no_arguments, args)
            current.call('delete_backup', backup_id, force=True)
        else:
            raise exception.Invalid('There is no such action: %s.' % action)
        return current.empty_response(202)


class BackupsController(controller.Controller):

    _custom_actions = {'detail': ['GET'], 'restore': ['POST']}

    action = BackupActionController()

    def _list(self, collection_path, view):
        current.authorize('backup:get_all')
        params = pecan.request.GET
        _refuse_name_sort(params)
        query = listing.parse(params, FILTERS, 'backup:get_all_projects')
        backups = listing.fetch('list_backups', query)
        count = (len(listing.fetch('list_backups', query, whole=True))
                 if listing.count_requested(params) else None)
        return views.collection(
            'backups', [view(b) for b in backups],
            listing.next_page_href(backups, query, collection_path),
            count=count)

    @pecan.expose('json')
    def get_all(self):
        links = current.links()
        return self._list('backups',
                          lambda b: views.backup_summary(b, links))

    @pecan.expose('json')
    def detail(self):
        return self._list('backups/detail', detail_view)

    @pecan.expose('json')
    def get_one(self, backup_id):
        backup_id = current.canonical_id(backup_id, _not_found)
        current.authorize('backup:get')
        return {'backup': detail_view(current.call('get_backup',
                                                   backup_id))}

    @pecan.expose('json')
    def post(self):
        current.authorize('backup:create')
        current.require_own_project()
        fields = schemas.parse(pecan.request, _create_schema())['backup']
        snapshot_id = fields.get('snapshot_id')
        backup = current.call(
            'create_backup', fields['volume_id'].lower(),
            name=fields.get('name'), description=fields.get('description'),
            snapshot_id=snapshot_id and snapshot_id.lower(),
            incremental=schemas.to_bool(fields.get('incremental', False)),
            force=schemas.to_bool(fields.get('force', False)),
            container=fields.get('container'),
            metadata=fields.get('metadata') or {},
            availability_zone=fields.get('availability_zone'))
        current.set_status(202)
        return {'backup': views.backup_summary(backup, current.links())}

    @pecan.expose('json')
    def put(self, backup_id):
        """3.9; from 3.43 also the metadata."""
        current.require_version(versions.BACKUP_UPDATE)
        backup_id = current.canonical_id(backup_id, _not_found)
        current.authorize('backup:update')
        schema = (schemas.backup_update_v343 if current.version_at_least(
            versions.BACKUP_METADATA) else schemas.backup_update)
        fields = schemas.parse(pecan.request, schema)['backup']
        values = {k: fields[k] for k in ('name', 'description')
                  if k in fields}
        if 'metadata' in fields:
            values['metadata'] = fields['metadata'] or {}
        backup = current.call('update_backup', backup_id, values)
        return {'backup': views.backup_summary(backup, current.links())}

    @pecan.expose('json')
    def delete(self, backup_id):
        backup_id = current.canonical_id(backup_id, _not_found)
        current.authorize('backup:delete')
        current.call('delete_backup', backup_id)
        return current.empty_response(202)

    @pecan.expose('json')
    def restore(self, backup_id):
        backup_id = current.canonical_id(backup_id, _not_found)
        current.authorize('backup:restore')
        fields = schemas.parse(pecan.request,
                               schemas.backup_restore)['restore'] or {}
        volume_id = fields.get('volume_id')
        restore = current.call('restore_backup', backup_id,
                               volume_id=volume_id and volume_id.lower(),
                               name=fields.get('name'))
        current.set_status(202)
        return views.backup_restore(restore)
