"""/v3/{project_id}/snapshots."""

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest.volume import schemas
from snapvol_api.rest.volume import versions
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import current
from snapvol_api.rest.volume.controllers import listing
from snapvol_api.rest.volume.controllers.actions import (
    SnapshotActionController,
)
from snapvol_api.rest.volume.controllers.metadata import MetadataController
from snapvol_api.rest.volume.controllers.resources import SNAPSHOT

FILTERS = ('name', 'status', 'volume_id')
CONVERTERS = {'consumes_quota': listing.consumes_quota_filter}


def detail_view(snapshot, extended=True):
    """``extended``: with os-extended-snapshot-attributes, which Cinder
    adds to shows and detailed lists, not to creates and updates."""
    return views.snapshot(
        snapshot,
        show_extended=extended and current.allowed(
            'volume_extension:extended_snapshot_attributes',
            {'project_id': snapshot['project_id']}),
        show_group_snapshot=current.version_at_least(
            versions.GROUP_SNAPSHOTS),
        show_user=current.version_at_least(versions.SNAPSHOT_USER_ID),
        show_consumes_quota=current.version_at_least(versions.CONSUMES_QUOTA))


def filter_names():
    names = FILTERS
    # From 3.14, the members of a group snapshot: ?group_snapshot_id=.
    if current.version_at_least(versions.GROUP_SNAPSHOTS):
        names += ('group_snapshot_id',)
    if current.version_at_least(versions.SNAPSHOT_LIST_METADATA_FILTER):
        names += ('metadata',)
    if current.version_at_least(versions.CONSUMES_QUOTA):
        names += ('consumes_quota',)
    return names


def _refuse_name_sort(params):
    """Before 3.30 Cinder sorts snapshots by display_name, not name."""
    if current.version_at_least(versions.SNAPSHOT_SORT_NAME):
        return
    keys = [item.partition(':')[0].strip()
            for item in params.get('sort', '').split(',')]
    if 'name' in keys + [params.get('sort_key')]:
        raise exception.Invalid(
            'Snapshots sort by name from microversion 3.30; before it, '
            'by display_name.')


def _force(fields):
    """Whether a snapshot of an in-use volume is asked for knowingly.
    From 3.66 it needs no ``force``; a true one is ignored, as Cinder
    does for old clients, and a false one is refused."""
    force = schemas.to_bool(fields.get('force', False))
    if not current.version_at_least(versions.SNAPSHOT_IN_USE):
        return force
    if 'force' in fields and not force:
        raise exception.Invalid(
            "Since microversion 3.66 the 'force' flag is invalid for this "
            "request; a snapshot of an in-use volume needs none.")
    return True


def summary_view(snapshot):
    return views.snapshot(
        snapshot, show_extended=False,
        show_user=current.version_at_least(versions.SNAPSHOT_USER_ID),
        show_consumes_quota=current.version_at_least(versions.CONSUMES_QUOTA))


class SnapshotsController(controller.Controller):

    _custom_actions = {'detail': ['GET']}

    metadata = MetadataController(SNAPSHOT)
    action = SnapshotActionController(SNAPSHOT)

    def _list(self, collection_path, view):
        current.authorize('volume:get_all_snapshots')
        _refuse_name_sort(pecan.request.GET)
        params = pecan.request.GET
        query = listing.parse(params, filter_names(),
                              'volume:get_all_projects_snapshots',
                              CONVERTERS)
        if 'group_snapshot_id' in query.filters:
            query.filters['group_snapshot_id'] = (
                query.filters['group_snapshot_id'].lower())
        snapshots = listing.fetch('list_snapshots', query)
        count = (len(listing.fetch('list_snapshots', query, whole=True))
                 if listing.count_requested(params) else None)
        return views.collection(
            'snapshots', [view(s) for s in snapshots],
            listing.next_page_href(snapshots, query, collection_path),
            count=count)

    @pecan.expose('json')
    def get_all(self):
        return self._list('snapshots', summary_view)

    @pecan.expose('json')
    def detail(self):
        return self._list('snapshots/detail', detail_view)

    @pecan.expose('json')
    def get_one(self, snapshot_id):
        snapshot_id = current.canonical_id(snapshot_id, SNAPSHOT.not_found)
        current.authorize('volume:get_snapshot')
        return {'snapshot': detail_view(
            current.call('get_snapshot', snapshot_id))}

    @pecan.expose('json')
    def post(self):
        current.authorize('volume:create_snapshot')
        current.require_own_project()
        fields = schemas.parse(pecan.request,
                               schemas.snapshot_create)['snapshot']
        if fields['volume_id'] is None:
            # As Cinder answers (tempest checks it): no such volume.
            raise exception.VolumeNotFound(volume_id=None)
        snapshot = current.call(
            'create_snapshot', fields['volume_id'].lower(),
            metadata=fields.get('metadata') or {}, force=_force(fields),
            **schemas.name_and_description(fields))
        current.set_status(202)
        current.set_location('snapshots', snapshot['id'])
        return {'snapshot': detail_view(snapshot, extended=False)}

    @pecan.expose('json')
    def put(self, snapshot_id):
        snapshot_id = current.canonical_id(snapshot_id, SNAPSHOT.not_found)
        current.authorize('volume:update_snapshot')
        fields = schemas.parse(pecan.request,
                               schemas.snapshot_update)['snapshot']
        snapshot = current.call('update_snapshot', snapshot_id,
                                schemas.name_and_description(fields))
        return {'snapshot': detail_view(snapshot, extended=False)}

    @pecan.expose('json')
    def delete(self, snapshot_id):
        snapshot_id = current.canonical_id(snapshot_id, SNAPSHOT.not_found)
        current.authorize('volume:delete_snapshot')
        current.call('delete_snapshot', snapshot_id)
        return current.empty_response(202)
