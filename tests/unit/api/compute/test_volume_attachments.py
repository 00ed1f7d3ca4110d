"""/v2.1/servers/{id}/os-volume_attachments[/{volume_id}]."""

import uuid

import pytest

VOLUME = str(uuid.uuid4())


@pytest.fixture
def url(server):
    return 'servers/%s/os-volume_attachments' % server['id']


def test_list(admin, server, url):
    boot_volume = server['attachments'][0]['volume_id']
    assert admin.get(url).json == {'volumeAttachments': [{
        'id': boot_volume, 'volumeId': boot_volume,
        'serverId': server['id'], 'device': '/dev/vda'}]}


def test_attach_on_the_instance_host(admin, backend, server, url):
    response = admin.post(url, {'volumeAttachment': {
        'volumeId': VOLUME.upper(), 'device': '/dev/vdc'}})
    assert response.json == {'volumeAttachment': {
        'id': VOLUME, 'volumeId': VOLUME, 'serverId': server['id'],
        'device': '/dev/vdc'}}
    assert backend.calls[-1] == ('attach_volume', {
        'host': 'node1', 'instance_id': server['id'], 'volume_id': VOLUME,
        'device': '/dev/vdc'})


def test_attach_picks_a_device_when_none_is_asked(admin, backend, url):
    for body in ({'volumeId': VOLUME}, {'volumeId': str(uuid.uuid4()),
                                        'device': None}):
        attachment = admin.post(url, {'volumeAttachment': body}).json[
            'volumeAttachment']
        assert attachment['device'].startswith('/dev/vd')
        assert backend.calls[-1][1]['device'] is None


@pytest.mark.parametrize('body, message', [
    ({'volumeAttachment': {'volumeId': 'vol-1'}}, 'volumeId'),
    ({'volumeAttachment': {}}, 'volumeId'),
    ({'volumeAttachment': {'volumeId': VOLUME, 'device': 'vdb'}}, 'device'),
    ({'volumeAttachment': {'volumeId': VOLUME, 'device': '/dev/../x'}},
     'device'),
    ({'volumeAttachment': {'volumeId': VOLUME, 'tag': 'x'}}, 'tag'),
    ({'volumeId': VOLUME}, 'volumeAttachment'),
])
def test_attach_validates(admin, backend, url, body, message):
    response = admin.post(url, body, status=400)
    assert message in response.json['badRequest']['message']
    assert backend.calls == []


def test_show(admin, backend, server, url):
    backend.attach(server['id'], VOLUME)
    assert admin.get('%s/%s' % (url, VOLUME.upper())).json == {
        'volumeAttachment': {'id': VOLUME, 'volumeId': VOLUME,
                             'serverId': server['id'], 'device': '/dev/vdb'}}


@pytest.mark.parametrize('volume_id', [str(uuid.UUID(int=7)), 'nope'])
def test_show_or_detach_unattached_is_404(admin, backend, url, volume_id):
    for response in (admin.get('%s/%s' % (url, volume_id), status=404),
                     admin.delete('%s/%s' % (url, volume_id), status=404)):
        assert 'is not attached' in response.json['itemNotFound']['message']
    assert 'detach_volume' not in backend.call_names()


def test_detach_on_the_instance_host(admin, backend, server, url):
    backend.attach(server['id'], VOLUME)
    response = admin.delete('%s/%s' % (url, VOLUME), status=202)
    assert response.body == b''
    assert backend.calls[-1] == ('detach_volume', {
        'host': 'node1', 'instance_id': server['id'], 'volume_id': VOLUME})


def test_the_boot_volume_stays(admin, backend, server, url):
    boot_volume = server['attachments'][0]['volume_id']
    response = admin.delete('%s/%s' % (url, boot_volume), status=400)
    assert 'root device' in response.json['badRequest']['message']
    assert 'detach_volume' not in backend.call_names()


def test_unknown_server_is_404(admin):
    admin.get('servers/%s/os-volume_attachments' % uuid.uuid4(), status=404)
    admin.post('servers/nope/os-volume_attachments',
               {'volumeAttachment': {'volumeId': VOLUME}}, status=404)
