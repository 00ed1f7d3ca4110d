"""A server create body, read as the arguments of
ComputeAPI.create_instance.

snapvol boots from volumes only, one server per request, with no network:
anything else is refused with a message that says so.
"""

import urllib.parse

from oslo_utils import strutils

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


def _flavor(flavor_ref):
    """Nova takes the flavor id or its URL (".../flavors/1"); an unknown
    one is a 400 there, the request being at fault."""
    flavor_id = urllib.parse.urlparse(str(flavor_ref)).path.rstrip('/')
    flavor_id = flavor_id.rsplit('/', 1)[-1]
    try:
        return flavors.get(flavor_id)
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


def _block_devices(mappings):
    """[{volume_id, boot_index}] from block_device_mapping_v2, with the
    boot order Nova requires: bootable devices numbered 0, 1, 2..."""
    devices = []
    for mapping in mappings:
        if _flag(mapping.get('delete_on_termination'),
                 'delete_on_termination'):
            _refuse('delete_on_termination')
        devices.append({'volume_id': mapping['uuid'].lower(),
                        'boot_index': _boot_index(mapping.get('boot_index'))})
    volume_ids = [d['volume_id'] for d in devices]
    if len(set(volume_ids)) != len(volume_ids):
        raise exception.Invalid('A volume can be mapped only once.')
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
    if server.get('imageRef'):
        _refuse('Booting from an image (imageRef)')
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
    if not server.get('block_device_mapping_v2'):
        raise exception.Invalid(
            'Booting from a volume is the only way to create a server '
            'here: give block_device_mapping_v2 with a volume of '
            'boot_index 0.')
    return {
        'name': server['name'],
        'flavor': _flavor(server['flavorRef']).for_rpc(),
        'block_devices': _block_devices(server['block_device_mapping_v2']),
        'metadata': server.get('metadata') or {},
    }
