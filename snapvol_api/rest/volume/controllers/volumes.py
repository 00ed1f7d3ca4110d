"""/v3/{project_id}/volumes."""

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest.volume import schemas
from snapvol_api.rest.volume import versions
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import current
from snapvol_api.rest.volume.controllers import listing
from snapvol_api.rest.volume.controllers.actions import VolumeActionController
from snapvol_api.rest.volume.controllers.metadata import MetadataController
from snapvol_api.rest.volume.controllers.resources import VOLUME

# Cinder's default resource_filters.json has these (and migration_status,
# created_at and updated_at), and Horizon's volume table offers user_id.
FILTERS = ('name', 'status', 'metadata', 'bootable', 'availability_zone',
           'size', 'user_id')
CONVERTERS = {'size': listing.size_filter,
              'bootable': listing.bootable_filter,
              'consumes_quota': listing.consumes_quota_filter,
              'created_at': listing.time_filter('created_at'),
              'updated_at': listing.time_filter('updated_at')}

# Cinder create fields snapvol has no feature for: refused when set, so
# nobody believes they got, say, a clone.
UNSUPPORTED_CREATE_FIELDS = ('source_volid', 'imageRef', 'image_id',
                             'backup_id', 'consistencygroup_id', 'group_id',
                             'source_replica')


def detail_view(volume, extended=True):
    """``extended``: with the attributes Cinder's extensions add to shows
    and detailed lists (never to the answers of a create or update, which
    tempest checks)."""
    target = {'project_id': volume['project_id']}

    def allowed(rule):
        return extended and current.allowed(rule, target)
    return views.volume_detail(
        volume, current.links(),
        show_tenant=allowed('volume_extension:volume_tenant_attribute'),
        show_host=allowed('volume_extension:volume_host_attribute'),
        show_migration=allowed(
            'volume_extension:volume_mig_status_attribute'),
        show_group=current.version_at_least(versions.GROUP_VOLUME),
        show_provider=current.context().is_admin and current.version_at_least(
            versions.VOLUME_PROVIDER_ID),
        since=_fields_since())


# The field groups of views.VOLUME_FIELDS_SINCE, with the microversion
# each came with; cluster_name only for administrators, as in Cinder.
_FIELDS_SINCE = (
    ('shared_targets', versions.SHARED_TARGETS, False),
    ('cluster_name', versions.CLUSTER_NAME, True),
    ('volume_type_id', versions.VOLUME_TYPE_ID, False),
    ('encryption_key_id', versions.ENCRYPTION_KEY_ID, False),
    ('consumes_quota', versions.CONSUMES_QUOTA, False),
)


def _fields_since():
    is_admin = current.context().is_admin
    return frozenset(
        name for name, version, admin_only in _FIELDS_SINCE
        if current.version_at_least(version) and (is_admin or not admin_only))


def filter_names():
    names = FILTERS
    if current.version_at_least(versions.VOLUME_LIST_GROUP):
        names += ('group_id',)
    if current.version_at_least(versions.TIME_FILTERS):
        names += ('created_at', 'updated_at')
    if current.version_at_least(versions.CONSUMES_QUOTA):
        names += ('consumes_quota',)
    return names


def _no_image_match(params):
    """Whether a glance_metadata filter (3.4) rules out every volume.

    snapvol makes no volume from an image, so no volume has image
    metadata: like Cinder with volumes not made from images, a non-empty
    filter matches nothing and an empty one is no filter. (Refusing it
    would break clients that filter "volumes from this image" and rightly
    expect an empty list.) Below 3.4 Cinder ignores it, and so do we.
    """
    if (not current.version_at_least(versions.GLANCE_METADATA_FILTER)
            or 'glance_metadata' not in params):
        return False
    return bool(listing.dict_filter(params['glance_metadata'],
                                    'glance_metadata'))


def _list_query():
    params = {k: v for k, v in pecan.request.GET.items()
              if k != 'glance_metadata'}
    query = listing.parse(params, filter_names(), 'volume:get_all_projects',
                          CONVERTERS)
    if 'group_id' in query.filters:
        query.filters['group_id'] = query.filters['group_id'].lower()
    return query


def _find(query, whole=False):
    if _no_image_match(pecan.request.GET):
        return []
    return listing.fetch('list_volumes', query, whole)


def _refuse_unsupported(fields):
    if fields.get('source_volid') is not None:
        # Cinder's answer to an unknown source is a 404 (tempest checks
        # it); a known one cannot be cloned here.
        current.call('get_volume', current.canonical_id(
            fields['source_volid'], VOLUME.not_found))
    if fields.get('group_id') is not None:
        # Cinder 3.13 creates into a group; the RPC API cannot (yet).
        raise exception.Invalid(
            'group_id is not supported when creating a volume; create it, '
            'then add it with PUT /groups/{group_id} and add_volumes.')
    for key in UNSUPPORTED_CREATE_FIELDS:
        if fields.get(key) is not None:
            raise exception.Invalid('%s is not supported by this volume '
                                    'service.' % key)
    if schemas.to_bool(fields.get('multiattach', False)):
        raise exception.Invalid('multiattach volumes are not supported by '
                                'this volume service.')


def _check_type_and_zone(fields):
    """Cinder's answers: an unknown volume type is a 404, a zone this
    service has not a 400."""
    if fields.get('volume_type') is not None:
        current.call('get_volume_type', fields['volume_type'])
    zone = fields.get('availability_zone')
    if zone is not None and zone not in {
            z['name'] for z in current.call('list_availability_zones')}:
        raise exception.InvalidAvailabilityZone(az=zone)


def _strict_from_3_53(before, strict):
    return strict if current.version_at_least(versions.STRICT_SCHEMAS) else (
        before)


class VolumesController(controller.Controller):

    _custom_actions = {'detail': ['GET'], 'summary': ['GET']}

    metadata = MetadataController(VOLUME)
    action = VolumeActionController(VOLUME)

    def _list(self, collection_path, view):
        current.authorize('volume:get_all')
        query = _list_query()
        volumes = _find(query)
        count = (len(_find(query, whole=True))
                 if listing.count_requested(pecan.request.GET) else None)
        return views.collection(
            'volumes', [view(v) for v in volumes],
            listing.next_page_href(volumes, query, collection_path),
            count=count)

    @pecan.expose('json')
    def get_all(self):
        links = current.links()
        return self._list('volumes',
                          lambda v: views.volume_summary(v, links))

    @pecan.expose('json')
    def detail(self):
        return self._list('volumes/detail', detail_view)

    @pecan.expose('json')
    def summary(self):
        """3.12: the count and total size of the volumes a list with the
        same filters would show (all of them: no pages)."""
        current.require_version(versions.VOLUME_SUMMARY)
        current.authorize('volume:get_all')
        volumes = _find(_list_query(), whole=True)
        return views.volume_summary_totals(
            volumes, show_metadata=current.version_at_least(
                versions.VOLUME_SUMMARY_METADATA))

    @pecan.expose('json')
    def get_one(self, volume_id):
        volume_id = current.canonical_id(volume_id, VOLUME.not_found)
        current.authorize('volume:get')
        return {'volume': detail_view(current.call('get_volume', volume_id))}

    @pecan.expose('json')
    def post(self):
        current.authorize('volume:create')
        current.require_own_project()
        fields = schemas.parse(pecan.request, _strict_from_3_53(
            schemas.volume_create_before_3_53,
            schemas.volume_create))['volume']
        _refuse_unsupported(fields)
        _check_type_and_zone(fields)
        snapshot_id = fields.get('snapshot_id')
        volume = current.call(
            'create_volume', schemas.to_size(fields['size']),
            metadata=fields.get('metadata') or {},
            snapshot_id=snapshot_id and snapshot_id.lower(),
            volume_type=fields.get('volume_type'),
            **schemas.name_and_description(fields))
        current.set_status(202)
        current.set_location('volumes', volume['id'])
        return {'volume': detail_view(volume, extended=False)}

    @pecan.expose('json')
    def put(self, volume_id):
        volume_id = current.canonical_id(volume_id, VOLUME.not_found)
        current.authorize('volume:update')
        fields = schemas.parse(pecan.request, _strict_from_3_53(
            schemas.volume_update_before_3_53,
            schemas.volume_update))['volume']
        values = schemas.name_and_description(fields)
        if 'metadata' in fields:
            values['metadata'] = fields['metadata'] or {}
        volume = current.call('update_volume', volume_id, values)
        return {'volume': detail_view(volume, extended=False)}

    @pecan.expose('json')
    def delete(self, volume_id):
        """``?cascade=true`` deletes the snapshots too; from 3.23,
        ``?force=true`` is os-force_delete."""
        volume_id = current.canonical_id(volume_id, VOLUME.not_found)
        current.authorize('volume:delete')
        params = pecan.request.GET
        force = (current.version_at_least(versions.VOLUME_DELETE_FORCE)
                 and listing.flag(params, 'force'))
        if force:
            current.authorize(VOLUME.force_delete_rule)
        current.call('delete_volume', volume_id,
                     cascade=listing.flag(params, 'cascade'), force=force)
        return current.empty_response(202)
