"""Request bodies of the volume API, in Cinder's shapes."""

import uuid

from oslo_utils import strutils

from snapvol_api import exception
from snapvol_api.rest import jsonbody

MAX_INT = 2 ** 31 - 1
JSON_CONTENT_TYPES = ('application/json',
                      'application/vnd.openstack.volume+json')

# Types ----------------------------------------------------------------------

uuid_string = jsonbody.uuid_string
optional_uuid = dict(uuid_string, type=['string', 'null'])
name = {'type': ['string', 'null'], 'maxLength': 255}
description = {'type': ['string', 'null'], 'maxLength': 255}
short_string = {'type': ['string', 'null'], 'maxLength': 255}
# Cinder's metadata: keys from a safe alphabet, string values. (Cinder
# writes the class as [a-zA-Z0-9-_:. /], where "9-_" is a range that also
# lets in <, >, @ and more; this is the alphabet it means.)
metadata = {
    'type': ['object', 'null'],
    'patternProperties': {
        '^[a-zA-Z0-9_:. /-]{1,255}$': {'type': 'string', 'maxLength': 255},
    },
    'additionalProperties': False,
}
# Cinder accepts a size as a JSON integer or a string of digits ("1").
size = {'type': ['integer', 'string'], 'pattern': '^[0-9]{1,10}$',
        'minimum': 1, 'maximum': MAX_INT}
boolean = {'type': ['boolean', 'string'],
           'enum': [True, False, 'true', 'True', 'TRUE', 'false', 'False',
                    'FALSE', '1', '0', 'yes', 'no', 'on', 'off', 't', 'f',
                    'y', 'n']}
status = {'type': 'string', 'minLength': 1, 'maxLength': 255}

_NAMES = {'name': name, 'description': description,
          'display_name': name, 'display_description': description}


def _envelope(key, properties, required=(), extra=False, non_empty=False):
    inner = {'type': 'object', 'properties': properties,
             'required': list(required), 'additionalProperties': extra}
    if non_empty:
        inner['minProperties'] = 1
    return {'type': 'object', 'properties': {key: inner},
            'required': [key], 'additionalProperties': False}


# Bodies ---------------------------------------------------------------------

# Cinder's create fields; those snapvol has no feature for are refused by
# the controller when they ask for something (clients send them as null).
_VOLUME_CREATE_FIELDS = dict(
    _NAMES, size=size, metadata=metadata, snapshot_id=optional_uuid,
    availability_zone=short_string, volume_type=short_string,
    multiattach=boolean, source_volid=optional_uuid, backup_id=optional_uuid,
    consistencygroup_id=optional_uuid, group_id=optional_uuid,
    imageRef=short_string)
_SCHEDULER_HINTS = {'OS-SCH-HNT:scheduler_hints': {'type': ['object', 'null']}}


def _volume_create(extra):
    schema = _envelope('volume', _VOLUME_CREATE_FIELDS, required=['size'],
                       extra=extra)
    schema['properties'].update(_SCHEDULER_HINTS)
    return schema


# Before 3.53 Cinder took any other field and ignored it (cinderclient
# then sent user_id, project_id, status and attach_status); from 3.53 an
# unknown field is a 400, and an update must change something.
volume_create_before_3_53 = _volume_create(extra=True)
volume_create = _volume_create(extra=False)

volume_update_before_3_53 = _envelope(
    'volume', dict(_NAMES, metadata=metadata), extra=True)
volume_update = _envelope('volume', dict(_NAMES, metadata=metadata),
                          non_empty=True)

snapshot_create = _envelope(
    'snapshot',
    dict(_NAMES, volume_id=optional_uuid, force=boolean, metadata=metadata),
    required=['volume_id'])

snapshot_update = _envelope('snapshot', dict(_NAMES), non_empty=True)

# Groups (3.13, 3.14) ---------------------------------------------------------

group_create = _envelope(
    'group',
    {'name': name, 'description': description,
     'group_type': {'type': 'string', 'minLength': 1, 'maxLength': 255},
     'volume_types': {'type': 'array', 'minItems': 1, 'uniqueItems': True,
                      'items': {'type': 'string', 'minLength': 1,
                                'maxLength': 255}},
     'availability_zone': short_string},
    required=['group_type', 'volume_types'])

# Comma-separated volume ids, as Cinder takes them. (Cinder caps them at
# 255 characters, seven ids; this cap is only there to bound the body.)
volume_id_list = {'type': ['string', 'null'], 'maxLength': 37 * 1000}

group_update = _envelope(
    'group',
    {'name': name, 'description': description,
     'add_volumes': volume_id_list, 'remove_volumes': volume_id_list},
    non_empty=True)

group_delete = {'type': 'object',
                'properties': {'delete-volumes': boolean},
                'additionalProperties': False}

# Exactly one source; the controller says so when it is not (a oneOf would
# make jsonschema's message unreadable).
group_create_from_src = _envelope(
    'create-from-src',
    {'name': name, 'description': description,
     'group_snapshot_id': uuid_string, 'source_group_id': uuid_string},
    required=[])

group_snapshot_create = _envelope(
    'group_snapshot',
    {'name': name, 'description': description, 'group_id': uuid_string},
    required=['group_id'])

metadata_set = _envelope('metadata', {})
metadata_set['properties']['metadata'] = dict(metadata, type='object')

meta_item = {
    'type': 'object',
    'properties': {'meta': dict(metadata, type='object', minProperties=1,
                                maxProperties=1)},
    'required': ['meta'],
    'additionalProperties': False,
}

# Each action checks its own arguments; os-force_delete takes null.
action = {'type': 'object', 'minProperties': 1, 'maxProperties': 1,
          'additionalProperties': {'type': ['object', 'null']}}

no_arguments = {'type': ['object', 'null'], 'maxProperties': 0}

reset_status = {'type': 'object', 'properties': {'status': status},
                'required': ['status'], 'additionalProperties': False}

volume_reset_status = {
    'type': 'object',
    'properties': {
        'status': dict(status, type=['string', 'null']),
        'attach_status': {'type': ['string', 'null'],
                          'enum': ['attached', 'detached', 'ATTACHED',
                                   'DETACHED', None]},
        'migration_status': {'type': ['string', 'null'], 'maxLength': 255},
    },
    'additionalProperties': False,
}

revert = {'type': 'object', 'properties': {'snapshot_id': uuid_string},
          'required': ['snapshot_id'], 'additionalProperties': False}

set_bootable = {'type': 'object', 'properties': {'bootable': boolean},
                'required': ['bootable'], 'additionalProperties': False}

# Cinder's rules for what a compute service may report.
update_snapshot_status = {
    'type': 'object',
    'properties': {
        'status': {'type': 'string',
                   'enum': ['creating', 'available', 'error', 'deleting',
                            'error_deleting']},
        'progress': {'type': ['string', 'null'],
                     'pattern': '^(100|[0-9]{1,2})%$'},
    },
    'required': ['status'],
    'additionalProperties': False,
}

extend = {'type': 'object', 'properties': {'new_size': size},
          'required': ['new_size'], 'additionalProperties': False}

# 3.71: without ``error`` the extend succeeded.
extend_volume_completion = {'type': 'object',
                            'properties': {'error': boolean},
                            'additionalProperties': False}

# 3.68, Cinder's shape, checked before the action is refused.
reimage = {'type': 'object',
           'properties': {'image_id': uuid_string,
                          'reimage_reserved': boolean},
           'required': ['image_id'], 'additionalProperties': False}


transfer_create = _envelope('transfer', {'volume_id': uuid_string,
                                         'name': name},
                            required=['volume_id'])

# /volume-transfers (3.55) also takes no_snapshots.
transfer_create_v355 = _envelope(
    'transfer', {'volume_id': uuid_string, 'name': name,
                 'no_snapshots': boolean},
    required=['volume_id'])

transfer_accept = _envelope('accept', {'auth_key': {
    'type': 'string', 'minLength': 1, 'maxLength': 255}},
    required=['auth_key'])

# Backups, as Cinder's schemas have them (strict at every microversion);
# 3.43 adds metadata, 3.51 availability_zone. A container is a path of
# names under the backup store, checked by the manager.
_BACKUP_CREATE_FIELDS = {
    'volume_id': uuid_string, 'snapshot_id': optional_uuid,
    'name': name, 'description': description,
    'container': short_string, 'incremental': boolean, 'force': boolean}
backup_create = _envelope('backup', _BACKUP_CREATE_FIELDS,
                          required=['volume_id'])
backup_create_v343 = _envelope(
    'backup', dict(_BACKUP_CREATE_FIELDS, metadata=metadata),
    required=['volume_id'])
backup_create_v351 = _envelope(
    'backup', dict(_BACKUP_CREATE_FIELDS, metadata=metadata,
                   availability_zone=short_string),
    required=['volume_id'])
backup_update = _envelope('backup', {'name': name,
                                     'description': description})
backup_update_v343 = _envelope('backup', {'name': name,
                                          'description': description,
                                          'metadata': metadata})
backup_restore = _envelope('restore', {'name': name,
                                       'volume_id': optional_uuid})
backup_restore['properties']['restore']['type'] = ['object', 'null']

# os-volume_upload_image (and snapvol-upload_image of a snapshot):
# Cinder's fields; which formats there are is the manager's to say, so
# that an unsupported one is refused in words. 3.1 adds visibility and
# protected, which concern an image service's image: accepted, unused.
_UPLOAD_IMAGE_FIELDS = {
    'image_name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'disk_format': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'container_format': {'type': 'string', 'minLength': 1,
                         'maxLength': 255},
    'force': boolean}
_IMAGE_ATTRIBUTES = {
    'visibility': {'type': 'string',
                   'enum': ['community', 'public', 'private', 'shared']},
    'protected': boolean}


def _upload_image(fields):
    return {'type': 'object', 'properties': fields,
            'required': ['image_name'], 'additionalProperties': False}


upload_image = _upload_image(_UPLOAD_IMAGE_FIELDS)
upload_image_v31 = _upload_image(dict(_UPLOAD_IMAGE_FIELDS,
                                      **_IMAGE_ATTRIBUTES))
snapshot_upload_image = _upload_image(
    {k: v for k, v in upload_image_v31['properties'].items()
     if k != 'force'})

# Quotas: whole numbers from -1 (no limit), as Cinder also takes them in
# strings; which resources there are is the manager's to say. Like Cinder,
# the project ids cinderclient sends along are ignored.
QUOTA_IGNORED_KEYS = ('id', 'tenant_id')
quota_value = {'type': ['integer', 'string'], 'pattern': '^-?[0-9]{1,10}$',
               'minimum': -1, 'maximum': MAX_INT}
quota_update = {
    'type': 'object',
    'properties': {'quota_set': {
        'type': 'object', 'minProperties': 1,
        'propertyNames': {'pattern': '^[a-z_]{1,255}$'},
        'properties': dict.fromkeys(QUOTA_IGNORED_KEYS, short_string),
        'additionalProperties': quota_value}},
    'required': ['quota_set'],
    'additionalProperties': False,
}

# Volume types, their extra specs and projects' default types (3.62), as
# Cinder's schemas have them.
extra_specs = {
    'type': 'object',
    'patternProperties': {
        '^[a-zA-Z0-9_:. /-]{1,255}$': {'type': 'string', 'maxLength': 255},
    },
    'additionalProperties': False,
}
volume_type_create = _envelope(
    'volume_type',
    {'name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
     'description': description,
     'extra_specs': dict(extra_specs, type=['object', 'null']),
     'os-volume-type-access:is_public': boolean},
    required=['name'])
# cinderclient sends name and description, null when not changed.
volume_type_update = _envelope(
    'volume_type',
    {'name': {'type': ['string', 'null'], 'maxLength': 255},
     'description': description, 'is_public': boolean})
extra_specs_set = {'type': 'object',
                   'properties': {'extra_specs': extra_specs},
                   'required': ['extra_specs'],
                   'additionalProperties': False}
extra_spec_item = dict(extra_specs, minProperties=1, maxProperties=1)
default_type_set = _envelope(
    'default_type',
    {'volume_type': {'type': 'string', 'minLength': 1, 'maxLength': 255}},
    required=['volume_type'])
_type_access = {
    'type': 'object',
    'properties': {'project': {'type': 'string', 'minLength': 1,
                               'maxLength': 255}},
    'required': ['project'], 'additionalProperties': False}
type_access_action = {'type': 'object', 'minProperties': 1,
                      'maxProperties': 1,
                      'properties': {'addProjectAccess': _type_access,
                                     'removeProjectAccess': _type_access},
                      'additionalProperties': False}


# Checks ---------------------------------------------------------------------

def parse(request, schema):
    """The JSON body of ``request``, valid against ``schema``."""
    return jsonbody.parse(request, schema, JSON_CONTENT_TYPES)


def name_and_description(fields):
    """name and description of a validated body; Cinder still takes the
    v1 spellings display_name and display_description."""
    values = {}
    for key in ('name', 'description'):
        for alias in (key, 'display_' + key):
            if alias in fields:
                values[key] = fields[alias]
                break
    return values


def to_size(value):
    """A validated ``size`` field as an int, refusing "0"."""
    value = int(value)
    if not 1 <= value <= MAX_INT:
        raise exception.Invalid(
            'Invalid input for field/attribute size: must be an integer '
            'between 1 and %d.' % MAX_INT)
    return value


def to_id_list(value, field):
    """A validated ``volume_id_list`` as lowercase UUIDs, in order, without
    repeats."""
    ids = []
    for item in (value or '').split(','):
        item = item.strip()
        if not item:
            continue
        try:
            item = str(uuid.UUID(item))
        except ValueError:
            raise exception.Invalid(
                'Invalid input for field/attribute %s: %s is not a volume '
                'id.' % (field, item[:64]))
        if item not in ids:
            ids.append(item)
    return ids


def to_reset_status(args, kind, allowed):
    """The status of a validated ``reset_status`` body, lowercased: one
    of ``allowed`` (the reset_to of ``kind``'s states), else 400."""
    status = args['status'].lower()
    if status not in allowed:
        raise exception.Invalid(
            'Invalid status %s for a %s; expected one of: %s.'
            % (status, kind, ', '.join(allowed)))
    return status


def to_bool(value):
    """A validated ``boolean`` field as a bool."""
    return strutils.bool_from_string(value, strict=True)
