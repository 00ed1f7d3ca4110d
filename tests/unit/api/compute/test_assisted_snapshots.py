"""/v2.1/os-assisted-volume-snapshots: find where the volume is attached,
cast to that host, answer at once; refuse anything that is not a bare file
name."""

import json
import urllib.parse
import uuid

import pytest

SNAPSHOT = str(uuid.uuid4())


@pytest.fixture
def volume_id(backend, server):
    return server['attachments'][0]['volume_id']


def _create_body(volume_id, **create_info):
    info = {'snapshot_id': SNAPSHOT, 'type': 'qcow2',
            'new_file': 'volume-%s.%s' % (volume_id, SNAPSHOT)}
    info.update(create_info)
    return {'snapshot': {'volume_id': volume_id, 'create_info': info}}


def _delete_path(snapshot_id, delete_info, quote=True):
    text = json.dumps(delete_info)
    return 'os-assisted-volume-snapshots/%s?delete_info=%s' % (
        snapshot_id, urllib.parse.quote(text) if quote else text)


def _delete_info(volume, **values):
    info = {'type': 'qcow2', 'volume_id': volume,
            'file_to_merge': 'volume-%s.%s' % (volume, SNAPSHOT),
            'merge_target_file': 'volume-%s' % volume}
    info.update(values)
    return info


# Create ---------------------------------------------------------------------

def test_create_casts_to_the_instance_host(admin, backend, server,
                                           volume_id):
    response = admin.post('os-assisted-volume-snapshots',
                          _create_body(volume_id))
    assert response.json == {
        'snapshot': {'id': SNAPSHOT, 'volumeId': volume_id}}
    assert backend.calls == [
        ('find_volume_attachment', {'volume_id': volume_id}),
        ('volume_snapshot_create', {
            'host': 'node1', 'instance_id': server['id'],
            'volume_id': volume_id,
            'create_info': {'snapshot_id': SNAPSHOT, 'type': 'qcow2',
                            'new_file': 'volume-%s.%s' % (volume_id,
                                                          SNAPSHOT)}}),
    ]


def test_create_canonicalises_ids(admin, backend, volume_id):
    body = _create_body(volume_id.upper(), snapshot_id=SNAPSHOT.upper(),
                        id='ignored')
    response = admin.post('os-assisted-volume-snapshots', body)
    assert response.json['snapshot'] == {'id': SNAPSHOT,
                                         'volumeId': volume_id}
    _name, cast = backend.calls[-1]
    assert cast['create_info']['snapshot_id'] == SNAPSHOT
    assert 'id' not in cast['create_info']


def test_create_for_a_detached_volume_is_400_as_in_nova(admin, backend):
    volume_id = str(uuid.uuid4())
    response = admin.post('os-assisted-volume-snapshots',
                          _create_body(volume_id), status=400)
    assert 'not attached' in response.json['badRequest']['message']
    assert backend.call_names() == ['find_volume_attachment']


@pytest.mark.parametrize('new_file', [
    '', '/etc/passwd', '../volume-x', 'a/b', '..', 'volume..x', '.hidden',
    'x' * 256, 'a b', 'a\nb', 'a\x00b', None, 7, ['f'],
])
def test_create_refuses_anything_but_a_bare_file_name(admin, backend,
                                                      volume_id, new_file):
    response = admin.post('os-assisted-volume-snapshots',
                          _create_body(volume_id, new_file=new_file),
                          status=400)
    assert 'new_file' in response.json['badRequest']['message']
    assert backend.calls == []


@pytest.mark.parametrize('body, field', [
    ({'snapshot': {'create_info': {}}}, 'volume_id'),
    (None, 'create_info'),
    ({'volume_id': 'x', 'create_info': {}}, 'snapshot'),
    ({}, 'snapshot'),
    ([], 'body'),
])
def test_create_refuses_malformed_bodies(admin, volume_id, body, field):
    if body is None:
        body = {'snapshot': {'volume_id': volume_id}}
    response = admin.post('os-assisted-volume-snapshots', body, status=400)
    assert field in response.json['badRequest']['message']


@pytest.mark.parametrize('create_info, field', [
    ({'type': 'raw'}, 'type'),
    ({'type': 'cinder'}, 'type'),
    ({'snapshot_id': 'not-a-uuid'}, 'snapshot_id'),
    ({'snapshot_id': None}, 'snapshot_id'),
    ({'extra': 1}, 'extra'),
])
def test_create_refuses_bad_create_info(admin, backend, volume_id,
                                        create_info, field):
    response = admin.post('os-assisted-volume-snapshots',
                          _create_body(volume_id, **create_info), status=400)
    assert field in response.json['badRequest']['message']
    assert backend.calls == []


def test_create_refuses_a_non_uuid_volume_id(admin, backend):
    admin.post('os-assisted-volume-snapshots', _create_body('vol-1'),
               status=400)
    assert backend.calls == []


# Delete ---------------------------------------------------------------------

@pytest.mark.parametrize('quote', [True, False])
def test_delete_casts_to_the_instance_host(admin, backend, server,
                                           volume_id, quote):
    # novaclient sends the JSON unquoted; a proper client quotes it.
    info = _delete_info(volume_id)
    response = admin.delete(_delete_path(SNAPSHOT, info, quote))
    assert response.body == b''
    assert backend.calls == [
        ('find_volume_attachment', {'volume_id': volume_id}),
        ('volume_snapshot_delete', {
            'host': 'node1', 'instance_id': server['id'],
            'volume_id': volume_id, 'snapshot_id': SNAPSHOT,
            'delete_info': info}),
    ]


def test_delete_takes_null_files(admin, backend, volume_id):
    # Pulling everything below into the active file: blockRebase, no base.
    info = _delete_info(volume_id, file_to_merge=None,
                        merge_target_file=None)
    admin.delete(_delete_path(SNAPSHOT, info))
    _name, cast = backend.calls[-1]
    assert cast['delete_info'] == info


def test_delete_canonicalises_ids(admin, backend, volume_id):
    admin.delete(_delete_path(SNAPSHOT.upper(),
                              _delete_info(volume_id.upper())))
    _name, cast = backend.calls[-1]
    assert (cast['snapshot_id'], cast['volume_id'],
            cast['delete_info']['volume_id']) == (SNAPSHOT, volume_id,
                                                  volume_id)


def test_delete_for_a_detached_volume_is_400(admin, backend):
    admin.delete(_delete_path(SNAPSHOT, _delete_info(str(uuid.uuid4()))),
                 status=400)


@pytest.mark.parametrize('query', [
    '',
    '?delete_info=',
    '?delete_info={',
    '?delete_info=null',
    '?delete_info=[]',
    '?delete_info="x"',
    '?other=1',
    '?delete_info=' + 'x' * 5000,
])
def test_delete_refuses_malformed_delete_info(admin, backend, query):
    response = admin.delete('os-assisted-volume-snapshots/%s%s'
                            % (SNAPSHOT, query), status=400)
    assert 'delete_info' in response.json['badRequest']['message']
    assert backend.calls == []


@pytest.mark.parametrize('change', [
    {'type': 'raw'},
    {'volume_id': 'not-a-uuid'},
    {'file_to_merge': '../../etc/shadow'},
    {'file_to_merge': '/srv/volumes/volume-x'},
    {'merge_target_file': 'a/b'},
    {'merge_target_file': ''},
    {'file_to_merge': 3},
    {'extra': 'x'},
])
def test_delete_refuses_bad_delete_info(admin, backend, volume_id, change):
    admin.delete(_delete_path(SNAPSHOT, _delete_info(volume_id, **change)),
                 status=400)
    assert backend.calls == []


@pytest.mark.parametrize('missing', ['type', 'volume_id', 'file_to_merge',
                                     'merge_target_file'])
def test_delete_requires_every_key(admin, backend, volume_id, missing):
    info = _delete_info(volume_id)
    del info[missing]
    response = admin.delete(_delete_path(SNAPSHOT, info), status=400)
    assert missing in response.json['badRequest']['message']


def test_delete_refuses_a_non_uuid_snapshot_id(admin, backend, volume_id):
    response = admin.delete(_delete_path('snap-1', _delete_info(volume_id)),
                            status=400)
    assert 'snap-1' in response.json['badRequest']['message']
    assert backend.calls == []


# Create of a set (our list form) --------------------------------------------

GROUP_SNAPSHOT = str(uuid.uuid4())


def _member(volume_id, snapshot_id=None):
    snapshot_id = snapshot_id or str(uuid.uuid4())
    return {'volume_id': volume_id, 'create_info': {
        'snapshot_id': snapshot_id, 'type': 'qcow2',
        'new_file': 'volume-%s.%s' % (volume_id, snapshot_id)}}


@pytest.fixture
def two_volumes(backend, server):
    """The server's root volume and a second one, both attached."""
    backend.attach(server['id'], str(uuid.uuid4()))
    return [a['volume_id'] for a in server['attachments']]


def test_set_create_casts_once_to_the_instance_host(admin, backend, server,
                                                    two_volumes):
    members = [_member(v) for v in two_volumes]
    response = admin.post('os-assisted-volume-snapshots', {
        'group_snapshot_id': GROUP_SNAPSHOT.upper(), 'snapshots': members})
    assert response.json == {
        'group_snapshot_id': GROUP_SNAPSHOT,
        'snapshots': [{'id': m['create_info']['snapshot_id'],
                       'volumeId': m['volume_id']} for m in members]}
    name, cast = backend.calls[-1]
    assert name == 'volume_snapshot_create_set'
    assert cast == {'host': 'node1', 'instance_id': server['id'],
                    'group_snapshot_id': GROUP_SNAPSHOT, 'members': members}
    assert backend.call_names().count('volume_snapshot_create_set') == 1


def test_set_across_two_instances_is_400_and_casts_nothing(admin, backend,
                                                           server):
    other = backend.add_instance(name='db')
    backend.attach(other['id'], str(uuid.uuid4()), boot_index=0)
    volumes = [server['attachments'][0]['volume_id'],
               backend.instances[other['id']]['attachments'][0]['volume_id']]
    response = admin.post('os-assisted-volume-snapshots', {
        'group_snapshot_id': GROUP_SNAPSHOT,
        'snapshots': [_member(v) for v in volumes]}, status=400)
    message = response.json['badRequest']['message']
    assert 'one instance' in message and other['id'] in message
    assert 'volume_snapshot_create_set' not in backend.call_names()


def test_set_with_a_detached_volume_is_400(admin, backend, server):
    volumes = [server['attachments'][0]['volume_id'], str(uuid.uuid4())]
    response = admin.post('os-assisted-volume-snapshots', {
        'group_snapshot_id': GROUP_SNAPSHOT,
        'snapshots': [_member(v) for v in volumes]}, status=400)
    assert 'not attached' in response.json['badRequest']['message']
    assert 'volume_snapshot_create_set' not in backend.call_names()


@pytest.mark.parametrize('body, words', [
    ({'snapshots': []}, 'group_snapshot_id'),
    ({'group_snapshot_id': GROUP_SNAPSHOT, 'snapshots': []}, 'snapshots'),
    ({'group_snapshot_id': 'nope',
      'snapshots': [_member(str(uuid.uuid4()))]}, 'group_snapshot_id'),
    ({'group_snapshot_id': GROUP_SNAPSHOT, 'snapshots': [{}]}, 'volume_id'),
    ({'group_snapshot_id': GROUP_SNAPSHOT, 'snapshots': 'x' * 27},
     'snapshots'),
    ({'group_snapshot_id': GROUP_SNAPSHOT, 'snapshots': [], 'x': 1}, 'x'),
])
def test_set_create_refuses_malformed_bodies(admin, backend, body, words):
    response = admin.post('os-assisted-volume-snapshots', body, status=400)
    assert words in response.json['badRequest']['message']
    assert backend.calls == []


def test_set_refuses_a_volume_or_snapshot_named_twice(admin, backend,
                                                      two_volumes):
    twice = [_member(two_volumes[0]), _member(two_volumes[0])]
    response = admin.post('os-assisted-volume-snapshots', {
        'group_snapshot_id': GROUP_SNAPSHOT, 'snapshots': twice}, status=400)
    assert 'more than once' in response.json['badRequest']['message']
    snapshot_id = str(uuid.uuid4())
    same = [_member(v, snapshot_id) for v in two_volumes]
    response = admin.post('os-assisted-volume-snapshots', {
        'group_snapshot_id': GROUP_SNAPSHOT, 'snapshots': same}, status=400)
    assert snapshot_id in response.json['badRequest']['message']
    assert backend.calls == []


def test_set_refuses_path_tricks_in_any_member(admin, backend, two_volumes):
    members = [_member(v) for v in two_volumes]
    members[1]['create_info']['new_file'] = '../../etc/passwd'
    response = admin.post('os-assisted-volume-snapshots', {
        'group_snapshot_id': GROUP_SNAPSHOT, 'snapshots': members},
        status=400)
    assert 'new_file' in response.json['badRequest']['message']
    assert backend.calls == []


def test_set_create_needs_the_admin(alice, backend, two_volumes):
    alice.post('os-assisted-volume-snapshots', {
        'group_snapshot_id': GROUP_SNAPSHOT,
        'snapshots': [_member(v) for v in two_volumes]}, status=403)
    assert backend.calls == []
