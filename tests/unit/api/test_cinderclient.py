"""python-cinderclient against the real WSGI server (cheroot) in a thread,
with the in-memory volume manager behind it."""

import uuid

from cinderclient import client
from cinderclient import exceptions as cinder_exceptions
from cinderclient.contrib import noauth
from keystoneauth1 import http_basic
from keystoneauth1 import session
import pytest

from snapvol_api.runtime import wsgi


@pytest.fixture
def serve(make_app):
    servers = []

    def start(auth_strategy='http_basic', **volume_api_opts):
        app = make_app(auth_strategy, **volume_api_opts).app
        server = wsgi.serve(app, '127.0.0.1', 0, 4, name='test-volume-api')
        servers.append(server)
        return 'http://127.0.0.1:%d' % server.port

    yield start
    for server in servers:
        server.stop()


def _basic_client(base_url, user, password, project, version='3'):
    auth = http_basic.HTTPBasicAuth(endpoint='%s/v3/%s' % (base_url, project),
                                    username=user, password=password)
    return client.Client(version, session=session.Session(auth=auth))


def test_volumes_and_snapshots_over_http_basic(serve, backend):
    base_url = serve()
    cinder = _basic_client(base_url, 'alice', 'alice-pw', 'p1')

    volume = cinder.volumes.create(1, name='data', metadata={'a': 'b'})
    assert (volume.size, volume.status) == (1, 'creating')
    backend.volumes[volume.id]['status'] = 'available'
    assert [v.id for v in cinder.volumes.list()] == [volume.id]
    assert cinder.volumes.list(search_opts={'metadata': {'a': 'b'}})
    assert not cinder.volumes.list(search_opts={'metadata': {'a': 'x'}})
    assert cinder.volumes.list(sort='name:asc', limit=1)
    assert cinder.volumes.find(name='data').id == volume.id
    shown = cinder.volumes.get(volume.id)
    assert (shown.name, shown.metadata, shown.bootable) == (
        'data', {'a': 'b'}, 'false')

    cinder.volumes.set_metadata(volume, {'c': 'd'})
    cinder.volumes.delete_metadata(volume, ['a'])
    assert cinder.volumes.get(volume.id).metadata == {'c': 'd'}
    cinder.volumes.update(volume, name='renamed')
    assert cinder.volumes.get(volume.id).name == 'renamed'

    snapshot = cinder.volume_snapshots.create(volume.id, name='snap')
    assert snapshot.volume_id == volume.id
    assert [s.id for s in cinder.volume_snapshots.list()] == [snapshot.id]
    cinder.volume_snapshots.delete(snapshot)
    assert backend.snapshots[snapshot.id]['status'] == 'deleting'

    cinder.volumes.delete(volume)
    assert backend.volumes[volume.id]['status'] == 'deleting'


def test_errors_reach_cinderclient_as_its_exceptions(serve):
    base_url = serve()
    cinder = _basic_client(base_url, 'alice', 'alice-pw', 'p1')
    with pytest.raises(cinder_exceptions.NotFound):
        cinder.volumes.get(str(uuid.uuid4()))
    with pytest.raises(cinder_exceptions.BadRequest, match='size'):
        cinder.volumes.create('abc')
    with pytest.raises(cinder_exceptions.Forbidden):
        cinder.volumes.reset_state(cinder.volumes.create(1), 'error')
    intruder = _basic_client(base_url, 'alice', 'wrong', 'p1')
    with pytest.raises(cinder_exceptions.Unauthorized):
        intruder.volumes.list()


def test_admin_resets_status_with_cinderclient(serve, backend):
    base_url = serve()
    volume = _basic_client(base_url, 'alice', 'alice-pw', 'p1'
                           ).volumes.create(1)
    admin = _basic_client(base_url, 'root', 'root-pw', 'ops')
    admin.volumes.reset_state(volume, 'error')
    assert backend.volumes[volume.id]['status'] == 'error'
    assert len(admin.volumes.list(search_opts={'all_tenants': 1})) == 1


def test_cinderclient_follows_next_links(serve):
    base_url = serve(max_limit=2)
    cinder = _basic_client(base_url, 'alice', 'alice-pw', 'p1')
    created = {cinder.volumes.create(1).id for _ in range(5)}
    assert {v.id for v in cinder.volumes.list()} == created


def test_cinderclient_noauth(serve, backend):
    base_url = serve('noauth')
    auth = noauth.CinderNoAuthPlugin('alice', 'p1',
                                     endpoint=base_url + '/v3')
    cinder = client.Client('3', session=session.Session(auth=auth))
    volume = cinder.volumes.create(2)
    assert [v.id for v in cinder.volumes.list()] == [volume.id]
    assert backend.last_context.project_id == 'p1'
    snapshot = cinder.volume_snapshots.create(volume.id)
    assert cinder.volume_snapshots.get(snapshot.id).volume_id == volume.id


def test_cinderclient_discovers_versions_over_http(serve):
    base_url = serve()
    minimum, maximum = client.get_server_version(base_url + '/v3/p1')
    assert (minimum.get_string(), maximum.get_string()) == ('3.0', '3.71')


def test_groups_and_group_snapshots_with_cinderclient(serve, backend):
    base_url = serve()
    cinder = _basic_client(base_url, 'alice', 'alice-pw', 'p1', '3.14')

    (group_type,) = cinder.group_types.list()
    assert group_type.name == 'consistent'
    assert cinder.group_types.default().id == group_type.id

    group = cinder.groups.create('consistent', 'type1,type2', name='g')
    assert group.name == 'g'
    shown = cinder.groups.get(group.id)
    assert (shown.status, shown.group_type, shown.volume_types) == (
        'available', group_type.id, ['type1', 'type2'])
    assert shown.group_snapshot_id is None
    assert [g.id for g in cinder.groups.list()] == [group.id]

    v1, v2 = cinder.volumes.create(1), cinder.volumes.create(2)
    cinder.groups.update(group, name='renamed',
                         add_volumes='%s,%s' % (v1.id, v2.id))
    assert cinder.groups.get(group.id).name == 'renamed'
    assert cinder.volumes.get(v1.id).group_id == group.id
    assert {v.id for v in cinder.volumes.list(
        search_opts={'group_id': group.id})} == {v1.id, v2.id}

    group_snapshot = cinder.group_snapshots.create(group.id, name='gs')
    assert group_snapshot.group_type_id == group_type.id
    shown = cinder.group_snapshots.get(group_snapshot.id)
    assert (shown.group_id, shown.status) == (group.id, 'creating')
    assert [g.id for g in cinder.group_snapshots.list()] == [
        group_snapshot.id]
    members = cinder.volume_snapshots.list(
        search_opts={'group_snapshot_id': group_snapshot.id})
    assert sorted(s.volume_id for s in members) == sorted([v1.id, v2.id])
    assert {s.group_snapshot_id for s in members} == {group_snapshot.id}

    backend.group_snapshots[group_snapshot.id]['status'] = 'available'
    copy = cinder.groups.create_from_src(group_snapshot.id, None,
                                         name='copy')
    assert copy['name'] == 'copy'
    assert cinder.groups.get(copy['id']).group_snapshot_id == (
        group_snapshot.id)
    assert len(cinder.volumes.list(search_opts={'group_id': copy['id']})) \
        == 2

    cinder.group_snapshots.delete(group_snapshot)
    assert backend.group_snapshots[group_snapshot.id]['status'] == (
        'deleting')
    with pytest.raises(cinder_exceptions.BadRequest):
        cinder.groups.delete(group)
    cinder.groups.delete(group, delete_volumes=True)
    assert backend.calls[-1] == ('delete_group', {
        'group_id': group.id, 'delete_volumes': True})
    assert backend.volumes[v1.id]['status'] == 'deleting'
    with pytest.raises(cinder_exceptions.NotFound):
        cinder.groups.get(group.id)


def test_groups_at_3_13_with_cinderclient(serve):
    base_url = serve()
    cinder = _basic_client(base_url, 'alice', 'alice-pw', 'p1', '3.13')
    group = cinder.groups.create('consistent', 'type1')
    shown = cinder.groups.get(group.id)
    assert shown.status == 'available'
    assert not hasattr(shown, 'group_snapshot_id')
    volume = cinder.volumes.create(1)
    assert volume.group_id is None
    # The server's own answer below 3.14 (the client refuses first).
    with pytest.raises(cinder_exceptions.NotFound):
        cinder.client.get('/group_snapshots')


def test_group_types_are_not_found_at_3_0(serve):
    base_url = serve()
    cinder = _basic_client(base_url, 'alice', 'alice-pw', 'p1')
    with pytest.raises(cinder_exceptions.NotFound):
        cinder.client.get('/group_types')


def test_services_with_cinderclient(serve, backend):
    backend.add_service('vol-a', 'snapvol-volume', cluster_name='gold')
    backend.add_service('vol-b', 'snapvol-volume', state='down')
    backend.add_service('api-a', 'snapvol-volume-api', topic=None)
    base_url = serve()
    admin = _basic_client(base_url, 'root', 'root-pw', 'ops', '3.49')
    listed = admin.services.list()
    assert [(s.host, s.binary, s.state, s.status) for s in listed] == [
        ('vol-a', 'snapvol-volume', 'up', 'enabled'),
        ('vol-b', 'snapvol-volume', 'down', 'enabled'),
        ('api-a', 'snapvol-volume-api', 'up', 'enabled')]
    assert (listed[0].cluster, listed[0].backend_state) == ('gold', 'up')
    assert [s.host for s in admin.services.list(
        host='vol-b', binary='snapvol-volume')] == ['vol-b']
    alice = _basic_client(base_url, 'alice', 'alice-pw', 'p1')
    with pytest.raises(cinder_exceptions.Forbidden):
        alice.services.list()
