"""/os-volume-transfer in Cinder's shapes, with the calls Horizon's volume
panel makes."""

import pytest


@pytest.fixture
def volume(alice, backend):
    volume = alice.create_volume()
    backend.volumes[volume['id']]['status'] = 'available'
    return volume


def _offer(alice, volume, **fields):
    fields['volume_id'] = volume['id']
    return alice.post('os-volume-transfer',
                      {'transfer': fields}).json['transfer']


def test_create_shows_the_key_once(alice, backend, volume):
    transfer = _offer(alice, volume, name='to bob')
    assert set(transfer) == {'id', 'name', 'volume_id', 'created_at',
                             'auth_key', 'links'}
    assert backend.volumes[volume['id']]['status'] == 'awaiting-transfer'
    shown = alice.get('os-volume-transfer/' + transfer['id']).json[
        'transfer']
    assert 'auth_key' not in shown
    assert shown['name'] == 'to bob'


def test_lists_as_horizon_reads_them(alice, bob, volume):
    transfer = _offer(alice, volume)
    assert alice.get('os-volume-transfer').json == {'transfers': [{
        'id': transfer['id'], 'name': None, 'volume_id': volume['id'],
        'links': transfer['links']}]}
    (detail,) = alice.get('os-volume-transfer/detail').json['transfers']
    assert detail['created_at'] == transfer['created_at']
    assert bob.get('os-volume-transfer/detail').json == {'transfers': []}
    bob.get('os-volume-transfer/' + transfer['id'], status=404)


def test_accept_with_the_key(alice, bob, backend, volume):
    transfer = _offer(alice, volume)
    url = 'os-volume-transfer/%s/accept' % transfer['id']
    bob.post(url, {'accept': {'auth_key': 'wrong'}}, status=400)
    assert backend.volumes[volume['id']]['project_id'] == 'p1'
    accepted = bob.post(url, {'accept': {'auth_key': transfer['auth_key']}})
    assert accepted.json == {'transfer': {
        'id': transfer['id'], 'name': None, 'volume_id': volume['id'],
        'links': accepted.json['transfer']['links']}}
    assert backend.volumes[volume['id']]['project_id'] == 'p2'
    assert bob.get('volumes/' + volume['id']).json['volume']['status'] == \
        'available'


@pytest.mark.parametrize('body', [
    {'transfer': {}}, {'transfer': {'volume_id': 'x'}},
    {'transfer': {'volume_id': '00000000-0000-0000-0000-000000000000',
                  'no_snapshots': True}}, {'volume_id': 'x'}])
def test_bad_creates(alice, backend, volume, body):
    alice.post('os-volume-transfer', body, status=400)
    assert backend.transfers == {}


def test_bad_accepts(alice, bob, volume):
    transfer = _offer(alice, volume)
    url = 'os-volume-transfer/%s/accept' % transfer['id']
    for body in ({'accept': {}}, {'accept': {'auth_key': ''}}, {},
                 {'accept': {'auth_key': 'k', 'x': 1}}):
        bob.post(url, body, status=400)
    bob.post('os-volume-transfer/%s/accept'
             % '00000000-0000-0000-0000-000000000000',
             {'accept': {'auth_key': 'k'}}, status=404)


def test_delete_takes_the_offer_back(alice, bob, backend, volume):
    transfer = _offer(alice, volume)
    bob.delete('os-volume-transfer/' + transfer['id'], status=404)
    alice.delete('os-volume-transfer/' + transfer['id'])
    assert backend.volumes[volume['id']]['status'] == 'available'
    assert backend.transfers == {}


def test_lists_ignore_the_volume_filters_horizon_sends(alice, backend,
                                                      volume):
    _offer(alice, volume, name='t')
    body = alice.at('3.42').get('os-volume-transfer/detail?status=available'
                                '&name=t').json
    assert [t['name'] for t in body['transfers']] == ['t']
    assert backend.calls[-1][1]['filters'] == {'name': 't'}
