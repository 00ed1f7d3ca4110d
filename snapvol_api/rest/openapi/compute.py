"""The OpenAPI document of the compute API (Nova v2.1's shapes)."""

import functools

from snapvol_api.rest import faults
from snapvol_api.rest import microversion
from snapvol_api.rest.compute import schemas
from snapvol_api.rest.compute import versions as v
from snapvol_api.rest.openapi import builder as b

P = v.PREFIX

DESCRIPTION = """\
Nova's compute API v2.1, as snapvol serves it: servers booted from
volumes, their metadata, volume attachments and actions, flavors, the
images of volume-backed snapshots, a project's limits, the services
and their heartbeats (os-services), and the assisted volume snapshots
the volume service asks for.

Microversions: the header `OpenStack-API-Version: compute 2.N` (or
`X-OpenStack-Nova-API-Version: 2.N`); this service speaks %s to %s.

Errors are OpenStack faults: {"badRequest": {"code": 400, "message":
"..."}}, named after the status (itemNotFound, conflictingRequest...).
""" % (v.MIN_VERSION, v.MAX_VERSION)


def _schemas(doc):
    s = {}
    s['Server'] = doc.schema('Server', b.obj({
        'id': b.uuid,
        'name': b.string,
        'status': b.string,
        'tenant_id': b.nullable_string,
        'user_id': b.nullable_string,
        'metadata': b.string_map,
        'hostId': b.string,
        'image': {'type': ['string', 'object']},
        'flavor': b.obj({'id': b.string, 'links': b.links},
                        required=['id']),
        'created': b.nullable_string,
        'updated': b.nullable_string,
        'addresses': {'type': 'object'},
        'accessIPv4': b.string,
        'accessIPv6': b.string,
        'key_name': b.nullable_string,
        'config_drive': b.string,
        'links': b.links,
        'progress': b.integer,
        'fault': b.obj({'code': b.integer, 'message': b.string,
                        'created': b.nullable_string},
                       required=['code', 'message']),
        'OS-DCF:diskConfig': b.string,
        'OS-EXT-AZ:availability_zone': b.string,
        'OS-EXT-STS:vm_state': b.nullable_string,
        'OS-EXT-STS:power_state': b.integer,
        'OS-EXT-STS:task_state': b.nullable_string,
        'os-extended-volumes:volumes_attached': b.array(
            b.obj({'id': b.string}, required=['id'])),
        # Where policy shows them.
        'OS-EXT-SRV-ATTR:host': b.nullable_string,
        'OS-EXT-SRV-ATTR:hypervisor_hostname': b.nullable_string,
    }, required=['id', 'name', 'status', 'tenant_id', 'user_id',
                 'metadata', 'hostId', 'image', 'flavor', 'created',
                 'updated', 'addresses', 'links',
                 'os-extended-volumes:volumes_attached']))
    s['Reference'] = doc.schema('Reference', b.obj(
        {'id': b.string, 'name': b.string, 'links': b.links},
        required=['id', 'name', 'links']))
    s['Flavor'] = doc.schema('Flavor', b.obj({
        'id': b.string,
        'name': b.string,
        'ram': b.integer,
        'vcpus': b.integer,
        'disk': b.integer,
        'swap': {'type': ['string', 'integer']},
        'rxtx_factor': b.number,
        'OS-FLV-EXT-DATA:ephemeral': b.integer,
        'OS-FLV-DISABLED:disabled': b.boolean,
        'os-flavor-access:is_public': b.boolean,
        'links': b.links,
    }, required=['id', 'name', 'ram', 'vcpus', 'disk', 'links']))
    s['Image'] = doc.schema('Image', b.obj({
        'id': b.uuid,
        'name': b.string,
        'status': b.string,
        'progress': b.integer,
        'minDisk': b.integer,
        'minRam': b.integer,
        'created': b.nullable_string,
        'updated': b.nullable_string,
        'metadata': {'type': 'object'},
        'OS-EXT-IMG-SIZE:size': b.integer,
        'server': b.obj({'id': b.uuid, 'links': b.links}, required=['id']),
        'links': b.links,
    }, required=['id', 'name', 'status', 'created', 'updated', 'metadata',
                 'links']))
    s['VolumeAttachment'] = doc.schema('VolumeAttachment', b.obj({
        'id': b.uuid, 'volumeId': b.uuid, 'serverId': b.uuid,
        'device': b.nullable_string,
    }, required=['id', 'volumeId', 'serverId', 'device']))
    version = b.obj({
        'id': b.string, 'status': b.string, 'version': b.string,
        'min_version': b.string, 'updated': b.string, 'links': b.links,
        'media-types': b.array(b.obj({'base': b.string, 'type': b.string})),
    }, required=['id', 'status', 'version', 'min_version', 'links'])
    s['VersionList'] = doc.schema('VersionList',
                                  b.envelope('versions', b.array(version)))
    s['Version'] = doc.schema('Version', b.envelope('version', version))
    return s


# Nova 2.1's absolute limits (and usage), every one an integer.
_LIMITS = ['maxServerMeta', 'maxImageMeta', 'maxPersonality',
           'maxPersonalitySize', 'maxTotalInstances', 'maxTotalCores',
           'maxTotalRAMSize', 'maxTotalKeypairs', 'maxServerGroups',
           'maxServerGroupMembers', 'maxTotalFloatingIps',
           'maxSecurityGroups', 'maxSecurityGroupRules',
           'totalInstancesUsed', 'totalCoresUsed', 'totalRAMUsed',
           'totalFloatingIpsUsed', 'totalSecurityGroupsUsed',
           'totalServerGroupsUsed']


def _list(key, item):
    return b.obj({key: b.array(item), key + '_links': b.links},
                 required=[key])


def _root(doc, s):
    doc.add('get', '/', 'The API versions.', {200: s['VersionList']},
            public=True, versioned=False)
    doc.add('get', P + '/', 'The v2.1 API: its microversions.',
            {200: s['Version']}, public=True)
    doc.add('get', '/openapi.json', 'This document.',
            {200: b.obj({'openapi': b.string, 'paths': {'type': 'object'}},
                        required=['openapi', 'paths'])},
            public=True, versioned=False)


def _servers(doc, s):
    c = P + '/servers'
    query = ('limit', 'marker', 'all_tenants', 'project_id', 'tenant_id',
             'name', 'status', 'host', 'sort_key', 'sort_dir',
             'changes-since')
    detail = b.envelope('server', s['Server'])
    doc.add('get', c, 'Servers: ids, names and links.',
            {200: _list('servers', s['Reference'])}, query=query)
    doc.add('get', c + '/detail', 'Servers, in detail.',
            {200: _list('servers', s['Server'])}, query=query)
    doc.add('post', c, 'Boots a server from volumes.',
            {202: b.envelope('server', b.obj({
                'id': b.uuid, 'links': b.links,
                'OS-DCF:diskConfig': b.string}, required=['id', 'links']))},
            request=schemas.server_create)
    doc.add('get', c + '/{server_id}', 'One server.', {200: detail})
    doc.add('delete', c + '/{server_id}', 'Deletes a server.', {204: None})

    m = c + '/{server_id}/metadata'
    metadata = b.envelope('metadata', b.string_map)
    meta = b.envelope('meta', b.string_map)
    doc.add('get', m, "The server's metadata.", {200: metadata})
    doc.add('post', m, 'Merges items into the metadata.', {200: metadata},
            request=schemas.metadata_set)
    doc.add('put', m, 'Replaces the metadata.', {200: metadata},
            request=schemas.metadata_set)
    doc.add('get', m + '/{key}', 'One item.', {200: meta})
    doc.add('put', m + '/{key}', 'Sets one item.', {200: meta},
            request=schemas.meta_item)
    doc.add('delete', m + '/{key}', 'Deletes one item.', {204: None})

    doc.add('post', c + '/{server_id}/action', 'A server action (409 '
            'conflictingRequest in the wrong state).', {
                202: b.envelope('image_id', b.uuid)},
            actions={
                'os-stop': b.action(b.anything),
                'os-start': b.action(b.anything),
                'reboot': b.action(schemas.reboot['properties']['reboot']),
                'createImage': b.action(
                    schemas.create_image['properties']['createImage'],
                    responses={202: b.envelope('image_id', b.uuid)}),
            })

    a = c + '/{server_id}/os-volume_attachments'
    attachment = b.envelope('volumeAttachment', s['VolumeAttachment'])
    doc.add('get', a, "The server's volume attachments.",
            {200: b.envelope('volumeAttachments',
                             b.array(s['VolumeAttachment']))})
    doc.add('post', a, 'Attaches a volume.', {200: attachment},
            request=schemas.volume_attachment_create)
    doc.add('get', a + '/{volume_id}', 'One attachment.', {200: attachment})
    doc.add('delete', a + '/{volume_id}', 'Detaches a volume.', {202: None})


def _others(doc, s):
    f = P + '/flavors'
    query = ('limit', 'marker', 'minDisk', 'minRam', 'is_public',
             'sort_key', 'sort_dir')
    doc.add('get', f, 'The flavors.', {200: _list('flavors', s['Reference'])},
            query=query)
    doc.add('get', f + '/detail', 'The flavors, in detail.',
            {200: _list('flavors', s['Flavor'])}, query=query)
    doc.add('get', f + '/{flavor_id}', 'One flavor.',
            {200: b.envelope('flavor', s['Flavor'])})

    i = P + '/images'
    doc.add('get', i, 'The images of volume-backed server snapshots.',
            {200: b.envelope('images', b.array(s['Reference']))})
    doc.add('get', i + '/detail', 'The images, in detail.',
            {200: b.envelope('images', b.array(s['Image']))})
    doc.add('get', i + '/{image_id}', 'One image.',
            {200: b.envelope('image', s['Image'])})
    doc.add('delete', i + '/{image_id}', 'Deletes an image.', {204: None})

    doc.add('get', P + '/limits', "The project's absolute limits and "
            'usage (an administrator names another with ?tenant_id=).',
            {200: b.envelope('limits', b.obj({
                'rate': b.array(b.anything),
                'absolute': b.obj(dict.fromkeys(_LIMITS, b.integer),
                                  required=_LIMITS),
            }, required=['rate', 'absolute']))},
            query=('tenant_id',))

    doc.add('get', P + '/os-services', 'The processes of the compute '
            'service and whether each is up (its heartbeat within '
            'service_down_time).',
            {200: b.envelope('services', b.array(b.obj({
                'id': b.integer, 'binary': b.string, 'host': b.string,
                'zone': b.nullable_string,
                'status': {'enum': ['enabled', 'disabled']},
                'state': {'enum': ['up', 'down']},
                'updated_at': b.nullable_string,
                'disabled_reason': b.nullable_string},
                required=['id', 'binary', 'host', 'zone', 'status',
                          'state', 'updated_at', 'disabled_reason'])))},
            query=('host', 'binary'))

    a = P + '/os-assisted-volume-snapshots'
    doc.add('post', a, 'Takes a snapshot of an attached volume (or, in '
            "snapvol's list form, of several volumes of one server in one "
            'transaction).', {200: {'oneOf': [
                b.envelope('snapshot', b.obj(
                    {'id': b.uuid, 'volumeId': b.uuid},
                    required=['id', 'volumeId'])),
                b.obj({'group_snapshot_id': b.uuid,
                       'snapshots': b.array(b.obj(
                           {'id': b.uuid, 'volumeId': b.uuid},
                           required=['id', 'volumeId']))},
                      required=['group_snapshot_id', 'snapshots']),
            ]}},
            request={'oneOf': [schemas.snapshot_create,
                               schemas.snapshot_set_create]})
    doc.add('delete', a + '/{snapshot_id}', 'Merges a snapshot away '
            '(?delete_info= says which files, as JSON).', {204: None},
            query=('delete_info',))


@functools.cache
def document():
    """The document (build it once; served as is, with ``servers``)."""
    doc = b.Document(
        'snapvol compute API', str(v.MAX_VERSION), DESCRIPTION,
        microversion_headers={
            'Microversion': (microversion.HEADER, 'compute 2.N'),
            'LegacyMicroversion': (v.LEGACY_HEADER,
                                   "2.N (novaclient's, before 2.27)"),
        },
        faults=b.fault(faults.COMPUTE_FAULT_NAMES,
                       faults.DEFAULT_FAULT_NAME),
        security_schemes=b.SECURITY_SCHEMES,
        extension={'min_version': str(v.MIN_VERSION),
                   'max_version': str(v.MAX_VERSION)})
    s = _schemas(doc)
    _root(doc, s)
    _servers(doc, s)
    _others(doc, s)
    return doc.build()


def served(base_url):
    """The document as served at ``base_url``."""
    return b.served(document(), base_url)
