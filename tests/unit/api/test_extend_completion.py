"""The contract of two volume actions of later microversions: 3.68
os-reimage (refused: snapvol has no image service) and 3.71
os-extend_volume_completion (a compute service says how the extend of an
attached volume ended); below their version both are 404, as Cinder
answers a method of a later microversion."""

import uuid

import pytest

from tests.unit.api.helpers import USERS
from tests.unit.api.helpers import Client
from tests.unit.api.helpers import basic_auth
from tests.unit.api.helpers import write_htpasswd


@pytest.fixture
def htpasswd(tmp_path):
    # Nova calls as a user of the service project with the service role.
    users = dict(USERS, nova=('nova-pw', 'service', 'service'))
    return write_htpasswd(tmp_path / 'htpasswd', users)


@pytest.fixture
def nova(app):
    return Client(app, basic_auth('nova', 'nova-pw'), 'service')


@pytest.fixture
def volume(alice):
    return alice.create_volume()


@pytest.fixture
def extending(backend, volume):
    backend.volumes[volume['id']]['status'] = 'extending'
    return volume


def _in_project(client, project):
    """``client`` working in another project's URL (the owner's)."""
    return Client(client.app, client.headers, project).at('3.71')


def _action(volume):
    return 'volumes/%s/action' % volume['id']


# 3.71: os-extend_volume_completion -------------------------------------------

def test_extend_completion_from_3_71(admin, backend, extending):
    owner_url = _in_project(admin, 'p1')
    body = {'os-extend_volume_completion': {'error': False}}
    calls = len(backend.calls)
    owner_url.at('3.70').post(_action(extending), body, status=404)
    assert len(backend.calls) == calls
    response = owner_url.post(_action(extending), body)
    assert response.body == b''
    assert backend.calls[-1] == ('complete_volume_extend', {
        'volume_id': extending['id'], 'error': False})
    assert backend.volumes[extending['id']]['status'] == 'in-use'


@pytest.mark.parametrize('args, error', [
    ({}, False), ({'error': True}, True), ({'error': 'true'}, True),
    ({'error': 'no'}, False)])
def test_extend_completion_reads_error(admin, backend, extending, args,
                                       error):
    _in_project(admin, 'p1').post(
        _action(extending), {'os-extend_volume_completion': args})
    assert backend.calls[-1][1]['error'] is error


def test_a_compute_service_user_completes_any_projects_extend(
        nova, backend, extending):
    # Under its own project's URL: Nova's user is no administrator.
    nova.at('3.71').post(
        _action(extending), {'os-extend_volume_completion': {'error': True}})
    assert backend.calls[-1] == ('complete_volume_extend', {
        'volume_id': extending['id'], 'error': True})
    assert 'service' in backend.last_context.roles


def test_the_owner_may_not_complete_an_extend(alice, backend, extending):
    calls = len(backend.calls)
    response = alice.at('3.71').post(
        _action(extending), {'os-extend_volume_completion': {'error': False}},
        status=403)
    assert 'extend_volume_completion' in response.json['forbidden'][
        'message']
    assert len(backend.calls) == calls
    assert backend.volumes[extending['id']]['status'] == 'extending'


@pytest.mark.parametrize('args', [
    {'error': 'maybe'}, {'error': None}, {'error': False, 'new_size': 2},
    None, 'false'])
def test_extend_completion_refuses_bad_bodies(admin, backend, extending,
                                              args):
    calls = len(backend.calls)
    response = _in_project(admin, 'p1').post(
        _action(extending), {'os-extend_volume_completion': args},
        status=400)
    assert response.json['badRequest']['code'] == 400
    assert len(backend.calls) == calls


def test_extend_completion_needs_an_extending_volume(admin, volume):
    response = _in_project(admin, 'p1').post(
        _action(volume), {'os-extend_volume_completion': {'error': False}},
        status=400)
    assert 'extending' in response.json['badRequest']['message']
    _in_project(admin, 'p1').post(
        'volumes/%s/action' % uuid.uuid4(),
        {'os-extend_volume_completion': {'error': False}}, status=404)


def test_extend_completion_is_no_snapshot_action(alice, admin, volume):
    snapshot = alice.create_snapshot(volume['id'])
    response = _in_project(admin, 'p1').post(
        'snapshots/%s/action' % snapshot['id'],
        {'os-extend_volume_completion': {'error': False}}, status=400)
    assert 'no such action' in response.json['badRequest']['message']


# 3.68: os-reimage ----------------------------------------------------------

def test_reimage_from_3_68_is_refused_and_changes_nothing(alice, backend,
                                                          volume):
    image_id = str(uuid.uuid4())
    body = {'os-reimage': {'image_id': image_id, 'reimage_reserved': False}}
    before = dict(backend.volumes[volume['id']])
    alice.at('3.67').post(_action(volume), body, status=404)
    response = alice.at('3.68').post(_action(volume), body, status=400)
    message = response.json['badRequest']['message']
    assert 'image service' in message and image_id in message
    assert backend.calls[-1] == ('get_volume', {'volume_id': volume['id']})
    assert backend.volumes[volume['id']] == before


@pytest.mark.parametrize('args', [
    {}, {'image_id': 'not-a-uuid'}, {'image_id': None},
    {'image_id': str(uuid.uuid4()), 'reimage_reserved': 'maybe'},
    {'image_id': str(uuid.uuid4()), 'size': 2}, None])
def test_reimage_checks_the_body_first(alice, backend, volume, args):
    calls = len(backend.calls)
    response = alice.at('3.68').post(_action(volume), {'os-reimage': args},
                                     status=400)
    assert 'image service' not in response.json['badRequest']['message']
    assert len(backend.calls) == calls


def test_reimage_of_another_projects_volume_is_not_found(bob, volume):
    bob.at('3.68').post(
        _action(volume), {'os-reimage': {'image_id': str(uuid.uuid4())}},
        status=404)
