"""Every error is a Cinder fault: {"<name>": {"code": N, "message": ...}}."""

import itertools

import oslo_messaging as messaging
import pytest
import webob

from snapvol_api import exception


def _fault(response, name, code):
    assert response.content_type == 'application/json'
    assert response.json == {name: {
        'code': code, 'message': response.json[name]['message']}}
    return response.json[name]['message']


@pytest.mark.parametrize('error, status, name', [
    (exception.InvalidInput(reason='nope'), 400, 'badRequest'),
    (exception.Forbidden(action='x'), 403, 'forbidden'),
    (exception.VolumeNotFound(volume_id='v'), 404, 'itemNotFound'),
    (exception.InvalidStatusTransition(kind='Volume', id='v',
                                       current='a', requested='b'),
     409, 'conflictingRequest'),
    (exception.NoValidShare(size=5), 503, 'serviceUnavailable'),
])
def test_snapvol_exceptions_keep_code_and_message(alice, backend, error,
                                                  status, name):
    backend.error = error
    response = alice.get('volumes', status=status)
    assert _fault(response, name, status) == error.message


def test_messaging_timeout_is_503(alice, backend):
    backend.error = messaging.MessagingTimeout('no reply on topic x')
    message = _fault(alice.get('volumes', status=503), 'serviceUnavailable',
                     503)
    assert 'volume service did not answer' in message


def test_unreachable_broker_is_503(alice, backend):
    backend.error = messaging.MessageDeliveryFailure('broker down')
    _fault(alice.get('volumes', status=503), 'serviceUnavailable', 503)


@pytest.mark.parametrize('error', [
    RuntimeError('secret internals /srv/volumes/x'),
    exception.ImageCommandFailed(command='qemu-img', reason='/srv/secret'),
    messaging.RemoteError('KeyError', 'secret', 'Traceback /srv/secret'),
])
def test_unexpected_errors_are_500_without_internals(alice, backend, error,
                                                     caplog):
    backend.error = error
    response = alice.get('volumes', status=500)
    _fault(response, 'computeFault', 500)
    assert 'secret' not in response.text
    assert 'secret' in caplog.text


def test_malformed_json(alice):
    response = alice.app.post('/v3/p1/volumes', '{"volume": {"size": 1',
                              headers=dict(alice.headers, **{
                                  'Content-Type': 'application/json'}),
                              status=400)
    assert _fault(response, 'badRequest', 400) == 'Malformed request body.'


def test_body_not_utf8(alice):
    alice.app.post('/v3/p1/volumes', b'\xff\xfe{}',
                   headers=dict(alice.headers, **{
                       'Content-Type': 'application/json'}), status=400)


def test_wrong_content_type_is_415(alice):
    response = alice.app.post('/v3/p1/volumes', 'size=1',
                              headers=alice.headers, status=415)
    _fault(response, 'badMediaType', 415)


def test_missing_content_type_is_taken_as_json(alice):
    request = webob.Request.blank('/v3/p1/volumes', method='POST',
                                  headers=alice.headers,
                                  body=b'{"volume": {"size": 1}}')
    del request.content_type
    assert request.get_response(alice.app.app).status_int == 202


def test_too_large_body_is_413(alice):
    body = {'volume': {'size': 1, 'description': 'x' * 200000}}
    _fault(alice.post('volumes', body, status=413), 'overLimit', 413)


@pytest.mark.parametrize('path', [
    '/nope', '/v3/p1', '/v3/p1/', '/v3/p1/nope', '/v3/p1/volumes/a/b/c',
    '/v3/p1/volumes/detail/x', '/v3/p1/snapshots/x/nope',
    '/v3/p1/volumes/__class__', '/v3/p1/volumes/x/_lookup',
    '/v3/p1/volumes/x/__init__', '/v2/p1/volumes', '/v3/p1/volumes.json',
])
def test_unknown_paths_are_404(alice, path):
    response = alice.app.get(path, headers=alice.headers, status=404)
    _fault(response, 'itemNotFound', 404)


def test_unsupported_method_is_405(alice):
    response = alice.app.patch('/v3/p1/volumes', headers=alice.headers,
                               status=405)
    _fault(response, 'badMethod', 405)


def test_errors_carry_request_id(alice):
    response = alice.get('volumes/x', status=404)
    assert response.headers['X-OpenStack-Request-Id'].startswith('req-')


_ODD_SEGMENTS = ['__class__', '__dict__', '_custom_actions', '_resource',
                 '_route', '_lookup', 'get_all', 'get_one', 'post', 'delete',
                 'detail', 'metadata', 'action', 'new', 'edit', 'index', '']


@pytest.mark.parametrize('method', ['GET', 'POST', 'PUT', 'DELETE',
                                    'PATCH', 'OPTIONS'])
def test_odd_urls_never_500(alice, method):
    volume = alice.create_volume()
    snapshot = alice.create_snapshot(volume['id'])
    bases = ['', '/v3', '/v3/p1', '/v3/p1/volumes',
             '/v3/p1/volumes/' + volume['id'],
             '/v3/p1/volumes/%s/metadata' % volume['id'],
             '/v3/p1/snapshots/%s/metadata' % snapshot['id'],
             '/v3/p1/snapshots/%s/action' % snapshot['id']]
    headers = dict(alice.headers, **{'Content-Type': 'application/json'})
    for base, segment in itertools.product(bases, _ODD_SEGMENTS):
        for path in (base + '/' + segment, base + '/' + segment + '/x',
                     base + '/' + segment + '?key=k&volume_id=v'):
            response = alice.app.request(
                path, method=method, headers=headers, expect_errors=True,
                body=b'{"meta": {"k": "v"}}')
            assert response.status_int < 500, (method, path)
            if response.status_int >= 400:
                assert response.content_type == 'application/json'
