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
