"""Every error is a Nova fault: {"<name>": {"code": N, "message": ...}},
and bad input never makes a 500."""

import itertools
import json
import uuid

import oslo_messaging as messaging
import pytest

from snapvol_api import exception


def _fault(response, name, code):
    assert response.content_type == 'application/json'
    assert response.json == {name: {
        'code': code, 'message': response.json[name]['message']}}
    return response.json[name]['message']


@pytest.mark.parametrize('error, status, name', [
    (exception.InvalidInput(reason='nope'), 400, 'badRequest'),
    (exception.Forbidden(action='x'), 403, 'forbidden'),
    (exception.InstanceNotFound(instance_id='i'), 404, 'itemNotFound'),
    (exception.InstanceInvalidState(instance_id='i', state='BUILD'), 409,
     'conflictingRequest'),
    (exception.ServiceUnavailable(reason='busy'), 503,
     'serviceUnavailable'),
])
def test_snapvol_exceptions_keep_code_and_message(admin, backend, error,
                                                  status, name):
    backend.error = error
    response = admin.get('servers', status=status)
    assert _fault(response, name, status) == error.message


def test_instance_state_conflict_on_attach(admin, backend, server,
                                           monkeypatch):
    def building(*args, **kwargs):
        raise exception.InstanceInvalidState(instance_id=server['id'],
                                             state='BUILD')
    monkeypatch.setattr(backend, 'attach_volume', building)
    response = admin.post(
        'servers/%s/os-volume_attachments' % server['id'],
        {'volumeAttachment': {'volumeId': str(uuid.uuid4())}}, status=409)
    assert 'BUILD' in _fault(response, 'conflictingRequest', 409)


def test_messaging_timeout_is_503(admin, backend):
    backend.error = messaging.MessagingTimeout('no reply on topic x')
    message = _fault(admin.get('servers', status=503), 'serviceUnavailable',
                     503)
    assert 'compute service did not answer' in message


def test_unreachable_broker_is_503(admin, backend):
    backend.error = messaging.MessageDeliveryFailure('broker down')
    _fault(admin.get('servers', status=503), 'serviceUnavailable', 503)


@pytest.mark.parametrize('error', [
    RuntimeError('secret internals /srv/volumes/x'),
    exception.HypervisorError(reason='/srv/secret domain xml'),
    messaging.RemoteError('KeyError', 'secret', 'Traceback /srv/secret'),
])
def test_unexpected_errors_are_500_without_internals(admin, backend, error,
                                                     caplog):
    backend.error = error
    response = admin.get('servers', status=500)
    _fault(response, 'computeFault', 500)
    assert 'secret' not in response.text
    assert 'secret' in caplog.text


def test_malformed_json(admin):
    response = admin.app.post('/v2.1/servers', '{"server": {"name": 1',
                              headers=dict(admin.headers, **{
                                  'Content-Type': 'application/json'}),
                              status=400)
    assert _fault(response, 'badRequest', 400) == 'Malformed request body.'


def test_body_not_utf8(admin):
    admin.app.post('/v2.1/os-assisted-volume-snapshots', b'\xff\xfe{}',
                   headers=dict(admin.headers, **{
                       'Content-Type': 'application/json'}), status=400)


def test_nova_media_type_is_json(admin, backend):
    body = {'server': {'name': 'x', 'flavorRef': '1',
                       'block_device_mapping_v2': [{
                           'uuid': str(uuid.uuid4()), 'boot_index': 0,
                           'source_type': 'volume'}]}}
    admin.app.post('/v2.1/servers', json.dumps(body), status=202,
                   headers=dict(admin.headers, **{
                       'Content-Type':
                           'application/vnd.openstack.compute+json'}))


def test_wrong_content_type_is_415(admin):
    response = admin.app.post('/v2.1/servers', 'name=x',
                              headers=admin.headers, status=415)
    _fault(response, 'badMediaType', 415)


def test_body_too_large_is_413(admin):
    body = {'metadata': {'k%d' % i: 'v' * 200 for i in range(1000)}}
    response = admin.app.post_json('/v2.1/servers/%s/metadata'
                                   % uuid.uuid4(), body,
                                   headers=admin.headers, status=413)
    _fault(response, 'overLimit', 413)


@pytest.mark.parametrize('path', [
    '/v2.1/nope', '/v2', '/v2.0/servers', '/v3/servers', '/v2.1/servers/x/y',
    '/v2.1/servers/x/metadata/k/z', '/v2.1/flavors/1/x',
    '/v2.1/servers/__class__', '/v2.1/servers/x/_lookup',
    '/v2.1/servers.json',
    '/v2.1/servers/x/os-volume_attachments/v/w',
])
def test_unknown_paths_are_404(admin, path):
    _fault(admin.app.get(path, headers=admin.headers, status=404),
           'itemNotFound', 404)


def test_unsupported_method_is_405(admin):
    response = admin.app.patch('/v2.1/servers', headers=admin.headers,
                               status=405)
    _fault(response, 'badMethod', 405)


def test_errors_carry_a_request_id(admin):
    response = admin.get('servers/x', status=404)
    assert response.headers['X-OpenStack-Request-Id'].startswith('req-')


_ODD_SEGMENTS = ['__class__', '__dict__', '_custom_actions', '_route',
                 '_lookup', 'get_all', 'get_one', 'post', 'delete', 'detail',
                 'metadata', 'os-volume_attachments', 'action', 'new', 'edit',
                 'index', 'versions', 'version', '', '%2F', '..']


@pytest.mark.parametrize('method', ['GET', 'POST', 'PUT', 'DELETE',
                                    'PATCH', 'OPTIONS'])
def test_odd_urls_never_500(admin, server, method):
    volume_id = server['attachments'][0]['volume_id']
    bases = ['', '/v2.1', '/v2.1/servers', '/v2.1/flavors',
             '/v2.1/os-assisted-volume-snapshots',
             '/v2.1/servers/' + server['id'],
             '/v2.1/servers/%s/metadata' % server['id'],
             '/v2.1/servers/%s/os-volume_attachments' % server['id'],
             '/v2.1/servers/%s/os-volume_attachments/%s' % (server['id'],
                                                            volume_id)]
    headers = dict(admin.headers, **{'Content-Type': 'application/json'})
    bodies = [b'{"meta": {"k": "v"}}']
    if method in ('POST', 'PUT'):
        bodies += [b'[]',
                   b'{"snapshot": {"volume_id": "%s"}}' % volume_id.encode()]
    for base, segment in itertools.product(bases, _ODD_SEGMENTS):
        for path in (base + '/' + segment, base + '/' + segment + '/x',
                     base + '/' + segment + '?delete_info=%7B&limit=-1'):
            for body in bodies:
                response = admin.app.request(
                    path, method=method, headers=headers,
                    expect_errors=True, body=body)
                assert response.status_int < 500, (method, path, body)
                if response.status_int >= 400:
                    assert response.content_type == 'application/json'
