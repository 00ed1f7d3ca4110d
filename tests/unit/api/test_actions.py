import pytest


@pytest.fixture(params=['volumes', 'snapshots'])
def target(request, alice, backend):
    volume = alice.create_volume()
    if request.param == 'volumes':
        return 'volumes/' + volume['id'], backend.volumes[volume['id']]
    snapshot = alice.create_snapshot(volume['id'])
    return ('snapshots/' + snapshot['id'],
            backend.snapshots[snapshot['id']])


def _action_url(admin, path):
    # The admin works in the owner's URL: the ids are the owner's.
    return '/v3/p1/%s/action' % path


def test_admin_resets_status(app, admin, target):
    path, stored = target
    response = app.post_json(_action_url(admin, path),
                             {'os-reset_status': {'status': 'ERROR'}},
                             headers=admin.headers, status=202)
    assert response.body == b''
    assert stored['status'] == 'error'


def test_owner_may_not_reset_status(alice, backend, target):
    path, stored = target
    response = alice.post(path + '/action',
                          {'os-reset_status': {'status': 'available'}},
                          status=403)
    fault = response.json['forbidden']
    assert fault['code'] == 403
    assert 'reset_status' in fault['message']
    assert stored['status'] == 'creating'
    # Refused before any validation: a bad status tells nothing more.
    alice.post(path + '/action', {'os-reset_status': {'status': 'bogus'}},
               status=403)


@pytest.mark.parametrize('body', [
    {'os-reset_status': {'status': 'bogus'}},
    {'os-reset_status': {'status': 'deleted'}},
    {'os-reset_status': {}},
    {'os-reset_status': {'status': 'error', 'attach_status': 'attached'}},
    {'os-reset_status': 'error'},
    {'os-retype': {'new_type': 'gold'}},
    {'os-reset_status': {'status': 'error'}, 'os-extend': {}},
    {},
])
def test_bad_actions(app, admin, target, body):
    path, stored = target
    response = app.post_json(_action_url(admin, path), body,
                             headers=admin.headers, status=400)
    assert response.json['badRequest']['code'] == 400
    assert stored['status'] == 'creating'


def test_unknown_action_is_named(app, admin, target):
    path, _stored = target
    response = app.post_json(_action_url(admin, path),
                             {'os-retype': {'new_type': 'gold'}},
                             headers=admin.headers, status=400)
    assert 'os-retype' in response.json['badRequest']['message']


def test_action_on_unknown_id_is_404(app, admin):
    app.post_json('/v3/ops/volumes/nope/action',
                  {'os-reset_status': {'status': 'error'}},
                  headers=admin.headers, status=404)


@pytest.mark.parametrize('new_size', [2, '3'])
def test_owner_extends_a_volume(alice, backend, new_size):
    volume = alice.create_volume()
    response = alice.post('volumes/%s/action' % volume['id'],
                          {'os-extend': {'new_size': new_size}}, status=202)
    assert response.body == b''
    assert backend.calls[-1] == ('extend_volume', {
        'volume_id': volume['id'], 'new_size': int(new_size)})


@pytest.mark.parametrize('args', [
    {}, {'new_size': 0}, {'new_size': -1}, {'new_size': 'big'},
    {'new_size': 1.5}, {'new_size': 2, 'extra': 1}, None])
def test_extend_refuses_bad_sizes(alice, backend, args):
    volume = alice.create_volume()
    alice.post('volumes/%s/action' % volume['id'], {'os-extend': args},
               status=400)
    assert backend.calls[-1][0] != 'extend_volume'


def test_extend_must_grow_and_is_not_a_snapshot_action(alice, backend):
    volume = alice.create_volume()
    response = alice.post('volumes/%s/action' % volume['id'],
                          {'os-extend': {'new_size': 1}}, status=400)
    assert 'greater than current size' in \
        response.json['badRequest']['message']
    snapshot = alice.create_snapshot(volume['id'])
    response = alice.post('snapshots/%s/action' % snapshot['id'],
                          {'os-extend': {'new_size': 2}}, status=400)
    assert 'no such action' in response.json['badRequest']['message']
