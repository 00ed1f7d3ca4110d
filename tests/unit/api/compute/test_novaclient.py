"""python-novaclient, unchanged, against the real WSGI server (cheroot) in
a thread, with the in-memory compute manager behind it: the calls the
volume service makes, and an operator's everyday ones."""

import uuid

from keystoneauth1 import adapter
from keystoneauth1 import discover
from keystoneauth1 import http_basic
from keystoneauth1 import session
from keystoneauth1 import token_endpoint
from novaclient import api_versions
from novaclient import client
from novaclient import exceptions as nova_exceptions
import pytest

from snapvol_api.runtime import wsgi

NEWEST = api_versions.APIVersion('2.latest')


@pytest.fixture
def serve(make_app):
    servers = []

    def start(auth_strategy='http_basic'):
        app = make_app(auth_strategy).app
        server = wsgi.serve(app, '127.0.0.1', 0, 4, name='test-compute-api')
        servers.append(server)
        return 'http://127.0.0.1:%d/v2.1' % server.port

    yield start
    for server in servers:
        server.stop()


def _session(endpoint, user='root', password='root-pw'):
    return session.Session(auth=http_basic.HTTPBasicAuth(
        endpoint=endpoint, username=user, password=password))


def _negotiated(sess):
    """What an operator's tooling does for "2.latest": ask the server,
    then speak the newest version both sides know."""
    probe = client.Client('2.1', session=sess)
    version = api_versions.discover_version(probe, NEWEST)
    return client.Client(version, session=sess)


@pytest.fixture(params=['2.1', 'negotiated'])
def nova(request, serve):
    sess = _session(serve())
    if request.param == 'negotiated':
        return _negotiated(sess)
    return client.Client(request.param, session=sess)


def _bdm(volume_id):
    return [{'uuid': volume_id, 'source_type': 'volume',
             'destination_type': 'volume', 'boot_index': 0,
             'delete_on_termination': False}]


def test_negotiation_settles_on_our_newest_version(serve):
    nova = _negotiated(_session(serve()))
    assert nova.api_version == api_versions.APIVersion('2.1')


def test_keystoneauth_discovers_the_microversion_range(serve):
    endpoint = serve()
    root = endpoint.rsplit('/', 1)[0] + '/'
    for url in (root, endpoint):
        (version,) = discover.Discover(session.Session(), url).version_data()
        assert (version['version'], version['min_microversion'],
                version['max_microversion']) == ((2, 1), (2, 1), (2, 1))
        assert version['url'] == endpoint + '/'
    compute = adapter.Adapter(_session(endpoint), service_type='compute',
                              min_version='2', max_version='2.latest')
    data = compute.get_endpoint_data()
    assert (data.min_microversion, data.max_microversion) == ((2, 1), (2, 1))


def test_assisted_snapshots_as_the_volume_service_sends_them(nova, backend):
    instance = backend.add_instance()
    volume_id = str(uuid.uuid4())
    backend.attach(instance['id'], volume_id)
    snapshot_id = str(uuid.uuid4())

    snapshot = nova.assisted_volume_snapshots.create(
        volume_id, {'snapshot_id': snapshot_id, 'type': 'qcow2',
                    'new_file': 'volume-%s.%s' % (volume_id, snapshot_id)})
    assert (snapshot.id, snapshot.volumeId) == (snapshot_id, volume_id)
    # novaclient puts the JSON into the URL without quoting it.
    nova.assisted_volume_snapshots.delete(snapshot_id, {
        'type': 'qcow2', 'volume_id': volume_id,
        'file_to_merge': 'volume-%s.%s' % (volume_id, snapshot_id),
        'merge_target_file': None})

    assert backend.call_names()[-4:] == [
        'find_volume_attachment', 'volume_snapshot_create',
        'find_volume_attachment', 'volume_snapshot_delete']
    _name, delete = backend.calls[-1]
    assert delete['snapshot_id'] == snapshot_id
    assert delete['delete_info']['merge_target_file'] is None


def test_assisted_snapshot_errors_are_novaclient_exceptions(nova, backend):
    with pytest.raises(nova_exceptions.BadRequest, match='not attached'):
        nova.assisted_volume_snapshots.create(str(uuid.uuid4()), {
            'snapshot_id': str(uuid.uuid4()), 'type': 'qcow2',
            'new_file': 'f'})
    with pytest.raises(nova_exceptions.BadRequest, match='new_file'):
        nova.assisted_volume_snapshots.create(str(uuid.uuid4()), {
            'snapshot_id': str(uuid.uuid4()), 'type': 'qcow2',
            'new_file': '../../etc/passwd'})
    with pytest.raises(nova_exceptions.BadRequest, match='delete_info'):
        nova.assisted_volume_snapshots.delete(str(uuid.uuid4()), {
            'type': 'qcow2', 'volume_id': str(uuid.uuid4())})


def test_servers(nova, backend):
    volume_id = str(uuid.uuid4())
    server = nova.servers.create('vm1', image=None, flavor='2',
                                 block_device_mapping_v2=_bdm(volume_id),
                                 meta={'role': 'db'})
    _name, create = backend.calls[-1]
    assert create['block_devices'] == [{'volume_id': volume_id,
                                        'boot_index': 0}]
    assert create['flavor'] == {'id': '2', 'vcpus': 1, 'memory_mb': 256}

    shown = nova.servers.get(server.id)
    assert (shown.name, shown.status, shown.metadata) == (
        'vm1', 'BUILD', {'role': 'db'})
    assert getattr(shown, 'os-extended-volumes:volumes_attached') == [
        {'id': volume_id}]
    assert getattr(shown, 'OS-EXT-SRV-ATTR:host') == 'node1'
    assert [s.id for s in nova.servers.list()] == [server.id]
    assert [s.id for s in nova.servers.list(detailed=False)] == [server.id]
    assert nova.servers.find(name='vm1').id == server.id
    assert nova.servers.list(search_opts={'status': 'ACTIVE'}) == []

    nova.servers.set_meta(server, {'a': '1'})
    nova.servers.set_meta_item(server, 'b', '2')
    nova.servers.delete_meta(server, ['role'])
    assert nova.servers.get(server.id).metadata == {'a': '1', 'b': '2'}

    nova.servers.delete(server)
    with pytest.raises(nova_exceptions.NotFound):
        nova.servers.get(server.id)


def test_servers_list_follows_pages(nova, backend):
    created = {backend.add_instance()['id'] for _ in range(5)}
    listed = nova.servers.list(limit=-1, search_opts={'all_tenants': 1})
    assert {s.id for s in listed} == created
    assert len(nova.servers.list(limit=2)) == 2


def test_volume_attachments(nova, backend):
    instance = backend.add_instance()
    volume_id = str(uuid.uuid4())
    attachment = nova.volumes.create_server_volume(instance['id'], volume_id,
                                                   '/dev/vdc')
    assert (attachment.serverId, attachment.volumeId, attachment.device) == (
        instance['id'], volume_id, '/dev/vdc')
    assert [a.id for a in nova.volumes.get_server_volumes(instance['id'])
            ] == [volume_id]
    assert nova.volumes.get_server_volume(instance['id'], volume_id
                                          ).device == '/dev/vdc'
    nova.volumes.delete_server_volume(instance['id'], volume_id)
    assert backend.instances[instance['id']]['attachments'] == []


def test_flavors(nova):
    flavors = nova.flavors.list()
    assert [(f.id, f.name, f.ram, f.vcpus) for f in flavors] == [
        ('1', 'm1.tiny', 64, 1), ('2', 'm1.small', 256, 1),
        ('3', 'm1.medium', 1024, 2)]
    assert nova.flavors.get('3').vcpus == 2
    assert nova.flavors.find(name='m1.small').id == '2'
    assert [f.id for f in nova.flavors.list(min_ram=256)] == ['2', '3']


def test_non_admin_is_forbidden(serve):
    nova = client.Client('2.1', session=_session(serve(), 'alice',
                                                 'alice-pw'))
    with pytest.raises(nova_exceptions.Forbidden):
        nova.flavors.list()
    # Discovery is public.
    assert _negotiated(_session(serve(), 'alice', 'alice-pw')
                       ).api_version.get_string() == '2.1'


def test_bad_credentials(serve):
    nova = client.Client('2.1', session=_session(serve(), 'root', 'wrong'))
    with pytest.raises(nova_exceptions.Unauthorized):
        nova.servers.list()


def test_noauth_token(serve, backend):
    endpoint = serve('noauth')
    nova = client.Client('2.1', session=session.Session(
        auth=token_endpoint.Token(endpoint, 'admin:ops')))
    nova.servers.list()
    assert backend.last_context.is_admin
    assert backend.last_context.project_id == 'ops'


def test_create_image_returns_the_image_id(nova, backend):
    """servers.create_image reads the id from the Location header (below
    2.45) or the body: either way it is the image the API made."""
    instance = backend.add_instance()
    backend.attach(instance['id'], str(uuid.uuid4()), boot_index=0)
    image_id = nova.servers.create_image(instance['id'], 'nightly',
                                         {'k': 'v'})
    assert list(backend.images) == [image_id]
    assert backend.images[image_id]['properties'] == {'k': 'v'}


def test_services(nova, backend):
    up = backend.add_service('node1', 'snapvol-compute')
    backend.add_service('node2', 'snapvol-compute', state='down')
    backend.add_service('node1', 'snapvol-compute-api', topic=None,
                        availability_zone='internal')
    listed = nova.services.list()
    assert [(s.host, s.binary, s.state, s.status, s.zone)
            for s in listed] == [
        ('node1', 'snapvol-compute', 'up', 'enabled', 'nova'),
        ('node2', 'snapvol-compute', 'down', 'enabled', 'nova'),
        ('node1', 'snapvol-compute-api', 'up', 'enabled', 'internal')]
    assert listed[0].id == up['id']
    assert [s.host for s in nova.services.list(
        host='node2', binary='snapvol-compute')] == ['node2']
