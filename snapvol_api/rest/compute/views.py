"""Response bodies, in the shapes of Nova v2.1.

A view maps the compute manager's plain dicts (see ComputeAPI) to Nova's
fields; which optional fields the caller may see is decided by the
controller and passed in. Fields Nova has but snapvol has nothing true to
put in (instance_name, launched_at, security_groups...) are left out
rather than invented.
"""

import datetime
import hashlib
import json

from snapvol_api import states
from snapvol_api.rest.compute import versions

_DESCRIBED_BY = {'rel': 'describedby', 'type': 'text/html',
                 'href': 'https://docs.openstack.org/api-ref/compute/'}

# Nova shows "progress" in these statuses only, and a fault in these.
_PROGRESS_STATUSES = (states.ACTIVE, states.BUILD)
_FAULT_STATUSES = (states.INSTANCE_ERROR, states.INSTANCE_DELETED)
# Nova has no availability zones configured by default; every server is in
# its default zone.
AVAILABILITY_ZONE = 'nova'


# Versions -------------------------------------------------------------------

def _version(links, detailed):
    doc = {
        'id': 'v2.1',
        'status': 'CURRENT',
        'version': str(versions.MAX_VERSION),
        'min_version': str(versions.MIN_VERSION),
        'updated': versions.UPDATED,
        'links': [{'rel': 'self', 'href': links.version()}],
    }
    if detailed:
        doc['links'].append(_DESCRIBED_BY)
        doc['media-types'] = [{
            'base': 'application/json',
            'type': 'application/vnd.openstack.compute+json;version=2.1',
        }]
    return doc


def version_list(links):
    return {'versions': [_version(links, detailed=False)]}


def version(links):
    return {'version': _version(links, detailed=True)}


# Common ---------------------------------------------------------------------

def collection(key, items, next_href=None):
    body = {key: items}
    if next_href:
        body[key + '_links'] = [{'rel': 'next', 'href': next_href}]
    return body


def timestamp(value):
    """An ISO 8601 time from the manager as Nova writes it:
    2025-01-01T12:00:00Z (UTC, whole seconds)."""
    if not value:
        return value
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


# Flavors --------------------------------------------------------------------

def flavor_summary(flavor, links):
    return {'id': flavor.id, 'name': flavor.name,
            'links': links.resource('flavors', flavor.id)}


def flavor_detail(flavor, links):
    return {
        'id': flavor.id,
        'name': flavor.name,
        'ram': flavor.memory_mb,
        'vcpus': flavor.vcpus,
        'disk': flavor.disk_gb,
        'swap': '',
        'rxtx_factor': 1.0,
        'OS-FLV-EXT-DATA:ephemeral': 0,
        'OS-FLV-DISABLED:disabled': False,
        'os-flavor-access:is_public': True,
        'links': links.resource('flavors', flavor.id),
    }


# Servers --------------------------------------------------------------------

def _host_id(instance):
    """Nova's hostId: the same for a project's servers on one host, and
    meaningless to other projects."""
    if not instance['host']:
        return ''
    return hashlib.sha224(('%s%s' % (instance['project_id'] or '',
                                     instance['host'])).encode()
                          ).hexdigest()


def server_summary(instance, links):
    return {'id': instance['id'], 'name': instance['name'],
            'links': links.resource('servers', instance['id'])}


def server_detail(instance, links, show_host=False):
    status = instance['status']
    vm_state, task_state, power_state = states.INSTANCE_NOVA_STATES.get(
        status, (status.lower(), None, 0))
    flavor_id = instance['flavor']['id']
    updated = instance['updated_at'] or instance['created_at']
    view = {
        'id': instance['id'],
        'name': instance['name'],
        'status': status,
        'tenant_id': instance['project_id'],
        'user_id': instance['user_id'],
        'metadata': instance['metadata'],
        'hostId': _host_id(instance),
        # Booted from a volume: Nova shows no image as "".
        'image': '',
        'flavor': {'id': flavor_id,
                   'links': links.bookmark('flavors', flavor_id)},
        'created': timestamp(instance['created_at']),
        'updated': timestamp(updated),
        'addresses': {},
        'accessIPv4': '',
        'accessIPv6': '',
        'key_name': None,
        'config_drive': '',
        'links': links.resource('servers', instance['id']),
        'OS-DCF:diskConfig': 'MANUAL',
        'OS-EXT-AZ:availability_zone': AVAILABILITY_ZONE,
        'OS-EXT-STS:vm_state': vm_state,
        'OS-EXT-STS:power_state': power_state,
        'OS-EXT-STS:task_state': task_state,
        'os-extended-volumes:volumes_attached': [
            {'id': a['volume_id']} for a in instance['attachments']],
    }
    if status in _PROGRESS_STATUSES:
        view['progress'] = 0
    if status in _FAULT_STATUSES and instance.get('fault'):
        view['fault'] = {'code': 500, 'message': instance['fault'],
                         'created': timestamp(updated)}
    if show_host:
        view['OS-EXT-SRV-ATTR:host'] = instance['host']
        view['OS-EXT-SRV-ATTR:hypervisor_hostname'] = instance['host']
    return view


def server_created(instance, links):
    """Nova's answer to a create: little more than where to look."""
    return {'id': instance['id'],
            'links': links.resource('servers', instance['id']),
            'OS-DCF:diskConfig': 'MANUAL'}


# Server parts ---------------------------------------------------------------

def metadata(items):
    return {'metadata': items}


def meta_item(key, value):
    return {'meta': {key: value}}


def device_path(device):
    """The manager names disks as libvirt does ("vdb"); Nova shows the
    guest path ("/dev/vdb")."""
    if device and not device.startswith('/'):
        return '/dev/' + device
    return device


def volume_attachment(attachment, server_id):
    # Nova's id of an attachment (before 2.89) is the volume id.
    return {'id': attachment['volume_id'],
            'volumeId': attachment['volume_id'],
            'serverId': server_id,
            'device': device_path(attachment['device'])}


def assisted_snapshot(snapshot_id, volume_id):
    return {'snapshot': {'id': snapshot_id, 'volumeId': volume_id}}


def assisted_snapshot_set(group_snapshot_id, members):
    return {'group_snapshot_id': group_snapshot_id,
            'snapshots': [{'id': m['create_info']['snapshot_id'],
                           'volumeId': m['volume_id']} for m in members]}


def image_summary(image, links):
    return {'id': image['id'], 'name': image['name'],
            'links': links.resource('images', image['id'])}


def image_detail(image, links):
    """Nova's view of a volume-backed server's snapshot image: no bytes
    of its own (size 0); its properties say how to boot its disks again
    (``bdm_v2``, ``block_device_mapping`` as JSON, as Glance keeps it)."""
    mapping = image['block_device_mapping']
    root = next((d['device_name'] for d in mapping
                 if d['boot_index'] == 0), None)
    metadata = dict(image['properties'], bdm_v2='True',
                    block_device_mapping=json.dumps(mapping),
                    root_device_name=root, image_type='snapshot',
                    instance_uuid=image['instance_id'])
    return {
        'id': image['id'],
        'name': image['name'],
        'status': image['status'],
        'progress': 100 if image['status'] == 'ACTIVE' else 0,
        'minDisk': 0,
        'minRam': 0,
        'created': image['created_at'],
        'updated': image['created_at'],
        'metadata': metadata,
        'OS-EXT-IMG-SIZE:size': 0,
        'server': {'id': image['instance_id'],
                   'links': links.resource('servers', image['instance_id'])},
        'links': links.resource('images', image['id']),
    }


# Limits ---------------------------------------------------------------------

# Nova 2.1's names of each quota's limit; metadata_items limits both the
# server's and the image's metadata.
_LIMIT_NAMES = {
    'instances': ['maxTotalInstances'],
    'cores': ['maxTotalCores'],
    'ram': ['maxTotalRAMSize'],
    'metadata_items': ['maxServerMeta', 'maxImageMeta'],
    'injected_files': ['maxPersonality'],
    'injected_file_content_bytes': ['maxPersonalitySize'],
    'key_pairs': ['maxTotalKeypairs'],
    'server_groups': ['maxServerGroups'],
    'server_group_members': ['maxServerGroupMembers'],
    'floating_ips': ['maxTotalFloatingIps'],
    'security_groups': ['maxSecurityGroups'],
    'security_group_rules': ['maxSecurityGroupRules'],
}
# And of its usage. Snapvol keeps no floating IPs, security groups or
# server groups: none are used.
_USED_NAMES = {
    'instances': 'totalInstancesUsed',
    'cores': 'totalCoresUsed',
    'ram': 'totalRAMUsed',
    'floating_ips': 'totalFloatingIpsUsed',
    'security_groups': 'totalSecurityGroupsUsed',
    'server_groups': 'totalServerGroupsUsed',
}


def limits(quota, usage):
    """Nova's GET /limits: ``quota`` has each limit as an attribute (the
    [compute_quota] options); ``usage`` is ComputeAPI.get_project_usage's.
    No rate limits, as Nova since Newton."""
    absolute = {name: getattr(quota, resource)
                for resource, names in _LIMIT_NAMES.items()
                for name in names}
    absolute.update({name: usage.get(resource, 0)
                     for resource, name in _USED_NAMES.items()})
    return {'limits': {'rate': [], 'absolute': absolute}}


def service(svc):
    """Nova 2.1's os-services entry (integer ids: UUIDs come with 2.53,
    forced_down with 2.11, which this API does not speak)."""
    updated_at = svc['updated_at']
    if updated_at is not None:
        updated_at = datetime.datetime.fromisoformat(updated_at).strftime(
            '%Y-%m-%dT%H:%M:%S.%f')
    return {
        'id': svc['id'],
        'binary': svc['binary'],
        'host': svc['host'],
        'zone': svc['availability_zone'],
        'status': 'disabled' if svc['disabled'] else 'enabled',
        'state': svc['state'],
        'updated_at': updated_at,
        'disabled_reason': svc['disabled_reason'],
    }
