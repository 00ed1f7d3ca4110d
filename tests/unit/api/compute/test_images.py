"""createImage on a volume-backed server and /v2.1/images, in Nova's
shapes, with the in-memory compute manager; python-novaclient's
servers.create_image against the real WSGI server is in
test_novaclient.py."""

import json
import uuid

import pytest


@pytest.fixture
def server_with_data(backend, server):
    backend.attach(server['id'], str(uuid.uuid4()))
    return server


def _create_image(client, server_id, status=202, **body):
    body = body or {'name': 'nightly', 'metadata': {'tier': 'gold'}}
    return client.post('servers/%s/action' % server_id,
                       {'createImage': body}, status=status)


def test_create_image_answers_202_with_its_location(admin, backend,
                                                    server_with_data):
    response = _create_image(admin, server_with_data['id'])
    image_id = response.json['image_id']
    assert response.headers['Location'].endswith('/v2.1/images/%s'
                                                 % image_id)
    name, call = backend.calls[-1]
    assert (name, call) == ('create_image', {
        'instance_id': server_with_data['id'], 'name': 'nightly',
        'metadata': {'tier': 'gold'}})


def test_an_image_shows_as_nova_shows_a_volume_backed_snapshot(
        admin, backend, server_with_data):
    image_id = _create_image(admin, server_with_data['id']).json['image_id']
    image = admin.get('images/%s' % image_id).json['image']
    assert image['OS-EXT-IMG-SIZE:size'] == 0
    assert image['status'] == 'SAVING'
    assert image['server']['id'] == server_with_data['id']
    metadata = image['metadata']
    assert metadata['bdm_v2'] == 'True' and metadata['tier'] == 'gold'
    assert metadata['root_device_name'] == '/dev/vda'
    mapping = json.loads(metadata['block_device_mapping'])
    stored = backend.images[image_id]['block_device_mapping']
    assert mapping == stored
    assert [(d['device_name'], d['boot_index'], d['source_type'])
            for d in mapping] == [('/dev/vda', 0, 'snapshot'),
                                  ('/dev/vdb', None, 'snapshot')]
    listed = admin.get('images').json['images']
    assert [i['id'] for i in listed] == [image_id]
    detailed = admin.get('images/detail').json['images']
    assert detailed[0]['metadata'] == metadata


def test_delete_image(admin, backend, server_with_data):
    image_id = _create_image(admin, server_with_data['id']).json['image_id']
    admin.delete('images/%s' % image_id, status=204)
    assert backend.images == {}
    admin.get('images/%s' % image_id, status=404)
    admin.delete('images/%s' % image_id, status=404)


@pytest.mark.parametrize('body, field', [
    ({}, 'name'),
    ({'name': ''}, 'name'),
    ({'name': 'x', 'metadata': {'k': 1}}, 'metadata'),
    ({'name': 'x', 'extra': 1}, 'extra'),
])
def test_create_image_refuses_bad_bodies(admin, backend, server, body,
                                         field):
    response = admin.post('servers/%s/action' % server['id'],
                          {'createImage': body}, status=400)
    assert field in response.json['badRequest']['message']
    assert 'create_image' not in backend.call_names()


def test_create_image_of_an_unknown_server_is_404(admin, backend):
    _create_image(admin, str(uuid.uuid4()), status=404)
    admin.get('images/%s' % uuid.uuid4(), status=404)
    admin.get('images/not-a-uuid', status=404)
    assert 'create_image' not in backend.call_names()


def test_images_need_the_admin(alice, backend, server):
    _create_image(alice, server['id'], status=403)
    alice.get('images', status=403)
    assert backend.calls == []
