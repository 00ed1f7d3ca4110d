"""POST /v2.1/servers/{id}/action: os-stop, os-start, reboot."""

import uuid

import pytest


def _action(client, server_id, body, status=202):
    return client.post('servers/%s/action' % server_id, body, status=status)


def test_stop_then_start(admin, backend, server):
    response = _action(admin, server['id'], {'os-stop': None})
    assert response.body == b''
    assert backend.calls[-1] == ('stop_instance', {
        'host': server['host'], 'instance_id': server['id']})
    view = admin.get('servers/' + server['id']).json['server']
    assert (view['status'], view['OS-EXT-STS:vm_state'],
            view['OS-EXT-STS:power_state']) == ('SHUTOFF', 'stopped', 4)
    _action(admin, server['id'], {'os-start': None})
    assert backend.calls[-1][0] == 'start_instance'
    assert admin.get('servers/' + server['id']).json['server'][
        'status'] == 'ACTIVE'


@pytest.mark.parametrize('given, sent', [
    ('SOFT', 'SOFT'), ('soft', 'SOFT'), ('Hard', 'HARD'), ('HARD', 'HARD')])
def test_reboot_types(admin, backend, server, given, sent):
    _action(admin, server['id'], {'reboot': {'type': given}})
    assert backend.calls[-1] == ('reboot_instance', {
        'host': server['host'], 'instance_id': server['id'],
        'reboot_type': sent})


def test_stop_of_a_stopped_server_is_nova_409(admin, backend, server):
    server['status'] = 'SHUTOFF'
    response = _action(admin, server['id'], {'os-stop': None}, status=409)
    assert response.json == {'conflictingRequest': {
        'code': 409,
        'message': "Cannot 'stop' instance %s while it is in vm_state "
                   "stopped" % server['id']}}


@pytest.mark.parametrize('status, body, message', [
    ('ACTIVE', {'os-start': None}, 'vm_state active'),
    ('SHUTOFF', {'reboot': {'type': 'SOFT'}}, 'vm_state stopped'),
    ('BUILD', {'os-stop': None}, 'vm_state building'),
    ('REBOOT', {'reboot': {'type': 'SOFT'}}, 'task_state rebooting'),
    ('HARD_REBOOT', {'reboot': {'type': 'HARD'}},
     'task_state rebooting_hard'),
])
def test_wrong_states_are_409(admin, backend, server, status, body,
                              message):
    server['status'] = status
    response = _action(admin, server['id'], body, status=409)
    assert message in response.json['conflictingRequest']['message']
    assert server['status'] == status


def test_rebooting_shows_its_task_state(admin, backend):
    server = backend.add_instance(status='HARD_REBOOT')
    view = admin.get('servers/' + server['id']).json['server']
    assert (view['status'], view['OS-EXT-STS:vm_state'],
            view['OS-EXT-STS:task_state']) == (
        'HARD_REBOOT', 'active', 'rebooting_hard')


def test_unknown_server_is_404(admin, backend):
    for server_id in (str(uuid.uuid4()), 'nope'):
        response = _action(admin, server_id, {'os-stop': None}, status=404)
        assert 'itemNotFound' in response.json
    assert 'stop_instance' not in backend.call_names()


@pytest.mark.parametrize('body, message', [
    ({'os-pause': None}, 'There is no such action: os-pause'),
    ({}, 'body'),
    ({'os-stop': None, 'os-start': None}, 'body'),
    ({'reboot': {}}, 'type'),
    ({'reboot': None}, 'reboot'),
    ({'reboot': {'type': 'WARM'}}, 'type'),
    ({'reboot': {'type': 'SOFT', 'force': True}}, 'force'),
])
def test_bad_bodies_are_400(admin, backend, server, body, message):
    response = _action(admin, server['id'], body, status=400)
    assert message in response.json['badRequest']['message']
    assert backend.call_names() == []


def test_get_on_action_is_not_served(admin, server):
    admin.get('servers/%s/action' % server['id'], status=(404, 405))
