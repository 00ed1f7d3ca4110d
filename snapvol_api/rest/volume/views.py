"""Response bodies, in Cinder's shapes.

A view only maps a manager dict to Cinder's fields; which optional fields
the caller may see is decided by the controller (policy) and passed in.
"""

import datetime
import uuid

from snapvol_api.rest.volume import versions
from snapvol_api.rpc import volume_rpcapi


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


def collection(key, items, next_href=None, links_key=None, count=None):
    """``links_key``: where Cinder puts the next link when it is not
    ``<key>_links`` (groups: ``group_links``); ``count``: how many the
    whole list holds (3.45's ``with_count``)."""
    body = {key: items}
    if next_href:
        body[links_key or key + '_links'] = [{'rel': 'next',
                                              'href': next_href}]
    if count is not None:
        body['count'] = count
    return body


def volume_summary(volume, links):
    return {'id': volume['id'], 'name': volume['name'],
            'links': links.resource('volumes', volume['id'])}


def volume_summary_totals(volumes, show_metadata=False):
    """GET /volumes/summary (3.12); from 3.36 with each metadata key's
    values across the volumes."""
    summary = {'total_size': sum(v['size'] for v in volumes),
               'total_count': len(volumes)}
    if show_metadata:
        values = {}
        for volume in volumes:
            for key, value in volume['metadata'].items():
                values.setdefault(key, set()).add(value)
        summary['metadata'] = {k: sorted(v) for k, v in values.items()}
    return {'volume-summary': summary}


def volume_detail(volume, links, show_tenant=True, show_host=False,
                  show_migration=False, show_group=False,
                  show_provider=False, since=frozenset()):
    """``since``: the field groups of later microversions the request
    asked for (``VOLUME_FIELDS_SINCE``'s keys)."""
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
        'volume_type': volume['volume_type'],
        'user_id': volume['user_id'],
        'replication_status': 'disabled',
        'consistencygroup_id': None,
        'links': links.resource('volumes', volume['id']),
    }
    if show_tenant:
        view['os-vol-tenant-attr:tenant_id'] = volume['project_id']
    if show_host:
        view['os-vol-host-attr:host'] = volume['host_backend_pool']
    if show_migration:
        view['migration_status'] = None
        view['os-vol-mig-status-attr:migstat'] = None
        view['os-vol-mig-status-attr:name_id'] = None
    if show_group:
        view['group_id'] = volume.get('group_id')
    if show_provider:
        # A backend's own name for the volume; the files are named by id.
        view['provider_id'] = None
    for group in since:
        view.update(VOLUME_FIELDS_SINCE[group](volume))
    return view


def _service_uuid(host):
    """Cinder names the volume service that owns a volume by its row's
    uuid; snapvol has no service rows yet, so the same host always gives
    the same uuid."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, 'snapvol-volume:%s' % host))


# The volume fields later microversions add, by the name a controller
# passes in ``since``. File shares need no attach-time locking, hence
# shared_targets false; cluster_name (for administrators) is that of the
# volume managers doing its work; there are no encrypted volumes yet;
# every volume counts against its project's quota.
VOLUME_FIELDS_SINCE = {
    'shared_targets': lambda v: {'shared_targets': False,
                                 'service_uuid': _service_uuid(v['host'])},
    'cluster_name': lambda v: {'cluster_name': v.get('cluster_name')},
    'volume_type_id': lambda v: {'volume_type_id': v['volume_type_id']},
    'encryption_key_id': lambda v: {'encryption_key_id': None},
    'consumes_quota': lambda v: {'consumes_quota': True},
}


def snapshot(snap, show_extended=True, show_group_snapshot=False,
             show_user=False, show_consumes_quota=False):
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
    if show_group_snapshot:
        view['group_snapshot_id'] = snap.get('group_snapshot_id')
    if show_user:
        view['user_id'] = snap['user_id']
    if show_consumes_quota:
        view['consumes_quota'] = True
    return view


def group_type(gtype, show_specs=False):
    view = {'id': gtype['id'], 'name': gtype['name'],
            'description': gtype['description'],
            'is_public': gtype['is_public']}
    if show_specs:
        view['group_specs'] = gtype['group_specs']
    return view


def volume_type(vtype, show_specs=False, show_qos=False):
    """Cinder's view: extra_specs and qos_specs_id to those allowed."""
    view = {'id': vtype['id'], 'name': vtype['name'],
            'description': vtype['description'],
            'is_public': vtype['is_public'],
            'os-volume-type-access:is_public': vtype['is_public']}
    if show_specs:
        view['extra_specs'] = vtype['extra_specs']
    if show_qos:
        view['qos_specs_id'] = vtype['qos_specs_id']
    return view


def default_type(default):
    """A project's own default volume type (3.62)."""
    return {'project_id': default['project_id'],
            'volume_type_id': default['volume_type_id']}


def availability_zone(zone):
    return {'zoneName': zone['name'],
            'zoneState': {'available': zone['available']}}


def group_summary(group):
    """What Cinder lists, and answers to a create."""
    return {'id': group['id'], 'name': group['name']}


def group_detail(group, show_sources=True, show_volumes=False,
                 show_project=False):
    view = {
        'id': group['id'],
        'status': group['status'],
        'availability_zone': group['availability_zone'],
        'created_at': group['created_at'],
        'name': group['name'],
        'description': group['description'],
        'group_type': group['group_type_id'],
        'volume_types': group['volume_types'],
    }
    if show_sources:
        view['group_snapshot_id'] = group['group_snapshot_id']
        view['source_group_id'] = group['source_group_id']
    if show_volumes:
        view['volumes'] = group['volumes']
    if show_project:
        view['project_id'] = group['project_id']
    return view


def group_snapshot_summary(gsnap, show_type=False):
    """Cinder lists id and name, and adds group_type_id in the answer to
    a create."""
    view = {'id': gsnap['id'], 'name': gsnap['name']}
    if show_type:
        view['group_type_id'] = gsnap['group_type_id']
    return view


def group_snapshot_detail(gsnap, show_project=False):
    view = {
        'id': gsnap['id'],
        'group_id': gsnap['group_id'],
        'group_type_id': gsnap['group_type_id'],
        'status': gsnap['status'],
        'created_at': gsnap['created_at'],
        'name': gsnap['name'],
        'description': gsnap['description'],
    }
    if show_project:
        view['project_id'] = gsnap['project_id']
    return view


def message(msg, links):
    """Cinder's view: ``guaranteed_until`` is when it expires."""
    return {
        'id': msg['id'],
        'event_id': msg['event_id'],
        'user_message': msg['user_message'],
        'message_level': msg['message_level'],
        'resource_type': msg['resource_type'],
        'resource_uuid': msg['resource_uuid'],
        'request_id': msg['request_id'],
        'created_at': msg['created_at'],
        'guaranteed_until': msg['expires_at'],
        'links': links.resource('messages', msg['id']),
    }


def transfer_summary(transfer, links):
    return {'id': transfer['id'], 'name': transfer['name'],
            'volume_id': transfer['volume_id'],
            'links': links.resource('os-volume-transfer', transfer['id'])}


def transfer_detail(transfer, links, show_no_snapshots=False,
                    show_history=False):
    """From 3.55 with ``no_snapshots``; from 3.57 with the projects it
    goes from and to, and whether it was accepted."""
    view = dict(transfer_summary(transfer, links),
                created_at=transfer['created_at'])
    if show_no_snapshots:
        view['no_snapshots'] = transfer['no_snapshots']
    if show_history:
        view['source_project_id'] = transfer['project_id']
        view['destination_project_id'] = transfer['destination_project_id']
        view['accepted'] = transfer['accepted']
    return view


def backup_summary(backup, links):
    """Cinder's answer to a create or an update, and its list: id, name,
    links."""
    return {'id': backup['id'], 'name': backup['name'],
            'links': links.resource('backups', backup['id'])}


def backup_detail(backup, links, show_metadata=False, show_project=False,
                  show_user=False):
    """From 3.43 with ``metadata``; to administrators, from 3.18 with the
    project (os-backup-project-attr:project_id) and from 3.56 the
    user."""
    view = dict(backup_summary(backup, links))
    view.update({key: backup[key] for key in (
        'status', 'size', 'object_count', 'availability_zone', 'container',
        'created_at', 'updated_at', 'description', 'fail_reason',
        'volume_id', 'is_incremental', 'has_dependent_backups',
        'snapshot_id', 'data_timestamp')})
    if show_metadata:
        view['metadata'] = backup['metadata']
    if show_project:
        view['os-backup-project-attr:project_id'] = backup['project_id']
    if show_user:
        view['user_id'] = backup['user_id']
    return view


def backup_restore(restore):
    return {'restore': {'backup_id': restore['backup_id'],
                        'volume_id': restore['volume_id'],
                        'volume_name': restore['volume_name']}}


def upload_image(key, upload, show_image_attributes=False,
                 visibility='private', protected=False):
    """Cinder's answer to os-volume_upload_image (under ``key``), with the
    image service's fields of an image file; 3.1: visibility and
    protected, as asked."""
    view = {key: {name: upload[name] for name in (
        'id', 'updated_at', 'status', 'display_description', 'size',
        'volume_type', 'image_id', 'container_format', 'disk_format',
        'image_name')}}
    if show_image_attributes:
        view[key].update(visibility=visibility, protected=protected)
    return view


def resource_filters(filters):
    return {'resource_filters': [
        {'resource': resource, 'filters': sorted(names)}
        for resource, names in sorted(filters.items())]}


def metadata(items):
    return {'metadata': items}


def meta_item(key, value):
    return {'meta': {key: value}}


def service_time(value):
    """A time of the manager's as os-services writes it (Cinder's and
    Nova's serializer): 2026-12-09T10:00:20.000000, UTC."""
    if value is None:
        return None
    return datetime.datetime.fromisoformat(value).strftime(
        '%Y-%m-%dT%H:%M:%S.%f')


def service(svc, show_cluster=False, show_backend_state=False):
    """An os-services entry. The volume managers' (the services of the
    volume RPC topic, Cinder's cinder-volume) also carry the replication
    fields Cinder shows for them (snapvol has no replication) and, from
    3.49, ``backend_state``: "up" while the manager is (its shares are
    mounted while it runs). From 3.7 each shows its ``cluster``."""
    view = {
        'binary': svc['binary'],
        'host': svc['host'],
        'zone': svc['availability_zone'],
        'status': 'disabled' if svc['disabled'] else 'enabled',
        'state': svc['state'],
        'updated_at': service_time(svc['updated_at']),
        'disabled_reason': svc['disabled_reason'],
    }
    if show_cluster:
        view['cluster'] = svc['cluster_name']
    if svc['topic'] == volume_rpcapi.TOPIC:
        view.update(replication_status='disabled', active_backend_id=None,
                    frozen=False)
        if show_backend_state:
            view['backend_state'] = svc['state']
    return view
