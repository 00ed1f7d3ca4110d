"""Request bodies of the compute API in Nova v2.1's shapes, and the file
name checks of assisted snapshots.

Nova 2.1 refuses unknown fields; so do we. Fields Nova knows but snapvol
has no feature for pass the schema; ``server_create`` refuses them when
they ask for something.
"""

from snapvol_api import exception
from snapvol_api import names
from snapvol_api.rest import jsonbody
from snapvol_api.rest.compute.server_create import UNSUPPORTED_SERVER_FIELDS

JSON_CONTENT_TYPES = ('application/json',
                      'application/vnd.openstack.compute+json')
# Above this a delete_info is not one the volume service wrote.
MAX_DELETE_INFO_CHARS = 4096

uuid_string = jsonbody.uuid_string
# Nova's server name: no whitespace at either end.
server_name = {'type': 'string', 'minLength': 1, 'maxLength': 255,
               'pattern': r'^\S(.*\S)?$'}
metadata = {
    'type': 'object',
    'patternProperties': {
        '^[a-zA-Z0-9_:. -]{1,255}$': {'type': 'string', 'maxLength': 255},
    },
    'additionalProperties': False,
}
# Nova's boot_index: an integer, also as a string; negative or null means
# "not bootable".
boot_index = {'type': ['integer', 'string', 'null'], 'pattern': '^-?[0-9]+$'}
count = {'type': ['integer', 'string'], 'pattern': '^[0-9]+$', 'minimum': 1}
anything = {}


def _envelope(key, properties, required=(), extra=None):
    inner = {'type': 'object', 'properties': properties,
             'required': list(required), 'additionalProperties': False}
    outer = {'type': 'object', 'properties': {key: inner},
             'required': [key], 'additionalProperties': False}
    outer['properties'].update(extra or {})
    return outer


def parse(request, schema):
    """The JSON body of ``request``, valid against ``schema``."""
    return jsonbody.parse(request, schema, JSON_CONTENT_TYPES)


# Assisted volume snapshots --------------------------------------------------

file_name = {'type': 'string', 'minLength': 1, 'maxLength': 255}
optional_file_name = dict(file_name, type=['string', 'null'])

_create_info = {
    'type': 'object',
    'properties': {
        'snapshot_id': uuid_string,
        'type': {'enum': ['qcow2']},
        'new_file': file_name,
        # Nova's schema has it; nothing reads it.
        'id': {'type': 'string'},
    },
    'required': ['snapshot_id', 'type', 'new_file'],
    'additionalProperties': False,
}

snapshot_create = _envelope('snapshot', {
    'volume_id': uuid_string,
    'create_info': _create_info,
}, required=['volume_id', 'create_info'])

# Our list form (seed 002): the volumes of one instance in one
# transaction, named by the group snapshot they make. A domain has at
# most 26 virtio disks here (vda..vdz).
MAX_SET_MEMBERS = 26
snapshot_set_create = {
    'type': 'object',
    'properties': {
        'group_snapshot_id': uuid_string,
        'snapshots': {
            'type': 'array', 'minItems': 1, 'maxItems': MAX_SET_MEMBERS,
            'items': {
                'type': 'object',
                'properties': {'volume_id': uuid_string,
                               'create_info': _create_info},
                'required': ['volume_id', 'create_info'],
                'additionalProperties': False,
            },
        },
    },
    'required': ['group_snapshot_id', 'snapshots'],
    'additionalProperties': False,
}
any_object = {'type': 'object'}

# Checked as {"delete_info": ...}, so that messages name the parameter.
delete_info = _envelope('delete_info', {
    'type': {'enum': ['qcow2']},
    'volume_id': uuid_string,
    'file_to_merge': optional_file_name,
    'merge_target_file': optional_file_name,
}, required=['type', 'volume_id', 'file_to_merge', 'merge_target_file'])

def create_info(fields):
    """The create_info of a valid snapshot_create body, as the compute
    manager takes it."""
    return {
        'snapshot_id': fields['snapshot_id'].lower(),
        'type': fields['type'],
        'new_file': names.check_file_name(fields['new_file'], 'new_file',
                                          exception.InvalidCreateInfo),
    }


def parse_delete_info(text):
    """The ``delete_info`` query parameter (JSON), checked."""
    if text is None:
        raise exception.InvalidDeleteInfo(
            reason='the delete_info query parameter is required')
    if len(text) > MAX_DELETE_INFO_CHARS:
        raise exception.InvalidDeleteInfo(reason='it is too long')
    try:
        info = jsonbody.loads(text)
    except exception.Invalid:
        raise exception.InvalidDeleteInfo(reason='it is not valid JSON')
    jsonbody.validate(delete_info, {'delete_info': info})
    return {
        'type': info['type'],
        'volume_id': info['volume_id'].lower(),
        'file_to_merge': names.check_file_name(
            info['file_to_merge'], 'file_to_merge',
            exception.InvalidDeleteInfo),
        'merge_target_file': names.check_file_name(
            info['merge_target_file'], 'merge_target_file',
            exception.InvalidDeleteInfo),
    }


# Servers --------------------------------------------------------------------

_block_device = {
    'type': 'object',
    'properties': {
        'uuid': uuid_string,
        # A snapshot's uuid makes a new volume from it.
        'source_type': {'enum': ['volume', 'snapshot']},
        'destination_type': {'enum': ['volume']},
        'boot_index': boot_index,
        # Accepted and not used, as Nova's libvirt driver does: the
        # manager names disks itself (vda, vdb...).
        'device_name': {'type': ['string', 'null'], 'maxLength': 255},
        # An existing volume keeps its size; one from a snapshot takes
        # the snapshot's unless given.
        'volume_size': {'type': ['integer', 'string', 'null']},
        # Refused when true, by server_create.
        'delete_on_termination': {'type': ['boolean', 'string', 'null']},
        'disk_bus': {'enum': ['virtio', None]},
        'device_type': {'enum': ['disk', None]},
        'guest_format': {'type': 'null'},
        'no_device': {'enum': [False, None]},
    },
    'required': ['uuid', 'source_type'],
    'additionalProperties': False,
}

server_create = _envelope('server', dict(
    dict.fromkeys(UNSUPPORTED_SERVER_FIELDS, anything),
    name=server_name,
    flavorRef={'type': ['string', 'integer'], 'minLength': 1},
    imageRef={'type': ['string', 'null']},
    block_device_mapping_v2={'type': 'array', 'items': _block_device},
    metadata=metadata,
    networks={'type': ['string', 'array']},
    min_count=count,
    max_count=count,
    availability_zone={'type': ['string', 'null']},
    **{'OS-DCF:diskConfig': {'enum': ['MANUAL', 'AUTO']}},
), required=['name', 'flavorRef'], extra={
    'os:scheduler_hints': {'type': 'object'},
})

metadata_set = {
    'type': 'object',
    'properties': {'metadata': metadata},
    'required': ['metadata'],
    'additionalProperties': False,
}

meta_item = {
    'type': 'object',
    'properties': {'meta': dict(metadata, minProperties=1,
                                maxProperties=1)},
    'required': ['meta'],
    'additionalProperties': False,
}

volume_attachment_create = _envelope('volumeAttachment', {
    'volumeId': uuid_string,
    'device': {'type': ['string', 'null'],
               'pattern': '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$'},
}, required=['volumeId'])

# Server actions (POST /servers/{id}/action): one action a body ----------

server_action = {'type': 'object', 'minProperties': 1, 'maxProperties': 1}

reboot = _envelope('reboot', {
    'type': {'enum': ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']},
}, required=['type'])

create_image = _envelope('createImage', {
    'name': server_name,
    'metadata': metadata,
}, required=['name'])
