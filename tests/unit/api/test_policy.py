from importlib import metadata
import pathlib
import re

from snapvol_api.rest import policy
import snapvol_api.rest.volume


def test_rules_are_listed_for_the_sample_generator():
    (entry_point,) = [ep for ep in metadata.entry_points(
        group='oslo.policy.policies') if ep.name == 'snapvol']
    rules = entry_point.load()()
    names = {rule.name for rule in rules}
    assert {'context_is_admin', 'admin_or_owner', 'admin_api',
            'volume_extension:volume_admin_actions:reset_status',
            'volume_extension:snapshot_admin_actions:reset_status',
            'volume_extension:volume_host_attribute',
            'volume:get_all_projects'} <= names
    assert len(names) == len(rules)


def test_every_rule_the_api_checks_is_registered():
    used = set()
    package_dir = pathlib.Path(snapvol_api.rest.volume.__path__[0])
    for path in package_dir.rglob('*.py'):
        used |= set(re.findall(r"'((?:volume|volume_extension):[\w:]+)'",
                               path.read_text()))
    assert used
    assert used <= {rule.name for rule in policy.list_rules()}


def test_operator_can_override_a_rule(make_app, config, tmp_path, alice):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"volume:delete": "rule:admin_api"\n')
    config.config(group='oslo_policy', policy_file=str(policy_file))
    policy.reset()
    app = make_app()
    volume = alice.create_volume()
    response = app.delete('/v3/p1/volumes/' + volume['id'],
                          headers=alice.headers, status=403)
    assert 'volume:delete' in response.json['forbidden']['message']
