"""A call about a server whose compute host is down answers 503 at once,
naming the host, and sends nothing to that host: the stand-in's host
would never reply, so a call would be a timeout (a 503 too, after the
whole RPC timeout, for a cast never)."""

import uuid

import pytest

from snapvol_api import states

VOLUME_ID = str(uuid.uuid4())


@pytest.fixture
def down(backend, server):
    server['host_status'] = states.HOST_DOWN
    backend.attach(server['id'], VOLUME_ID)
    return server


def _snapshot_body(volume_id=VOLUME_ID):
    return {'snapshot': {'volume_id': volume_id, 'create_info': {
        'snapshot_id': str(uuid.uuid4()), 'type': 'qcow2',
        'new_file': 'volume-%s.snap' % volume_id}}}


REQUESTS = {
    'delete': lambda c, s: c.delete('servers/%s' % s, status=503),
    'stop': lambda c, s: c.post('servers/%s/action' % s,
                                {'os-stop': None}, status=503),
    'reboot': lambda c, s: c.post('servers/%s/action' % s,
                                  {'reboot': {'type': 'HARD'}}, status=503),
    'metadata': lambda c, s: c.post('servers/%s/metadata' % s,
                                    {'metadata': {'a': 'b'}}, status=503),
    'metadata key': lambda c, s: c.delete('servers/%s/metadata/a' % s,
                                          status=503),
    'attach': lambda c, s: c.post(
        'servers/%s/os-volume_attachments' % s,
        {'volumeAttachment': {'volumeId': str(uuid.uuid4())}}, status=503),
    'detach': lambda c, s: c.delete(
        'servers/%s/os-volume_attachments/%s' % (s, VOLUME_ID), status=503),
    'assisted snapshot': lambda c, s: c.post(
        'os-assisted-volume-snapshots', _snapshot_body(), status=503),
    'assisted delete': lambda c, s: c.delete(
        'os-assisted-volume-snapshots/%s?delete_info=%s' % (
            uuid.uuid4(), '{"volume_id": "%s", "type": "qcow2", '
            '"file_to_merge": null, "merge_target_file": "x"}'
            % VOLUME_ID), status=503),
}


@pytest.mark.parametrize('request_name', sorted(REQUESTS))
def test_a_call_to_a_host_that_is_down_is_503_at_once(admin, backend, down,
                                                      request_name):
    response = REQUESTS[request_name](admin, down['id'])
    assert response.json == {'serviceUnavailable': {
        'code': 503,
        'message': 'Compute host node1 is down (no heartbeat within '
                   'service_down_time); nothing was done. Try again once '
                   'it is up.'}}
    # Only the reads that found the host went out.
    assert set(backend.call_names()) <= {'get_instance',
                                         'find_volume_attachment'}


def test_reads_and_images_need_no_live_host(admin, backend, down):
    view = admin.get('servers/%s' % down['id']).json['server']
    assert view['status'] == 'ACTIVE'
    admin.post('servers/%s/action' % down['id'],
               {'createImage': {'name': 'img'}}, status=202)
    assert backend.call_names()[-1] == 'create_image'


@pytest.mark.parametrize('host_status', [
    states.HOST_UP, states.HOST_MAINTENANCE, states.HOST_UNKNOWN])
def test_other_host_states_are_called(admin, backend, server, host_status):
    server['host_status'] = host_status
    admin.post('servers/%s/action' % server['id'], {'os-stop': None},
               status=202)
    assert backend.call_names()[-1] == 'stop_instance'
