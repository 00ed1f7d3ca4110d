"""Admin only: every route but the version documents is refused to other
users (Nova's 403 and rule names) before anything is looked up."""

import json
import uuid

from keystonemiddleware import auth_token  # noqa: F401 (registers opts)
import pytest

from snapvol_api.rest import policy
from snapvol_api.rest.compute import policies

# Fixed: they appear in test ids, which every xdist worker must collect
# alike.
SERVER = str(uuid.UUID(int=1))
VOLUME = str(uuid.UUID(int=2))
SNAPSHOT = str(uuid.UUID(int=3))
DELETE_INFO = json.dumps({'type': 'qcow2', 'volume_id': VOLUME,
                          'file_to_merge': None, 'merge_target_file': None})

# (method, path, body, the rule Nova checks there)
ROUTES = [
    ('POST', 'os-assisted-volume-snapshots', {'snapshot': {}},
     'os_compute_api:os-assisted-volume-snapshots:create'),
    ('DELETE', 'os-assisted-volume-snapshots/%s?delete_info=%s'
     % (SNAPSHOT, DELETE_INFO), None,
     'os_compute_api:os-assisted-volume-snapshots:delete'),
    ('GET', 'flavors', None, 'os_compute_api:flavors'),
    ('GET', 'flavors/detail', None, 'os_compute_api:flavors'),
    ('GET', 'flavors/1', None, 'os_compute_api:flavors'),
    ('GET', 'servers', None, 'os_compute_api:servers:index'),
    ('GET', 'servers/detail', None, 'os_compute_api:servers:detail'),
    ('GET', 'servers/' + SERVER, None, 'os_compute_api:servers:show'),
    ('POST', 'servers', {'server': {}}, 'os_compute_api:servers:create'),
    ('DELETE', 'servers/' + SERVER, None, 'os_compute_api:servers:delete'),
    ('GET', 'servers/%s/metadata' % SERVER, None,
     'os_compute_api:server-metadata:index'),
    ('GET', 'servers/%s/metadata/k' % SERVER, None,
     'os_compute_api:server-metadata:show'),
    ('POST', 'servers/%s/metadata' % SERVER, {'metadata': {}},
     'os_compute_api:server-metadata:create'),
    ('PUT', 'servers/%s/metadata' % SERVER, {'metadata': {}},
     'os_compute_api:server-metadata:update_all'),
    ('PUT', 'servers/%s/metadata/k' % SERVER, {'meta': {'k': 'v'}},
     'os_compute_api:server-metadata:update'),
    ('DELETE', 'servers/%s/metadata/k' % SERVER, None,
     'os_compute_api:server-metadata:delete'),
    ('POST', 'servers/%s/action' % SERVER, {'os-stop': None},
     'os_compute_api:servers:stop'),
    ('POST', 'servers/%s/action' % SERVER, {'os-start': None},
     'os_compute_api:servers:start'),
    ('POST', 'servers/%s/action' % SERVER, {'reboot': {'type': 'HARD'}},
     'os_compute_api:servers:reboot'),
    ('GET', 'servers/%s/os-volume_attachments' % SERVER, None,
     'os_compute_api:os-volumes-attachments:index'),
    ('GET', 'servers/%s/os-volume_attachments/%s' % (SERVER, VOLUME), None,
     'os_compute_api:os-volumes-attachments:show'),
    ('POST', 'servers/%s/os-volume_attachments' % SERVER,
     {'volumeAttachment': {'volumeId': VOLUME}},
     'os_compute_api:os-volumes-attachments:create'),
    ('DELETE', 'servers/%s/os-volume_attachments/%s' % (SERVER, VOLUME),
     None, 'os_compute_api:os-volumes-attachments:delete'),
]


def _request(client, method, path, body):
    return client.app.request(
        client.url(path), method=method, headers=dict(
            client.headers, **{'Content-Type': 'application/json'}),
        body=json.dumps(body).encode() if body is not None else b'',
        expect_errors=True)


@pytest.mark.parametrize('method, path, body, rule', ROUTES)
def test_non_admin_gets_nova_403(alice, backend, method, path, body, rule):
    response = _request(alice, method, path, body)
    assert response.status_int == 403
    assert response.json == {'forbidden': {
        'code': 403,
        'message': 'Policy does not allow %s to be performed.' % rule}}
    assert backend.calls == []


@pytest.mark.parametrize('method, path, body, rule', ROUTES)
def test_admin_passes_policy(admin, method, path, body, rule):
    # Past policy, each of these fails later (unknown server, bad body...).
    assert _request(admin, method, path, body).status_int != 403


def test_listing_every_project_has_its_own_rule(make_app, config, tmp_path,
                                                admin):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text(
        '"os_compute_api:servers:detail:get_all_tenants": "!"\n')
    config.config(group='oslo_policy', policy_file=str(policy_file))
    policy.reset()
    app = make_app()
    app.get('/v2.1/servers/detail', headers=admin.headers)
    response = app.get('/v2.1/servers/detail?all_tenants=1',
                       headers=admin.headers, status=403)
    assert 'get_all_tenants' in response.json['forbidden']['message']


def test_operator_can_override_a_rule(make_app, config, tmp_path, alice):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"os_compute_api:flavors": "@"\n')
    config.config(group='oslo_policy', policy_file=str(policy_file))
    policy.reset()
    app = make_app()
    assert len(app.get('/v2.1/flavors', headers=alice.headers
                       ).json['flavors']) == 3


def test_rules_are_registered_with_admin_defaults():
    registered = {rule.name: rule for rule in policy.list_rules()}
    for _method, _path, _body, name in ROUTES:
        assert registered[name].check_str == 'rule:admin_api'
    assert {r.name for r in policies.RULES} <= set(registered)
    assert registered['admin_api'].check_str == 'is_admin:True'


def test_keystone_delayed_decision_is_still_refused(make_app, config):
    config.config(group='keystone_authtoken',
                  www_authenticate_uri='http://keystone.invalid/v3',
                  delay_auth_decision=True)
    app = make_app('keystone')
    response = app.get('/v2.1/servers', status=401)
    assert response.json['unauthorized']['code'] == 401
    app.get('/v2.1/', status=200)
