"""os-quota-sets, /limits and the 413 overLimit fault, in Cinder's
shapes."""

import pytest

from snapvol_api import exception

RESOURCES = {'volumes', 'snapshots', 'gigabytes', 'groups', 'backups',
             'backup_gigabytes', 'per_volume_gigabytes'}


def test_owner_shows_own_quotas(alice):
    quota_set = alice.get('os-quota-sets/p1').json['quota_set']
    assert quota_set['id'] == 'p1'
    assert set(quota_set) == RESOURCES | {'id'}
    assert (quota_set['volumes'], quota_set['gigabytes']) == (10, 1000)


def test_usage_view(alice):
    alice.create_volume(size=3)
    quota_set = alice.get('os-quota-sets/p1?usage=True').json['quota_set']
    assert quota_set['gigabytes'] == {'limit': 1000, 'in_use': 3,
                                      'reserved': 0, 'allocated': 0}


def test_defaults(alice):
    quota_set = alice.get('os-quota-sets/p1/defaults').json['quota_set']
    assert quota_set['snapshots'] == 10 and quota_set['id'] == 'p1'


def test_other_projects_quotas_are_forbidden(alice, backend):
    alice.get('os-quota-sets/p2', status=403)
    alice.put('os-quota-sets/p1', {'quota_set': {'volumes': 99}},
              status=403)
    alice.delete('os-quota-sets/p1', status=403)
    assert backend.quotas == {}


def test_admin_updates_and_deletes(app, admin, alice, backend):
    url = '/v3/ops/os-quota-sets/p1'
    # As cinderclient sends it: with the project id, which is ignored.
    body = app.put_json(url, {'quota_set': {'volumes': 20, 'tenant_id': 'p1',
                                            'gigabytes': '-1'}},
                        headers=admin.headers).json['quota_set']
    assert (body['volumes'], body['gigabytes']) == (20, -1)
    assert alice.get('os-quota-sets/p1').json['quota_set']['volumes'] == 20
    response = app.delete(url, headers=admin.headers, status=200)
    assert response.body == b''   # Cinder's answer
    assert alice.get('os-quota-sets/p1').json['quota_set']['volumes'] == 10


@pytest.mark.parametrize('body', [
    {'quota_set': {'volumes': -2}}, {'quota_set': {'volumes': 'ten'}},
    {'quota_set': {'volumes': 1.5}}, {'quota_set': {}}, {'quota_set': 5},
    {'volumes': 5}, {'quota_set': {'volumes': 5}, 'extra': 1},
    {'quota_set': {'bananas': 5}}, {'quota_set': {'tenant_id': 'p1'}}])
def test_bad_updates_change_nothing(app, admin, backend, body):
    app.put_json('/v3/ops/os-quota-sets/p1', body, headers=admin.headers,
                 status=400)
    assert backend.quotas == {}


def test_limits(alice):
    alice.create_volume(size=2)
    body = alice.get('limits').json['limits']
    assert body['rate'] == []
    assert body['absolute']['totalGigabytesUsed'] == 2
    assert body['absolute']['maxTotalVolumes'] == 10
    assert len(body['absolute']) == 10


def test_limits_of_another_project_for_admins_from_3_39(app, admin, alice,
                                                        backend):
    alice.create_volume(size=2)
    url = '/v3/ops/limits?project_id=p1'
    used = app.get(url, headers=admin.at('3.38').headers).json
    assert used['limits']['absolute']['totalGigabytesUsed'] == 0
    used = app.get(url, headers=admin.at('3.39').headers).json
    assert used['limits']['absolute']['totalGigabytesUsed'] == 2
    # Others asking for another project get their own.
    own = alice.at('3.39').get('limits?project_id=p2').json
    assert backend.calls[-1][1]['project_id'] == 'p1'
    assert own['limits']['absolute']['totalGigabytesUsed'] == 2


def test_over_quota_is_cinders_413(alice, backend):
    backend.error = exception.VolumeLimitExceeded(allowed=10,
                                                  name='volumes')
    response = alice.post('volumes', {'volume': {'size': 1}}, status=413)
    assert response.headers['Retry-After'] == '0'
    assert response.json == {'overLimit': {
        'code': 413, 'retryAfter': '0',
        'message': "Maximum number of volumes allowed (10) exceeded for "
                   "quota 'volumes'."}}
