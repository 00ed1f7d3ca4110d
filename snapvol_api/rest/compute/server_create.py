"""A server create body, read as the arguments of
ComputeAPI.create_instance.

snapvol boots from volumes only, one server per request, with no network:
from existing volumes, from volumes made from snapshots, or from the image
of a volume-backed server (imageRef: one volume per member of its group
snapshot). Anything else is refused with a message that says so.
"""

import urllib.parse

from oslo_utils import strutils
from oslo_utils import uuidutils

from snapvol_api import exception
from snapvol_api.rest.compute import flavors

# Nova fields snapvol has no feature for: refused unless empty.
UNSUPPORTED_SERVER_FIELDS = (
    'adminPass', 'personality', 'user_data', 'key_name', 'security_groups',
    'config_drive', 'accessIPv4', 'accessIPv6', 'block_device_mapping',
    'return_reservation_id')


def _refuse(what):
    raise exception.Invalid('%s is not supported by this compute service.'
                            % what)


def _last_path_part(ref):
    """Nova takes an id or its URL (".../flavors/1")."""
    return urllib.parse.urlparse(str(ref)).path.rstrip('/').rsplit('/', 1)[-1]


def _flavor(flavor_ref):
    """An unknown flavor is a 400 in Nova, the request being at fault."""
    try:
        return flavors.get(_last_path_part(flavor_ref))
    except exception.FlavorNotFound as exc:
        raise exception.Invalid(exc.message)


def _flag(value, field):
    if value is None:
        return False
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError:
        raise exception.Invalid('Invalid %s %r: not a boolean.'
                                % (field, value))


def _boot_index(value):
    index = None if value is None else int(value)
    return index if index is not None and index >= 0 else None


def _image_id(image_ref):
    image_id = _last_path_part(image_ref)
    if not uuidutils.is_uuid_like(image_id):
        raise exception.Invalid('Invalid imageRef provided.')
    return image_id.lower()


def _volume_size(value):
    if value in (None, ''):
        return None
    try:
        size = int(value)
    except ValueError:
        size = 0
    if size < 1:
        raise exception.Invalid('Invalid volume_size %r: a positive number '
                                'of GiB.' % (value,))
    return size


def _block_device(mapping):
    """{volume_id, boot_index} of an existing volume, or {snapshot_id,
    volume_size, boot_index} of a volume to make from a snapshot."""
    if _flag(mapping.get('delete_on_termination'), 'delete_on_termination'):
        _refuse('delete_on_termination')
    boot_index = _boot_index(mapping.get('boot_index'))
    if mapping['source_type'] == 'snapshot':
        return {'snapshot_id': mapping['uuid'].lower(),
                'volume_size': _volume_size(mapping.get('volume_size')),
                'boot_index': boot_index}
    return {'volume_id': mapping['uuid'].lower(), 'boot_index': boot_index}


def _block_devices(mappings, image_id):
    """The devices of block_device_mapping_v2, with the boot order Nova
    requires (bootable devices numbered 0, 1, 2...) unless an image
    brings the boot volume."""
    devices = [_block_device(m) for m in mappings]
    sources = [d.get('volume_id') or d['snapshot_id'] for d in devices]
    if len(set(sources)) != len(sources):
        raise exception.Invalid('A volume can be mapped only once.')
    if image_id:
        return devices
    order = sorted(d['boot_index'] for d in devices
                   if d['boot_index'] is not None)
    if not order or order != list(range(len(order))):
        raise exception.Invalid(
            'Block Device Mapping is Invalid: Boot sequence for the '
            'instance and image/block device mapping combination is not '
            'valid; boot from a volume with boot_index 0.')
    return devices


def _check_unsupported(server, body):
    for key in UNSUPPORTED_SERVER_FIELDS:
        if server.get(key) not in (None, '', [], {}, False):
            _refuse(key)
    if server.get('networks') not in (None, 'none', []):
        _refuse('Networking (networks other than "none")')
    for key in ('min_count', 'max_count'):
        if int(server.get(key, 1)) != 1:
            _refuse('Creating more than one server per request (%s)' % key)
    if server.get('availability_zone') not in (None, '', 'nova'):
        _refuse('Availability zone %s' % server['availability_zone'])
    if server.get('OS-DCF:diskConfig') == 'AUTO':
        # A volume's partitions are the guest's business.
        _refuse('OS-DCF:diskConfig AUTO')
    if body.get('os:scheduler_hints'):
        _refuse('os:scheduler_hints')


def parse(body):
    """The keyword arguments of create_instance from a body valid against
    ``schemas.server_create``."""
    server = body['server']
    _check_unsupported(server, body)
    image_id = _image_id(server['imageRef']) if server.get('imageRef') \
        else None
    mappings = server.get('block_device_mapping_v2')
    if not mappings and not image_id:
        raise exception.Invalid(
            'Booting from volumes is the only way to create a server '
            'here: give block_device_mapping_v2 with a volume of '
            'boot_index 0, or the imageRef of a volume-backed server\'s '
            'image.')
    arguments = {
        'name': server['name'],
        'flavor': _flavor(server['flavorRef']).for_rpc(),
        'block_devices': _block_devices(mappings or [], image_id),
        'metadata': server.get('metadata') or {},
    }
    if image_id:
        arguments['image_id'] = image_id
    return arguments
