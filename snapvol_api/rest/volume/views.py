"""Response bodies, in the shapes of Cinder v3.0.

A view only maps a manager dict to Cinder's fields; which optional fields
the caller may see is decided by the controller (policy) and passed in.
"""

from snapvol_api.rest.volume import versions


def version_list(links):
    return {'versions': [{
        'id': 'v3.0',
        'status': 'CURRENT',
        'version': str(versions.MAX_VERSION),
        'min_version': str(versions.MIN_VERSION),
        'updated': versions.UPDATED,
        'links': [
            {'rel': 'describedby', 'type': 'text/html',
             'href': 'https://docs.openstack.org/'},
            {'rel': 'self', 'href': links.version()},
        ],
        'media-types': [{
            'base': 'application/json',
            'type': 'application/vnd.openstack.volume+json;version=3',
        }],
    }]}


def collection(key, items, next_href=None):
    body = {key: items}
    if next_href:
        body[key + '_links'] = [{'rel': 'next', 'href': next_href}]
    return body


def volume_summary(volume, links):
    return {'id': volume['id'], 'name': volume['name'],
            'links': links.resource('volumes', volume['id'])}


def volume_detail(volume, links, show_tenant=True, show_host=False,
                  show_migration=False):
    view = {
        'id': volume['id'],
        'name': volume['name'],
        'description': volume['description'],
        'size': volume['size'],
        'status': volume['status'],
        'availability_zone': volume['availability_zone'],
        'created_at': volume['created_at'],
        'updated_at': volume['updated_at'],
        'attachments': volume['attachments'],
        'bootable': 'true' if volume['bootable'] else 'false',
        'encrypted': False,
        'multiattach': False,
        'metadata': volume['metadata'],
        'snapshot_id': volume['snapshot_id'],
        'source_volid': None,
        'volume_type': None,
        'user_id': volume['user_id'],
        'replication_status': 'disabled',
        'consistencygroup_id': None,
        'links': links.resource('volumes', volume['id']),
    }
    if show_tenant:
        view['os-vol-tenant-attr:tenant_id'] = volume['project_id']
    if show_host:
        view['os-vol-host-attr:host'] = volume['host']
    if show_migration:
        view['migration_status'] = None
        view['os-vol-mig-status-attr:migstat'] = None
        view['os-vol-mig-status-attr:name_id'] = None
    return view


def snapshot(snap, show_extended=True):
    view = {
        'id': snap['id'],
        'name': snap['name'],
        'description': snap['description'],
        'volume_id': snap['volume_id'],
        'status': snap['status'],
        'size': snap['size'],
        'metadata': snap['metadata'],
        'created_at': snap['created_at'],
        'updated_at': snap['updated_at'],
    }
    if show_extended:
        view['os-extended-snapshot-attributes:progress'] = snap['progress']
        view['os-extended-snapshot-attributes:project_id'] = (
            snap['project_id'])
    return view


def metadata(items):
    return {'metadata': items}


def meta_item(key, value):
    return {'meta': {key: value}}
