"""/v2.1/limits: Nova 2.1's absolute limits ([compute_quota]) and the
project's usage; the one route members may use."""

import jsonschema
import pytest
from tempest.lib.api_schema.response.compute.v2_1 import limits as tempest

from snapvol_api.rest import policy
from tests.unit.api.helpers import basic_auth

# Nova's defaults, as its api-ref shows them at 2.1.
DEFAULT_LIMITS = {
    'maxServerMeta': 128, 'maxImageMeta': 128, 'maxPersonality': 5,
    'maxPersonalitySize': 10240, 'maxTotalInstances': 10,
    'maxTotalCores': 20, 'maxTotalRAMSize': 51200, 'maxTotalKeypairs': 100,
    'maxServerGroups': 10, 'maxServerGroupMembers': 10,
    'maxTotalFloatingIps': 10, 'maxSecurityGroups': 10,
    'maxSecurityGroupRules': 20,
}
NOTHING_USED = {
    'totalInstancesUsed': 0, 'totalCoresUsed': 0, 'totalRAMUsed': 0,
    'totalFloatingIpsUsed': 0, 'totalSecurityGroupsUsed': 0,
    'totalServerGroupsUsed': 0,
}


@pytest.fixture
def instances(backend):
    """Two instances of alice's project p1, one of the admin's."""
    backend.add_instance(project_id='p1', flavor={
        'id': '1', 'vcpus': 1, 'memory_mb': 64})
    backend.add_instance(project_id='p1', status='SHUTOFF', flavor={
        'id': '3', 'vcpus': 2, 'memory_mb': 1024})
    backend.add_instance(project_id='ops')


def test_a_member_reads_the_defaults_and_their_usage(alice, backend,
                                                     instances):
    body = alice.get('limits').json
    assert body == {'limits': {'rate': [], 'absolute': dict(
        DEFAULT_LIMITS, **dict(NOTHING_USED, totalInstancesUsed=2,
                               totalCoresUsed=3, totalRAMUsed=1088))}}
    assert backend.calls == [('get_project_usage', {'project_id': 'p1'})]


@pytest.mark.parametrize('user', ['alice', 'root'])
def test_the_answer_fits_tempests_schema(app, user, instances):
    response = app.get('/v2.1/limits', headers=basic_auth(user))
    assert response.status_int in tempest.get_limit['status_code']
    jsonschema.validate(response.json, tempest.get_limit['response_body'])
    # Every limit tempest knows, not only the ones it requires.
    schema = tempest.get_limit['response_body']['properties']['limits']
    assert set(response.json['limits']['absolute']) == set(
        schema['properties']['absolute']['properties'])


def test_the_limits_are_the_options(make_app, config, alice):
    config.config(group='compute_quota', instances=3, cores=-1,
                  metadata_items=16)
    absolute = make_app().get('/v2.1/limits', headers=alice.headers
                              ).json['limits']['absolute']
    assert (absolute['maxTotalInstances'], absolute['maxTotalCores'],
            absolute['maxServerMeta'], absolute['maxImageMeta']) == (
                3, -1, 16, 16)


def test_an_admin_names_another_project(admin, backend, instances):
    absolute = admin.get('limits?tenant_id=p1').json['limits']['absolute']
    assert absolute['totalInstancesUsed'] == 2
    assert admin.get('limits').json['limits']['absolute'][
        'totalInstancesUsed'] == 1
    assert [kwargs for _name, kwargs in backend.calls] == [
        {'project_id': 'p1'}, {'project_id': 'ops'}]


@pytest.mark.parametrize('tenant', ['ops', 'p1'])
def test_a_member_may_name_no_project_even_their_own(alice, backend, tenant):
    response = alice.get('limits?tenant_id=' + tenant, status=403)
    assert response.json['forbidden']['message'] == (
        'Policy does not allow os_compute_api:limits:other_project to be '
        'performed.')
    assert backend.calls == []


def test_other_query_parameters_are_ignored(alice, backend):
    # As Nova at 2.1 (before 2.75 made the query strict).
    alice.get('limits?project_id=ops')
    assert backend.calls == [('get_project_usage', {'project_id': 'p1'})]


def test_credentials_are_needed(app, backend):
    app.get('/v2.1/limits', status=401)
    assert backend.calls == []


@pytest.mark.parametrize('method', ['post', 'put', 'delete'])
def test_only_get(admin, method):
    getattr(admin.app, method)('/v2.1/limits', headers=admin.headers,
                               status=405)


def test_an_operator_can_close_it_to_members(make_app, config, tmp_path,
                                             alice):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"os_compute_api:limits": "rule:admin_api"\n')
    config.config(group='oslo_policy', policy_file=str(policy_file))
    policy.reset()
    make_app().get('/v2.1/limits', headers=alice.headers, status=403)


def test_rule_defaults():
    registered = {rule.name: rule for rule in policy.list_rules()}
    assert registered['os_compute_api:limits'].check_str == (
        'rule:admin_or_owner')
    assert registered['os_compute_api:limits:other_project'].check_str == (
        'rule:admin_api')
