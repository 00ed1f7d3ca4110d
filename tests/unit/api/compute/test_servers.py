"""/v2.1/servers: boot from volume, list, show, delete."""

import uuid

import pytest

from snapvol_api import exception
from snapvol_api.rest import policy

VOLUME = str(uuid.uuid4())


def _bdm(volume_id=VOLUME, **values):
    mapping = {'uuid': volume_id, 'source_type': 'volume',
               'destination_type': 'volume', 'boot_index': 0}
    mapping.update(values)
    return mapping


# Create ---------------------------------------------------------------------

def test_create_boots_from_the_volume(admin, backend):
    response = admin.create_server(
        name='db1', flavorRef='3', metadata={'role': 'db'},
        block_device_mapping_v2=[
            _bdm(VOLUME.upper()),
            _bdm(str(uuid.UUID(int=1)), boot_index=None),
            _bdm(str(uuid.UUID(int=2)), boot_index='-1',
                 device_name='vdz', volume_size=3, disk_bus='virtio',
                 device_type='disk', delete_on_termination='false')],
        networks='none', min_count=1, max_count='1')
    ((name, create),) = backend.calls
    assert name == 'create_instance'
    assert create == {
        'name': 'db1',
        'flavor': {'id': '3', 'vcpus': 2, 'memory_mb': 1024},
        'block_devices': [
            {'volume_id': VOLUME, 'boot_index': 0},
            {'volume_id': str(uuid.UUID(int=1)), 'boot_index': None},
            {'volume_id': str(uuid.UUID(int=2)), 'boot_index': None}],
        'metadata': {'role': 'db'},
    }
    server = response.json['server']
    assert set(server) == {'id', 'links', 'OS-DCF:diskConfig'}
    assert response.headers['Location'] == (
        'http://localhost/v2.1/servers/%s' % server['id'])
    assert server['links'][0]['href'] == response.headers['Location']
    assert backend.last_context.project_id == 'ops'


@pytest.mark.parametrize('flavor_ref', [
    '2', 2, 'http://localhost/v2.1/flavors/2', 'http://localhost/flavors/2/'])
def test_create_takes_flavor_ids_and_links(admin, backend, flavor_ref):
    admin.create_server(flavorRef=flavor_ref)
    assert backend.calls[-1][1]['flavor']['id'] == '2'


def test_create_image_absent_or_null(admin, backend):
    admin.create_server(imageRef=None)
    body = {'server': {'name': 'x', 'flavorRef': '1',
                       'block_device_mapping_v2': [_bdm()]}}
    admin.post('servers', body, status=202)
    assert backend.call_names() == ['create_instance'] * 2


def test_create_boots_from_an_image_and_snapshots(admin, backend):
    """imageRef (an id or its URL) names a volume-backed server's image;
    a snapshot source makes a new volume; no boot volume is needed in
    the request when an image brings one."""
    image = str(uuid.uuid4())
    snapshot = str(uuid.uuid4())
    for ref in (image.upper(), 'http://localhost/v2.1/images/%s' % image):
        admin.create_server(imageRef=ref, block_device_mapping_v2=[
            _bdm(snapshot, source_type='snapshot', boot_index=None,
                 volume_size='2')])
        create = backend.calls[-1][1]
        assert create['image_id'] == image
        assert create['block_devices'] == [
            {'snapshot_id': snapshot, 'volume_size': 2, 'boot_index': None}]
    body = {'server': {'name': 'x', 'flavorRef': '1', 'imageRef': image}}
    admin.post('servers', body, status=202)
    assert backend.calls[-1][1]['block_devices'] == []
    admin.create_server(block_device_mapping_v2=[
        _bdm(snapshot, source_type='snapshot')])
    assert backend.calls[-1][1]['block_devices'] == [
        {'snapshot_id': snapshot, 'volume_size': None, 'boot_index': 0}]
    assert 'image_id' not in backend.calls[-1][1]


@pytest.mark.parametrize('fields, message', [
    ({'imageRef': 'not-an-image'}, 'imageRef'),
    ({'imageRef': str(uuid.uuid4()), 'block_device_mapping_v2': [
        _bdm(source_type='snapshot', volume_size=0)]}, 'volume_size'),
    ({'block_device_mapping_v2': [
        _bdm(source_type='snapshot', volume_size='big')]}, 'volume_size'),
    ({'block_device_mapping_v2': [
        _bdm(), _bdm(source_type='snapshot', boot_index=None)]},
     'only once'),
])
def test_create_refuses_bad_images_and_snapshot_sources(admin, backend,
                                                        fields, message):
    response = admin.create_server(status=400, **fields)
    assert message in response.json['badRequest']['message']
    assert backend.calls == []


@pytest.mark.parametrize('fields, message', [
    ({'networks': [{'uuid': str(uuid.uuid4())}]}, 'networks'),
    ({'networks': 'auto'}, 'networks'),
    ({'min_count': 2}, 'min_count'),
    ({'max_count': 3}, 'max_count'),
    ({'key_name': 'k'}, 'key_name'),
    ({'user_data': 'IyE='}, 'user_data'),
    ({'security_groups': [{'name': 'web'}]}, 'security_groups'),
    ({'personality': [{'path': '/x', 'contents': ''}]}, 'personality'),
    ({'adminPass': 'secret'}, 'adminPass'),
    ({'config_drive': True}, 'config_drive'),
    ({'availability_zone': 'az2'}, 'az2'),
    ({'block_device_mapping': [{'volume_id': VOLUME}]},
     'block_device_mapping'),
    ({'return_reservation_id': True}, 'return_reservation_id'),
    ({'OS-DCF:diskConfig': 'AUTO'}, 'diskConfig'),
])
def test_create_refuses_what_snapvol_cannot_do(admin, backend, fields,
                                               message):
    response = admin.create_server(status=400, **fields)
    assert message in response.json['badRequest']['message']
    assert backend.calls == []


def test_create_refuses_scheduler_hints(admin, backend):
    body = {'server': {'name': 'x', 'flavorRef': '1',
                       'block_device_mapping_v2': [_bdm()]},
            'os:scheduler_hints': {'group': 'g'}}
    admin.post('servers', body, status=400)
    assert backend.calls == []


@pytest.mark.parametrize('fields, message', [
    ({'flavorRef': '42'}, 'Flavor 42 could not be found'),
    ({'flavorRef': ''}, 'flavorRef'),
    ({'name': ''}, 'name'),
    ({'name': ' padded'}, 'name'),
    ({'name': 'x' * 256}, 'name'),
    ({'name': None}, 'name'),
    ({'description': 'only from 2.19'}, 'description'),
    ({'metadata': {'k': 1}}, 'metadata'),
    ({'metadata': {'a/b': 'v'}}, 'metadata'),
    ({'block_device_mapping_v2': []}, 'block_device_mapping_v2'),
    ({'block_device_mapping_v2': None}, 'block_device_mapping_v2'),
    ({'block_device_mapping_v2': [_bdm(source_type='image')]},
     'source_type'),
    ({'block_device_mapping_v2': [_bdm(destination_type='local')]},
     'destination_type'),
    ({'block_device_mapping_v2': [_bdm('vol-1')]}, 'uuid'),
    ({'block_device_mapping_v2': [_bdm(boot_index=1)]}, 'Boot sequence'),
    ({'block_device_mapping_v2': [_bdm(boot_index=None)]}, 'Boot sequence'),
    ({'block_device_mapping_v2': [_bdm(boot_index='first')]}, 'boot_index'),
    ({'block_device_mapping_v2': [_bdm(), _bdm(str(uuid.uuid4()))]},
     'Boot sequence'),
    ({'block_device_mapping_v2': [_bdm(), _bdm(boot_index=1)]},
     'only once'),
    ({'block_device_mapping_v2': [_bdm(delete_on_termination=True)]},
     'delete_on_termination'),
    ({'block_device_mapping_v2': [_bdm(delete_on_termination='yes')]},
     'delete_on_termination'),
    ({'block_device_mapping_v2': [_bdm(delete_on_termination='maybe')]},
     'delete_on_termination'),
    ({'block_device_mapping_v2': [_bdm(disk_bus='ide')]}, 'disk_bus'),
    ({'block_device_mapping_v2': [_bdm(tag='t')]}, 'tag'),
    ({'min_count': 0}, 'min_count'),
])
def test_create_validates(admin, backend, fields, message):
    response = admin.create_server(status=400, **fields)
    assert message in response.json['badRequest']['message']
    assert backend.calls == []


def test_create_needs_a_body(admin, backend):
    for body in ({}, {'server': None}, {'server': {'name': 'x'}}, []):
        admin.post('servers', body, status=400)
    assert backend.calls == []


def test_create_errors_of_the_manager_are_shown(admin, backend):
    backend.error = exception.InvalidInput(reason='volume is in use')
    response = admin.create_server(status=400)
    assert 'volume is in use' in response.json['badRequest']['message']


# Show -----------------------------------------------------------------------

def test_show_is_nova_21_detail(admin, backend, server):
    response = admin.get('servers/' + server['id'].upper())
    assert backend.calls == [('get_instance', {'instance_id': server['id']})]
    view = response.json['server']
    boot_volume = server['attachments'][0]['volume_id']
    assert view == {
        'id': server['id'],
        'name': 'web',
        'status': 'ACTIVE',
        'tenant_id': 'ops',
        'user_id': 'root',
        'metadata': {},
        'hostId': view['hostId'],
        'image': '',
        'flavor': {'id': '1', 'links': [
            {'rel': 'bookmark', 'href': 'http://localhost/flavors/1'}]},
        'created': '2025-01-01T00:00:00Z',
        'updated': '2025-01-01T00:00:00Z',
        'addresses': {},
        'accessIPv4': '',
        'accessIPv6': '',
        'key_name': None,
        'config_drive': '',
        'links': [
            {'rel': 'self', 'href': 'http://localhost/v2.1/servers/%s'
             % server['id']},
            {'rel': 'bookmark', 'href': 'http://localhost/servers/%s'
             % server['id']}],
        'progress': 0,
        'OS-DCF:diskConfig': 'MANUAL',
        'OS-EXT-AZ:availability_zone': 'nova',
        'OS-EXT-SRV-ATTR:host': 'node1',
        'OS-EXT-SRV-ATTR:hypervisor_hostname': 'node1',
        'OS-EXT-STS:vm_state': 'active',
        'OS-EXT-STS:power_state': 1,
        'OS-EXT-STS:task_state': None,
        'os-extended-volumes:volumes_attached': [{'id': boot_volume}],
    }
    assert len(view['hostId']) == 56


@pytest.mark.parametrize('status, vm_state, power_state', [
    ('BUILD', 'building', 0), ('SHUTOFF', 'stopped', 4),
    ('ERROR', 'error', 0)])
def test_show_maps_statuses(admin, backend, status, vm_state, power_state):
    instance = backend.add_instance(status=status)
    view = admin.get('servers/' + instance['id']).json['server']
    assert (view['status'], view['OS-EXT-STS:vm_state'],
            view['OS-EXT-STS:power_state']) == (status, vm_state,
                                                power_state)
    assert ('progress' in view) == (status == 'BUILD')


def test_show_gives_the_fault_of_a_failed_server(admin, backend):
    instance = backend.add_instance(
        status='ERROR', fault='volume x is not available',
        updated_at='2025-02-03T04:05:06.789+00:00')
    view = admin.get('servers/' + instance['id']).json['server']
    assert view['fault'] == {'code': 500,
                             'message': 'volume x is not available',
                             'created': '2025-02-03T04:05:06Z'}
    assert view['updated'] == '2025-02-03T04:05:06Z'


def test_show_hides_the_host_unless_allowed(make_app, config, tmp_path,
                                            admin, server):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text(
        '"os_compute_api:os-extended-server-attributes": "!"\n')
    config.config(group='oslo_policy', policy_file=str(policy_file))
    policy.reset()
    view = make_app().get('/v2.1/servers/' + server['id'],
                          headers=admin.headers).json['server']
    assert 'OS-EXT-SRV-ATTR:host' not in view


@pytest.mark.parametrize('server_id', ['nope', '1', str(uuid.UUID(int=7))])
def test_show_unknown_is_404(admin, backend, server_id):
    response = admin.get('servers/' + server_id, status=404)
    assert response.json['itemNotFound']['message'] == (
        'Instance %s could not be found.' % server_id)


# List -----------------------------------------------------------------------

@pytest.fixture
def three(backend):
    return [backend.add_instance(name=name, status=status, **extra)
            for name, status, extra in [
                ('web-1', 'ACTIVE', {}),
                ('web-2', 'SHUTOFF', {'host': 'node2'}),
                ('db-1', 'ACTIVE', {'project_id': 'p1'})]]


def _names(response):
    return [s['name'] for s in response.json['servers']]


def test_list_own_project_newest_first(admin, backend, three):
    response = admin.get('servers')
    assert _names(response) == ['web-2', 'web-1']
    assert set(response.json['servers'][0]) == {'id', 'name', 'links'}
    assert backend.calls == [('list_instances',
                              {'filters': {'project_id': 'ops'}})]
    assert 'servers_links' not in response.json


def test_detail_lists_details(admin, three):
    servers = admin.get('servers/detail').json['servers']
    assert [s['OS-EXT-SRV-ATTR:host'] for s in servers] == ['node2', 'node1']


@pytest.mark.parametrize('query, names, filters', [
    ('all_tenants=1', ['db-1', 'web-2', 'web-1'], {}),
    ('all_tenants', ['db-1', 'web-2', 'web-1'], {}),
    ('all_tenants=True&project_id=p1', ['db-1'], {'project_id': 'p1'}),
    ('all_tenants=1&tenant_id=p1', ['db-1'], {'project_id': 'p1'}),
    ('all_tenants=0', ['web-2', 'web-1'], {'project_id': 'ops'}),
    ('status=active', ['web-1'], {'project_id': 'ops', 'status': 'ACTIVE'}),
    ('status=ACTIVE&status=SHUTOFF', ['web-2', 'web-1'],
     {'project_id': 'ops'}),
    ('host=node2', ['web-2'], {'project_id': 'ops', 'host': 'node2'}),
    # Nova's name filter is a regular expression.
    ('name=web', ['web-2', 'web-1'], {'project_id': 'ops'}),
    ('name=^web-1$', ['web-1'], {'project_id': 'ops'}),
    ('all_tenants=1&name=-1', ['db-1', 'web-1'], {}),
    ('flavor=1', ['web-2', 'web-1'], {'project_id': 'ops'}),
    ('flavor=2', [], {'project_id': 'ops'}),
    ('ip=10.0.0.1', [], {'project_id': 'ops'}),
    ('image=%s' % uuid.UUID(int=8), [], {'project_id': 'ops'}),
    ('sort_key=display_name&sort_dir=asc', ['web-1', 'web-2'],
     {'project_id': 'ops'}),
    ('sort_key=host&sort_key=display_name', ['web-2', 'web-1'],
     {'project_id': 'ops'}),
    ('unknown=ignored', ['web-2', 'web-1'], {'project_id': 'ops'}),
])
def test_list_filters_and_sorts(admin, backend, three, query, names,
                                filters):
    assert _names(admin.get('servers/detail?' + query)) == names
    assert backend.calls[-1] == ('list_instances', {'filters': filters})


def test_list_pages(admin, backend):
    ids = [backend.add_instance()['id'] for _ in range(5)][::-1]
    first = admin.get('servers?limit=2').json
    assert [s['id'] for s in first['servers']] == ids[:2]
    (link,) = first['servers_links']
    assert link['rel'] == 'next'
    assert link['href'] == (
        'http://localhost/v2.1/servers?limit=2&marker=%s' % ids[1])
    second = admin.get('servers?limit=2&marker=%s' % ids[1]).json
    assert [s['id'] for s in second['servers']] == ids[2:4]
    last = admin.get('servers/detail?limit=2&marker=%s' % ids[3]).json
    assert [s['id'] for s in last['servers']] == ids[4:]
    assert 'servers_links' not in last
    assert admin.get('servers?limit=0').json == {'servers': []}


@pytest.mark.parametrize('query, message', [
    ('limit=x', 'limit'), ('limit=-1', 'limit'),
    ('marker=%s' % uuid.UUID(int=9), 'marker'),
    ('sort_key=password', 'sort_key'),
    ('sort_dir=up', 'sort_dir'), ('all_tenants=maybe', 'all_tenants'),
    ('name=(', 'name'), ('name=' + 'x' * 300, 'name'),
])
def test_list_refuses_bad_queries(admin, three, query, message):
    response = admin.get('servers?' + query, status=400)
    assert message in response.json['badRequest']['message']


# Delete ---------------------------------------------------------------------

def test_delete_asks_the_instance_host(admin, backend, server):
    response = admin.delete('servers/' + server['id'])
    assert response.body == b''
    assert backend.calls == [
        ('get_instance', {'instance_id': server['id']}),
        ('delete_instance', {'host': 'node1', 'instance_id': server['id']})]
    assert server['id'] not in backend.instances


def test_delete_unknown_is_404(admin, backend):
    admin.delete('servers/' + str(uuid.uuid4()), status=404)
    admin.delete('servers/nope', status=404)
    assert backend.call_names() == ['get_instance']
