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
    {'os-reset_status': {'status': 'error', 'attach_status': 'half'}},
    {'os-reset_status': 'error'},
    {'os-reset_status': None},
    {'os-force_delete': {'cascade': True}},
    {'os-force_delete': 'yes'},
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
        'volume_id': volume['id'], 'new_size': int(new_size),
        'attached': False})


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


def test_snapshots_have_no_attach_status(app, admin, alice):
    volume = alice.create_volume()
    snapshot = alice.create_snapshot(volume['id'])
    app.post_json('/v3/p1/snapshots/%s/action' % snapshot['id'],
                  {'os-reset_status': {'status': 'error',
                                       'attach_status': 'detached'}},
                  headers=admin.headers, status=400)


# os-force_delete ------------------------------------------------------------

@pytest.mark.parametrize('args', [None, {}])
def test_admin_force_deletes(app, admin, backend, target, args):
    path, stored = target
    kind = path.split('/')[0][:-1]
    app.post_json(_action_url(admin, path), {'os-force_delete': args},
                  headers=admin.headers, status=202)
    method, kwargs = backend.calls[-1]
    assert method == 'delete_' + kind
    assert kwargs['force'] is True
    assert stored['status'] == 'deleting'


def test_owner_may_not_force_delete(alice, backend, target):
    path, stored = target
    alice.post(path + '/action', {'os-force_delete': None}, status=403)
    assert stored['status'] == 'creating'
    assert not backend.calls[-1][0].startswith('delete_')


# os-reset_status of volumes: Cinder's statuses and attach_status ------------

def _reset(app, admin, volume_id, args, status=202):
    return app.post_json('/v3/p1/volumes/%s/action' % volume_id,
                         {'os-reset_status': args}, headers=admin.headers,
                         status=status)


def test_volume_reset_takes_attach_status_alone_or_with_status(
        app, admin, alice, backend):
    volume = alice.create_volume()
    _reset(app, admin, volume['id'], {'attach_status': 'DETACHED'})
    assert backend.calls[-1] == ('reset_volume_status', {
        'volume_id': volume['id'], 'status': None,
        'attach_status': 'detached'})
    _reset(app, admin, volume['id'], {'status': 'available',
                                      'attach_status': 'detached'})
    assert backend.calls[-1][1]['status'] == 'available'


@pytest.mark.parametrize('status', ['maintenance', 'reserved', 'Detaching'])
def test_volume_reset_accepts_cinders_other_statuses(app, admin, alice,
                                                     backend, status):
    volume = alice.create_volume()
    _reset(app, admin, volume['id'], {'status': status})
    assert backend.volumes[volume['id']]['status'] == status.lower()


def test_snapshot_reset_refuses_volume_statuses(app, admin, alice):
    snapshot = alice.create_snapshot(alice.create_volume()['id'])
    response = app.post_json(
        '/v3/p1/snapshots/%s/action' % snapshot['id'],
        {'os-reset_status': {'status': 'maintenance'}},
        headers=admin.headers, status=400)
    assert 'unmanaging' in response.json['badRequest']['message']


def test_volume_reset_migration_status(app, admin, alice, backend):
    volume = alice.create_volume()
    calls = len(backend.calls)
    _reset(app, admin, volume['id'], {'migration_status': 'none'})
    assert len(backend.calls) == calls
    response = _reset(app, admin, volume['id'],
                      {'migration_status': 'migrating'}, status=400)
    assert 'do not migrate' in response.json['badRequest']['message']
    _reset(app, admin, volume['id'], {}, status=400)


# os-set_bootable -------------------------------------------------------------

@pytest.mark.parametrize('value, expected', [(True, True), ('false', False),
                                             ('1', True)])
def test_owner_sets_bootable(alice, backend, value, expected):
    volume = alice.create_volume()
    # Cinder answers this one 200 (tempest checks it), not 202.
    alice.post('volumes/%s/action' % volume['id'],
               {'os-set_bootable': {'bootable': value}}, status=200)
    assert backend.volumes[volume['id']]['bootable'] is expected
    shown = alice.get('volumes/' + volume['id']).json['volume']
    assert shown['bootable'] == str(expected).lower()


@pytest.mark.parametrize('args', [{}, {'bootable': 'maybe'}, None,
                                  {'bootable': True, 'x': 1}])
def test_set_bootable_refuses_bad_bodies(alice, backend, args):
    volume = alice.create_volume()
    alice.post('volumes/%s/action' % volume['id'],
               {'os-set_bootable': args}, status=400)
    assert backend.volumes[volume['id']]['bootable'] is False


def test_other_projects_may_not_set_bootable(alice, bob, backend):
    volume = alice.create_volume()
    bob.app.post_json('/v3/p1/volumes/%s/action' % volume['id'],
                      {'os-set_bootable': {'bootable': True}},
                      headers=bob.headers, status=400)
    assert backend.volumes[volume['id']]['bootable'] is False


# os-update_snapshot_status (upstream Nova's report) --------------------------

def test_owner_reports_snapshot_progress(alice, backend):
    snapshot = alice.create_snapshot(alice.create_volume()['id'])
    alice.post('snapshots/%s/action' % snapshot['id'],
               {'os-update_snapshot_status': {'status': 'creating',
                                              'progress': '90%'}})
    assert backend.calls[-1] == ('report_snapshot_status', {
        'snapshot_id': snapshot['id'], 'status': 'creating',
        'progress': '90%'})
    assert backend.snapshots[snapshot['id']]['progress'] == '90%'


@pytest.mark.parametrize('args', [
    {'status': 'deleted'}, {'status': 'creating', 'progress': '101%'},
    {'status': 'creating', 'progress': 90}, {'progress': '90%'},
    {'status': 'error', 'extra': 1}])
def test_snapshot_reports_are_checked(alice, backend, args):
    snapshot = alice.create_snapshot(alice.create_volume()['id'])
    alice.post('snapshots/%s/action' % snapshot['id'],
               {'os-update_snapshot_status': args}, status=400)
    assert backend.calls[-1][0] != 'report_snapshot_status'


def test_volumes_take_no_snapshot_report(alice):
    volume = alice.create_volume()
    alice.post('volumes/%s/action' % volume['id'],
               {'os-update_snapshot_status': {'status': 'error'}},
               status=400)


# DELETE ?cascade, ?force (3.23) ----------------------------------------------

def test_cascade_delete(alice, backend):
    volume = alice.create_volume()
    backend.volumes[volume['id']]['status'] = 'available'
    alice.delete('volumes/%s?cascade=true' % volume['id'])
    assert backend.calls[-1] == ('delete_volume', {
        'volume_id': volume['id'], 'cascade': True, 'force': False})
    alice.delete('volumes/%s?cascade=sometimes' % volume['id'], status=400)


def test_delete_force_from_3_23_for_admins(app, admin, alice, backend):
    volume = alice.create_volume()
    backend.volumes[volume['id']]['status'] = 'available'
    url = '/v3/p1/volumes/%s?force=true' % volume['id']
    app.delete(url, headers=admin.at('3.22').headers, status=202)
    assert backend.calls[-1][1]['force'] is False
    alice.at('3.23').delete('volumes/%s?force=true' % volume['id'],
                            status=403)
    app.delete(url, headers=admin.at('3.23').headers, status=202)
    assert backend.calls[-1][1]['force'] is True
