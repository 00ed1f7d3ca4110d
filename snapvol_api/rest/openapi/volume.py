"""The OpenAPI document of the volume API (Cinder v3's shapes)."""

import functools

from snapvol_api.rest import faults
from snapvol_api.rest import microversion
from snapvol_api.rest.openapi import builder as b
from snapvol_api.rest.openapi import volume_schemas
from snapvol_api.rest.volume import schemas
from snapvol_api.rest.volume import versions as v

P = '/v3/{project_id}'

DESCRIPTION = """\
Cinder's block storage API v3, as snapvol serves it.

Paths name the project as Cinder's do: /v3/{project_id}/volumes. The
project may also be left out: /v3/volumes is /v3/{project_id}/volumes for
the project of the credentials (Cinder announces this with microversion
3.67, and serves both forms at every microversion, as snapvol does).

Clients ask for a microversion with the header `OpenStack-API-Version:
volume 3.N` (3.0 without it; `latest` for the highest); the answer names
the one it was served at. `x-openstack.min_version` gives the
microversion an operation, or an action, came with: below it the
operation answers 404, the action 400. Fields a later microversion adds
are listed among the properties; no response object forbids others.

Errors are OpenStack faults: {"badRequest": {"code": 400, "message":
"..."}}, named after the status (itemNotFound, forbidden, overLimit...).
"""

# The request schemas are those of the latest microversion.
STRICT_NOTE = ('Before 3.53 fields the body schema does not name are '
               'ignored; from 3.53 they are a 400.')

# Query parameters of the paged lists.
LIST_QUERY = ('limit', 'marker', 'offset', 'sort', 'sort_key', 'sort_dir',
              'with_count', 'all_tenants')


def _list(key, item, links_key=None):
    """A paged list; ``count`` with ?with_count=true from 3.45."""
    return b.obj({key: b.array(item),
                  links_key or key + '_links': b.links,
                  'count': b.integer}, required=[key])


def _root(doc, s):
    doc.add('get', '/', 'The API versions (300 Multiple Choices, as '
            'Cinder answers).', {300: s['VersionList']}, public=True,
            versioned=False)
    doc.add('get', '/v3/', 'The v3 API: its microversions.',
            {200: s['VersionList']}, public=True)
    doc.add('get', '/openapi.json', 'This document.',
            {200: b.obj({'openapi': b.string, 'paths': {'type': 'object'}},
                        required=['openapi', 'paths'])},
            public=True, versioned=False)


def _metadata(doc, collection, etag_note=''):
    base = '%s/%s/{id}/metadata' % (P, collection)
    metadata = b.envelope('metadata', b.string_map)
    meta = b.envelope('meta', b.string_map)
    doc.add('get', base, 'The metadata.' + etag_note, {200: metadata})
    doc.add('post', base, 'Merges items into the metadata.',
            {200: metadata}, request=schemas.metadata_set)
    doc.add('put', base, 'Replaces the metadata.' + etag_note,
            {200: metadata}, request=schemas.metadata_set)
    doc.add('get', base + '/{key}', 'One item.', {200: meta})
    doc.add('put', base + '/{key}', 'Sets one item.', {200: meta},
            request=schemas.meta_item)
    doc.add('delete', base + '/{key}', 'Deletes one item.', {200: None})


def _volumes(doc, s):
    c = P + '/volumes'
    detail = b.envelope('volume', s['Volume'])
    query = LIST_QUERY + ('name', 'status', 'metadata', 'bootable',
                          'availability_zone', 'size', 'user_id',
                          'group_id', 'glance_metadata', 'created_at',
                          'updated_at', 'consumes_quota')
    doc.add('get', c, 'Volumes: ids, names and links.',
            {200: _list('volumes', s['VolumeSummary'])}, query=query)
    doc.add('get', c + '/detail', 'Volumes, in detail.',
            {200: _list('volumes', s['Volume'])}, query=query)
    doc.add('get', c + '/summary',
            'How many volumes a list would show, and their total size '
            '(3.36: with the values of each metadata key).',
            {200: b.envelope('volume-summary', b.obj({
                'total_size': b.integer, 'total_count': b.integer,
                'metadata': {'type': 'object', 'additionalProperties':
                             b.array(b.string)}},
                required=['total_size', 'total_count']))},
            min_version=v.VOLUME_SUMMARY, query=query)
    doc.add('post', c, 'Creates a volume (empty, or from a snapshot). ' +
            STRICT_NOTE, {202: detail}, request=schemas.volume_create)
    doc.add('get', c + '/{id}', 'One volume.', {200: detail})
    doc.add('put', c + '/{id}', 'Renames a volume, or sets its metadata. ' +
            STRICT_NOTE, {200: detail}, request=schemas.volume_update)
    doc.add('delete', c + '/{id}',
            'Deletes a volume (?cascade=true: with its snapshots; 3.23: '
            '?force=true).', {202: None}, query=('cascade', 'force'))
    _metadata(doc, 'volumes', etag_note=' From 3.15 with an ETag, which '
              'a PUT may send back in If-Match (412 when it changed).')
    doc.add('post', c + '/{id}/action',
            'A volume action (os-set_bootable answers 200, as Cinder).',
            {200: None, 202: None},
            actions={
                'os-reset_status': b.action(schemas.volume_reset_status),
                'os-force_delete': b.action(schemas.no_arguments),
                'os-extend': b.action(schemas.extend),
                'os-set_bootable': b.action(schemas.set_bootable,
                                            responses={200: None}),
                'revert': b.action(schemas.revert, v.VOLUME_REVERT),
                'os-reimage': b.action(schemas.reimage, v.REIMAGE,
                                       responses={}),
                'os-extend_volume_completion': b.action(
                    schemas.extend_volume_completion, v.EXTEND_COMPLETION),
                'os-volume_upload_image': b.action(
                    schemas.upload_image_v31, responses={202: b.envelope(
                        'os-volume_upload_image', s['ImageUpload'])}),
            })


def _snapshots(doc, s):
    c = P + '/snapshots'
    detail = b.envelope('snapshot', s['Snapshot'])
    query = LIST_QUERY + ('name', 'status', 'volume_id',
                          'group_snapshot_id', 'metadata',
                          'consumes_quota')
    doc.add('get', c, 'Snapshots.', {200: _list('snapshots', s['Snapshot'])},
            query=query)
    doc.add('get', c + '/detail', 'Snapshots, in detail.',
            {200: _list('snapshots', s['Snapshot'])}, query=query)
    doc.add('post', c, 'Takes a snapshot of a volume.', {202: detail},
            request=schemas.snapshot_create)
    doc.add('get', c + '/{id}', 'One snapshot.', {200: detail})
    doc.add('put', c + '/{id}', 'Renames a snapshot.', {200: detail},
            request=schemas.snapshot_update)
    doc.add('delete', c + '/{id}', 'Deletes a snapshot.', {202: None})
    _metadata(doc, 'snapshots')
    doc.add('post', c + '/{id}/action', 'A snapshot action.', {202: None},
            actions={
                'os-reset_status': b.action(schemas.reset_status),
                'os-force_delete': b.action(schemas.no_arguments),
                'os-update_snapshot_status': b.action(
                    schemas.update_snapshot_status),
                'snapvol-upload_image': b.action(
                    schemas.snapshot_upload_image, responses={
                        202: b.envelope('snapvol-upload_image',
                                        s['ImageUpload'])}),
            })


def _volume_types(doc, s):
    c = P + '/types'
    volume_type = b.envelope('volume_type', s['VolumeType'])
    doc.add('get', c, 'The volume types (3.52: ?extra_specs= keeps those '
            'having them).', {200: b.envelope('volume_types',
                                              b.array(s['VolumeType']))},
            query=('is_public', 'extra_specs'))
    doc.add('get', c + '/{id}', 'One type, by id or name ("default": the '
            "project's default type).", {200: volume_type})
    doc.add('post', c, 'Creates a type (administrators).',
            {200: volume_type}, request=schemas.volume_type_create)
    doc.add('put', c + '/{id}', 'Changes a type (administrators).',
            {200: volume_type}, request=schemas.volume_type_update)
    doc.add('delete', c + '/{id}', 'Deletes a type (administrators).',
            {202: None})
    e = c + '/{id}/extra_specs'
    specs = b.envelope('extra_specs', b.string_map)
    doc.add('get', e, "The type's extra specs (to users, those Cinder "
            'shows users).', {200: specs})
    doc.add('post', e, 'Adds or changes extra specs (administrators).',
            {200: specs}, request=schemas.extra_specs_set)
    one = dict(b.string_map, minProperties=1, maxProperties=1)
    doc.add('get', e + '/{key}', 'One extra spec: {key: value}.',
            {200: one})
    doc.add('put', e + '/{key}', 'Sets one extra spec (administrators).',
            {200: one}, request=schemas.extra_spec_item)
    doc.add('delete', e + '/{key}', 'Deletes one extra spec '
            '(administrators).', {202: None})
    access = schemas.type_access_action['properties']
    doc.add('post', c + '/{id}/action', 'Shares a private type with a '
            'project, or stops (administrators).', {202: None}, actions={
                name: b.action(access[name]) for name in access})
    doc.add('get', c + '/{id}/os-volume-type-access', 'The projects a '
            'private type is shared with (administrators).',
            {200: b.envelope('volume_type_access', b.array(b.obj(
                {'volume_type_id': b.string, 'project_id': b.string},
                required=['volume_type_id', 'project_id'])))})


def _default_types(doc, s):
    c = P + '/default-types'
    since = v.DEFAULT_TYPES
    default_type = b.envelope('default_type', s['DefaultType'])
    doc.add('get', c, "The projects' own default types (administrators).",
            {200: b.envelope('default_types', b.array(s['DefaultType']))},
            min_version=since)
    doc.add('get', c + '/{target_project_id}', "A project's default type.",
            {200: default_type}, min_version=since)
    doc.add('put', c + '/{target_project_id}', "Sets a project's default "
            'type.', {200: default_type}, request=schemas.default_type_set,
            min_version=since)
    doc.add('delete', c + '/{target_project_id}', "Unsets a project's "
            'default type.', {204: None}, min_version=since)


def _built_in_types(doc, path, key, item, min_version=None):
    """A read-only type collection: changes are refused (403, or 405 for
    an administrator)."""
    doc.add('get', path, 'The types.', {200: b.envelope(key + 's',
                                                         b.array(item))},
            min_version=min_version, query=('is_public',))
    doc.add('get', path + '/{id}', 'One type, by id or name ("default": '
            'the default type).', {200: b.envelope(key, item)},
            min_version=min_version)
    for method in ('post', 'put', 'delete'):
        doc.add(method, path + ('' if method == 'post' else '/{id}'),
                'Refused: the types are built in.', {},
                min_version=min_version)


def _groups(doc, s):
    c = P + '/groups'
    query = LIST_QUERY + ('name', 'status', 'list_volume')
    since = v.GROUP_VOLUME
    doc.add('get', c, 'Groups.', {200: _list('groups', s['GroupSummary'],
                                             links_key='group_links')},
            min_version=since, query=query)
    doc.add('get', c + '/detail', 'Groups, in detail.',
            {200: _list('groups', s['Group'], links_key='group_links')},
            min_version=since, query=query)
    doc.add('get', c + '/{id}', 'One group (3.25: ?list_volume=true adds '
            'its volumes).', {200: b.envelope('group', s['Group'])},
            min_version=since, query=('list_volume',))
    doc.add('post', c, 'Creates a group.',
            {202: b.envelope('group', s['GroupSummary'])},
            request=schemas.group_create, min_version=since)
    doc.add('put', c + '/{id}', 'Renames a group, adds or removes volumes.',
            {202: None}, request=schemas.group_update, min_version=since)
    doc.add('post', c + '/action', 'Creates a group from a group '
            'snapshot.', {202: b.envelope('group', s['GroupSummary'])},
            min_version=since, actions={
                'create-from-src': b.action(
                    schemas.group_create_from_src['properties'][
                        'create-from-src'], v.GROUP_SNAPSHOTS,
                    {202: b.envelope('group', s['GroupSummary'])}),
            })
    doc.add('post', c + '/{id}/action', 'A group action.', {202: None},
            min_version=since, actions={
                'delete': b.action(schemas.group_delete),
                'reset_status': b.action(schemas.reset_status,
                                         v.GROUP_RESET_STATUS),
            })


def _group_snapshots(doc, s):
    c = P + '/group_snapshots'
    query = LIST_QUERY + ('name', 'status', 'group_id')
    since = v.GROUP_SNAPSHOTS
    doc.add('get', c, 'Group snapshots (3.29: paged, sorted, filtered).',
            {200: _list('group_snapshots', s['GroupSnapshotSummary'])},
            min_version=since, query=query)
    doc.add('get', c + '/detail', 'Group snapshots, in detail.',
            {200: _list('group_snapshots', s['GroupSnapshot'])},
            min_version=since, query=query)
    doc.add('get', c + '/{id}', 'One group snapshot.',
            {200: b.envelope('group_snapshot', s['GroupSnapshot'])},
            min_version=since)
    doc.add('post', c, 'Takes a snapshot of every volume of a group.',
            {202: b.envelope('group_snapshot', s['GroupSnapshotSummary'])},
            request=schemas.group_snapshot_create, min_version=since)
    doc.add('delete', c + '/{id}', 'Deletes a group snapshot.', {202: None},
            min_version=since)
    doc.add('post', c + '/{id}/action', 'A group snapshot action.',
            {202: None}, min_version=since, actions={
                'reset_status': b.action(schemas.reset_status,
                                         v.GROUP_SNAPSHOT_RESET_STATUS),
            })


def _transfers(doc, s, collection, create, min_version=None):
    """/os-volume-transfer, and /volume-transfers (3.55), whose create
    takes no_snapshots; both page from 3.59."""
    c = '%s/%s' % (P, collection)
    query = LIST_QUERY + ('name', 'volume_id')
    doc.add('get', c, 'Volume transfers offered by the project.',
            {200: _list('transfers', s['TransferSummary'])},
            min_version=min_version, query=query)
    doc.add('get', c + '/detail', 'Volume transfers, in detail.',
            {200: _list('transfers', s['Transfer'])},
            min_version=min_version, query=query)
    doc.add('get', c + '/{id}', 'One transfer.',
            {200: b.envelope('transfer', s['Transfer'])},
            min_version=min_version)
    doc.add('post', c, 'Offers a volume to another project; the answer '
            'holds the auth_key, once.',
            {202: b.envelope('transfer', s['Transfer'])},
            request=create, min_version=min_version)
    doc.add('post', c + '/{id}/accept', 'Takes the volume into the '
            "caller's project.",
            {202: b.envelope('transfer', s['TransferSummary'])},
            request=schemas.transfer_accept, min_version=min_version)
    doc.add('delete', c + '/{id}', 'Takes the offer back.', {202: None},
            min_version=min_version)


def _backups(doc, s):
    c = P + '/backups'
    query = LIST_QUERY + ('name', 'status', 'volume_id')
    summary = b.envelope('backup', s['BackupSummary'])
    doc.add('get', c, 'Backups: ids, names and links (3.37: sorted by name '
            'too).', {200: _list('backups', s['BackupSummary'])},
            query=query)
    doc.add('get', c + '/detail', 'Backups, in detail (3.18: the project, '
            '3.56: the user, to administrators).',
            {200: _list('backups', s['Backup'])}, query=query)
    doc.add('get', c + '/{id}', 'One backup.',
            {200: b.envelope('backup', s['Backup'])})
    doc.add('post', c, "Backs up a volume's data, or with snapshot_id a "
            "snapshot's point in time (the guest's data, in Cinder's "
            'chunked format: 3.43 takes metadata, 3.51 the availability '
            'zone).', {202: summary}, request=schemas.backup_create_v351)
    doc.add('put', c + '/{id}', 'Renames a backup (3.43: and sets its '
            'metadata).', {200: summary},
            request=schemas.backup_update_v343, min_version=v.BACKUP_UPDATE)
    doc.add('delete', c + '/{id}', 'Deletes a backup.', {202: None})
    doc.add('post', c + '/{id}/restore', 'Writes the backup into an '
            'available volume of at least its size, or into a new one.',
            {202: b.envelope('restore', b.obj({
                'backup_id': b.uuid, 'volume_id': b.uuid,
                'volume_name': b.nullable_string},
                required=['backup_id', 'volume_id', 'volume_name']))},
            request=schemas.backup_restore)
    doc.add('post', c + '/{id}/action', 'A backup action '
            '(administrators).', {202: None}, actions={
                'os-reset_status': b.action(schemas.reset_status),
                'os-force_delete': b.action(schemas.no_arguments),
            })


_SERVICE = b.obj({
    'binary': b.string, 'host': b.string, 'zone': b.nullable_string,
    'status': {'enum': ['enabled', 'disabled']},
    'state': {'enum': ['up', 'down']},
    'updated_at': b.nullable_string,
    'disabled_reason': b.nullable_string,
    'cluster': b.nullable_string,
    # Volume managers only.
    'replication_status': b.string,
    'active_backend_id': b.nullable_string,
    'frozen': b.boolean,
    'backend_state': {'enum': ['up', 'down']}},
    required=['binary', 'host', 'zone', 'status', 'state', 'updated_at',
              'disabled_reason'])


def _others(doc, s):
    doc.add('get', P + '/os-availability-zone',
            'The availability zones.',
            {200: b.envelope('availabilityZoneInfo', b.array(b.obj({
                'zoneName': b.string,
                'zoneState': b.obj({'available': b.boolean},
                                   required=['available'])},
                required=['zoneName', 'zoneState'])))})
    doc.add('get', P + '/extensions', 'The Cinder extensions served.',
            {200: b.envelope('extensions', b.array(b.obj({
                'alias': b.string, 'name': b.string,
                'description': b.string, 'links': b.links,
                'updated': b.string},
                required=['alias', 'name', 'description'])))})
    doc.add('get', P + '/messages', 'User messages (3.5: paged, sorted, '
            'filtered).', {200: _list('messages', s['Message'])},
            min_version=v.MESSAGES,
            query=LIST_QUERY + ('event_id', 'resource_type',
                                'resource_uuid', 'message_level',
                                'request_id'))
    doc.add('get', P + '/messages/{id}', 'One message.',
            {200: b.envelope('message', s['Message'])},
            min_version=v.MESSAGES)
    doc.add('delete', P + '/messages/{id}', 'Deletes a message.',
            {204: None}, min_version=v.MESSAGES)
    doc.add('get', P + '/resource_filters', 'The filters each list takes.',
            {200: b.envelope('resource_filters', b.array(b.obj(
                {'resource': b.string, 'filters': b.array(b.string)},
                required=['resource', 'filters'])))},
            min_version=v.RESOURCE_FILTERS_API, query=('resource',))
    quota_set = b.envelope('quota_set', s['QuotaSet'])
    q = P + '/os-quota-sets/{target_project_id}'
    doc.add('get', q, "A project's quotas (?usage=true: with its usage).",
            {200: quota_set}, query=('usage',))
    doc.add('get', q + '/defaults', 'The default quotas.', {200: quota_set})
    doc.add('put', q, 'Changes quotas (administrators).',
            {200: b.envelope('quota_set', {
                'type': 'object', 'additionalProperties': b.integer})},
            request=schemas.quota_update)
    doc.add('delete', q, 'Puts the quotas back to the defaults '
            '(administrators).', {200: None})
    doc.add('get', P + '/os-services', 'The processes of the volume '
            'service and whether each is up (its heartbeat within '
            'service_down_time; administrators). 3.7: each shows its '
            'cluster; 3.49: volume managers their backend_state.',
            {200: b.envelope('services', b.array(_SERVICE))},
            query=('host', 'binary'))
    doc.add('get', P + '/limits', "The project's absolute limits and usage "
            '(3.39: ?project_id= for administrators).',
            {200: b.envelope('limits', b.obj({
                'rate': b.array(b.anything),
                'absolute': {'type': 'object',
                             'additionalProperties': b.integer}},
                required=['rate', 'absolute']))},
            query=('project_id',))


@functools.cache
def document():
    """The document (build it once; served as is, with ``servers``)."""
    doc = b.Document(
        'snapvol volume API', str(v.MAX_VERSION), DESCRIPTION,
        microversion_headers={'Microversion': (
            microversion.HEADER,
            'volume 3.N: the microversion asked for, %s to %s.' % (
                v.MIN_VERSION, v.MAX_VERSION))},
        faults=b.fault(faults.VOLUME_FAULT_NAMES, faults.DEFAULT_FAULT_NAME),
        security_schemes=b.SECURITY_SCHEMES,
        extension={'min_version': str(v.MIN_VERSION),
                   'max_version': str(v.MAX_VERSION),
                   'project_prefix': P,
                   # Paths also hold without it (3.67).
                   'project_optional': True})
    s = volume_schemas.define(doc)
    _root(doc, s)
    _volumes(doc, s)
    _snapshots(doc, s)
    _volume_types(doc, s)
    _default_types(doc, s)
    _built_in_types(doc, P + '/group_types', 'group_type', s['GroupType'],
                    min_version=v.GROUP_TYPES)
    _groups(doc, s)
    _group_snapshots(doc, s)
    _transfers(doc, s, 'os-volume-transfer', schemas.transfer_create)
    _transfers(doc, s, 'volume-transfers', schemas.transfer_create_v355,
               min_version=v.TRANSFER_SNAPSHOTS)
    _backups(doc, s)
    _others(doc, s)
    return doc.build()


def served(base_url):
    """The document as served at ``base_url``."""
    return b.served(document(), base_url)
