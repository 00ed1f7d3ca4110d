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
    {'os-extend': {'new_size': 2}},
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
                             {'os-extend': {'new_size': 2}},
                             headers=admin.headers, status=400)
    assert 'os-extend' in response.json['badRequest']['message']


def test_action_on_unknown_id_is_404(app, admin):
    app.post_json('/v3/ops/volumes/nope/action',
                  {'os-reset_status': {'status': 'error'}},
                  headers=admin.headers, status=404)
