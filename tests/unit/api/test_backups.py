"""/backups, os-volume_upload_image and snapvol-upload_image over HTTP,
with a real volume manager behind the app (SQLite, a local share, real
qemu-img, the posix backup driver): Cinder's shapes (tempest's schemas),
its microversions, the 4xx of bad requests, projects kept apart."""

import os
import uuid

from oslo_config import cfg
import pytest

from snapvol_api import rpc
from snapvol_api.conf import CONF
from snapvol_api.rest.volume import versions
from snapvol_api.rpc import volume_rpcapi
from snapvol_volume import locks as locks_mod
from snapvol_volume.db import api as db
from snapvol_volume.db import migration
from tests.tempest_clients import Clients
from tests.tempest_clients import WebTestHttp
from tests.tempest_clients import basic_auth_headers
from tests.tempest_clients import microversion
from tests.unit.api.helpers import USERS
from tests.unit.volume import helpers as volume_helpers

MAX = str(versions.MAX_VERSION)


@pytest.fixture
def manager(config, tmp_path):
    config.config(state_path=str(tmp_path), host='unit-host')
    config.config(lock_path=str(tmp_path / 'locks'),
                  group='oslo_concurrency')
    url = 'sqlite:///%s' % (tmp_path / 'snapvol.sqlite')
    config.config(connection=url, group='database')
    migration.upgrade(url)
    mgr = volume_helpers.start_manager(volume_helpers.FakeCompute(),
                                       locks_mod.Locks())
    yield mgr
    mgr.stop()
    db.dispose()


@pytest.fixture
def backend(manager):
    """The real manager, called as the API calls it (the rpcapi)."""
    return volume_rpcapi.VolumeAPI(client=rpc.LocalClient(manager))


def _wait(client, path, key, status):
    def current():
        response = client.get(path, status='*')
        if response.status_int == 404:
            return {'status': 'gone'}
        return response.json[key]
    volume_helpers.wait_status(current, status)


def _volume(client):
    volume = client.create_volume()
    _wait(client, 'volumes/' + volume['id'], 'volume', 'available')
    return volume['id']


def _snapshot(client, volume_id):
    snapshot = client.create_snapshot(volume_id)
    _wait(client, 'snapshots/' + snapshot['id'], 'snapshot', 'available')
    return snapshot['id']


def _backup(client, volume_id, status='available', **fields):
    answer = client.post('backups', {'backup': dict(
        fields, volume_id=volume_id)}).json['backup']
    assert set(answer) == {'id', 'name', 'links'}
    if status is not None:
        _wait(client, 'backups/' + answer['id'], 'backup', status)
    return answer['id']


def test_a_snapshot_backup_and_its_restore(alice, admin):
    volume_id = _volume(alice)
    snapshot_id = _snapshot(alice, volume_id)
    backup_id = _backup(alice, volume_id, snapshot_id=snapshot_id,
                        name='nightly', description='d')
    shown = alice.get('backups/' + backup_id).json['backup']
    assert (shown['name'], shown['description'], shown['volume_id'],
            shown['snapshot_id'], shown['size'], shown['is_incremental'],
            shown['has_dependent_backups'], shown['fail_reason']) == (
        'nightly', 'd', volume_id, snapshot_id, 1, False, False, None)
    assert 'metadata' not in shown
    assert 'os-backup-project-attr:project_id' not in shown
    assert shown['links'][0]['href'].endswith('/v3/p1/backups/' + backup_id)
    # Details, by microversion: metadata from 3.43, the project (3.18)
    # and the user (3.56) to administrators.
    assert alice.at('3.43').get('backups/' + backup_id).json['backup'][
        'metadata'] == {}
    as_admin = admin.at(MAX).get('backups/detail?all_tenants=1').json[
        'backups']
    assert [(b['id'], b['os-backup-project-attr:project_id'],
             b['user_id']) for b in as_admin] == [(backup_id, 'p1',
                                                   'alice')]
    listed = alice.get('backups').json['backups']
    assert listed == [{'id': backup_id, 'name': 'nightly',
                       'links': shown['links']}]

    restored = alice.post('backups/%s/restore' % backup_id,
                          {'restore': {'name': 'back'}}).json['restore']
    assert (restored['backup_id'], restored['volume_name']) == (backup_id,
                                                                'back')
    _wait(alice, 'volumes/' + restored['volume_id'], 'volume', 'available')
    _wait(alice, 'backups/' + backup_id, 'backup', 'available')
    # Into an existing volume of at least the backup's size.
    alice.post('backups/%s/restore' % backup_id,
               {'restore': {'volume_id': volume_id}})
    _wait(alice, 'volumes/' + volume_id, 'volume', 'available')

    alice.delete('backups/' + backup_id)
    _wait(alice, 'backups/' + backup_id, 'backup', 'gone')


def test_bad_requests_are_4xx_and_change_nothing(alice, bob):
    volume_id = _volume(alice)
    snapshot_id = _snapshot(alice, volume_id)
    for body, words in (
            ({'backup': {}}, "'volume_id' is a required property"),
            ({'backup': {'volume_id': 'nope'}}, 'volume_id'),
            ({'backup': {'volume_id': volume_id, 'colour': 'red'}},
             'colour'),
            ({'backup': {'volume_id': volume_id, 'incremental': 'maybe'}},
             'incremental'),
            ({'backup': {'volume_id': volume_id,
                         'container': '../../../etc'}}, 'container'),
            ({'backup': {'volume_id': volume_id, 'incremental': True}},
             'No backups available'),
            ({'backup': {'volume_id': volume_id, 'metadata': {'a': 'b'}}},
             'metadata')):
        response = alice.post('backups', body, status=400)
        assert words in response.json['badRequest']['message'], body
    # 3.51's availability zone, only this service's.
    response = alice.at('3.51').post('backups', {'backup': {
        'volume_id': volume_id, 'availability_zone': 'mars'}}, status=400)
    assert 'mars' in response.json['badRequest']['message']
    # Another project's volume or snapshot is not found.
    bob.post('backups', {'backup': {'volume_id': volume_id}}, status=404)
    assert alice.get('backups').json['backups'] == []
    assert alice.get('snapshots/' + snapshot_id).json['snapshot'][
        'status'] == 'available'

    backup_id = _backup(alice, volume_id)
    for path, body in (('restore', {'restore': {'volume_id': 'x'}}),
                       ('restore', {'restore': {'size': 3}}),
                       ('action', {'os-reset_status': {'status': 'x'}}),
                       ('action', {'os-unknown': None})):
        alice.post('backups/%s/%s' % (backup_id, path), body,
                   status=(403 if 'reset' in str(body) else 400))
    alice.get('backups/' + str(uuid.uuid4()), status=404)
    alice.get('backups/not-a-uuid', status=404)
    alice.get('backups?sort=name', status=400)      # before 3.37
    alice.at('3.37').get('backups?sort=name')
    alice.at('3.31').get('backups?colour=red', status=400)
    assert alice.at('3.45').get('backups?with_count=true').json[
        'count'] == 1
    alice.put('backups/' + backup_id, {'backup': {'name': 'x'}},
              status=404)                            # before 3.9
    renamed = alice.at('3.43').put('backups/' + backup_id, {'backup': {
        'name': 'x', 'metadata': {'k': 'v'}}}).json['backup']
    assert renamed['name'] == 'x'
    assert alice.at('3.43').get('backups/' + backup_id).json['backup'][
        'metadata'] == {'k': 'v'}

    # Another project sees none of it.
    bob.get('backups/' + backup_id, status=404)
    bob.delete('backups/' + backup_id, status=404)
    bob.post('backups/%s/restore' % backup_id, {'restore': {}},
             status=404)
    bob.at('3.9').put('backups/' + backup_id, {'backup': {'name': 'y'}},
                      status=404)
    assert bob.get('backups/detail').json['backups'] == []
    bobs = _volume(bob)
    alice.post('backups/%s/restore' % backup_id,
               {'restore': {'volume_id': bobs}}, status=404)


def test_a_read_snapshot_is_not_deleted_and_an_older_one_neither(
        alice, manager, monkeypatch):
    volume_id = _volume(alice)
    older = _snapshot(alice, volume_id)
    read = _snapshot(alice, volume_id)
    # The backup's work waits until the test lets it go on.
    monkeypatch.setattr(manager.backups, '_workers',
                        volume_helpers.ManualWorkers())
    backup_id = _backup(alice, volume_id, snapshot_id=read, status=None)
    held = manager.backups._workers
    assert alice.get('snapshots/' + read).json['snapshot'][
        'status'] == 'backing-up'
    assert alice.get('backups/' + backup_id).json['backup'][
        'status'] == 'creating'
    for snapshot_id in (read, older):
        response = alice.delete('snapshots/' + snapshot_id, status=409)
        message = response.json['conflictingRequest']['message']
        assert 'backup %s' % backup_id in message
        assert 'merge' in message
    # A backup not yet made is neither deleted nor restored.
    alice.delete('backups/' + backup_id, status=400)
    alice.post('backups/%s/restore' % backup_id, {'restore': {}},
               status=400)
    held.run()
    _wait(alice, 'backups/' + backup_id, 'backup', 'available')
    alice.delete('snapshots/' + read)
    _wait(alice, 'snapshots/' + read, 'snapshot', 'gone')


def test_the_admin_actions(alice, admin, manager, monkeypatch):
    volume_id = _volume(alice)
    backup_id = _backup(alice, volume_id)
    alice.post('backups/%s/action' % backup_id,
               {'os-force_delete': None}, status=403)
    admin.post('backups/%s/action' % backup_id,
               {'os-reset_status': {'status': 'error'}})
    assert alice.get('backups/' + backup_id).json['backup'][
        'status'] == 'error'
    admin.post('backups/%s/action' % backup_id,
               {'os-reset_status': {'status': 'restoring'}}, status=400)
    # os-force_delete of a backup being made stops it.
    monkeypatch.setattr(manager.backups, '_workers',
                        volume_helpers.ManualWorkers())
    making = _backup(alice, volume_id, status=None)
    admin.post('backups/%s/action' % making, {'os-force_delete': None})
    assert alice.get('volumes/' + volume_id).json['volume'][
        'status'] == 'available'
    held = manager.backups._workers
    while held.calls:
        held.run()
    alice.get('backups/' + making, status=404)


def test_uploads_to_image_files(alice, bob):
    volume_id = _volume(alice)
    snapshot_id = _snapshot(alice, volume_id)
    answer = alice.post('volumes/%s/action' % volume_id, {
        'os-volume_upload_image': {'image_name': 'disk.qcow2',
                                   'disk_format': 'qcow2'}}).json[
        'os-volume_upload_image']
    assert (answer['id'], answer['status'], answer['image_name'],
            answer['disk_format'], answer['container_format']) == (
        volume_id, 'uploading', 'disk.qcow2', 'qcow2', 'bare')
    assert 'visibility' not in answer
    _wait(alice, 'volumes/' + volume_id, 'volume', 'available')
    at_31 = alice.at('3.1').post('volumes/%s/action' % volume_id, {
        'os-volume_upload_image': {'image_name': 'disk.raw',
                                   'visibility': 'public'}}).json[
        'os-volume_upload_image']
    assert (at_31['disk_format'], at_31['visibility'],
            at_31['protected']) == ('raw', 'public', False)
    _wait(alice, 'volumes/' + volume_id, 'volume', 'available')
    answer = alice.post('snapshots/%s/action' % snapshot_id, {
        'snapvol-upload_image': {'image_name': 'snap.raw'}}).json[
        'snapvol-upload_image']
    assert (answer['id'], answer['status']) == (snapshot_id, 'backing-up')
    _wait(alice, 'snapshots/' + snapshot_id, 'snapshot', 'available')

    for body, status, words in (
            ({'image_name': '../../x'}, 400, 'image_name'),
            ({'image_name': 'a/b'}, 400, 'image_name'),
            ({'image_name': 'x', 'disk_format': 'vmdk'}, 400,
             'disk_format'),
            ({'image_name': 'x', 'container_format': 'ovf'}, 400,
             'container_format'),
            ({'image_name': 'x', 'visibility': 'public'}, 400,
             'visibility'),
            ({'image_name': 'disk.raw'}, 409, 'already exists')):
        response = alice.post('volumes/%s/action' % volume_id,
                              {'os-volume_upload_image': body},
                              status=status)
        (fault,) = response.json.values()
        assert words in fault['message'], body
    bob.post('volumes/%s/action' % volume_id, {
        'os-volume_upload_image': {'image_name': 'mine'}}, status=404)
    bob.post('snapshots/%s/action' % snapshot_id, {
        'snapvol-upload_image': {'image_name': 'mine'}}, status=404)
    exported = os.path.join(CONF.export.path, 'p1')
    assert sorted(os.listdir(exported)) == ['disk.qcow2', 'disk.raw',
                                            'snap.raw']


def test_tempest_checks_the_backup_bodies(app, alice):
    volume_id = _volume(alice)
    snapshot_id = _snapshot(alice, volume_id)
    password, project, _roles = USERS['alice']
    tempest = Clients('http://localhost/v3/%s' % project,
                      basic_auth_headers('alice', password),
                      http=WebTestHttp(app)).backups
    for version in (None, '3.43', '3.64', MAX):
        with microversion(version):
            backup = tempest.create_backup(volume_id=volume_id,
                                           snapshot_id=snapshot_id)['backup']
            _wait(alice, 'backups/' + backup['id'], 'backup', 'available')
            tempest.show_backup(backup['id'])
            tempest.list_backups()
            tempest.list_backups(detail=True)
            if version is not None:
                tempest.update_backup(backup['id'], name='renamed')
            restore = tempest.restore_backup(backup['id'])['restore']
            _wait(alice, 'volumes/' + restore['volume_id'], 'volume',
                  'available')
            _wait(alice, 'backups/' + backup['id'], 'backup', 'available')
            tempest.delete_backup(backup['id'])
            _wait(alice, 'backups/' + backup['id'], 'backup', 'gone')


def test_the_backup_options_are_cinders(config):
    assert isinstance(CONF.backup, cfg.ConfigOpts.GroupAttr)
    assert (CONF.backup.backup_sha_block_size_bytes,
            CONF.backup.backup_compression_algorithm) == (32768, 'zlib')
    assert CONF.backup.backup_file_size % 32768 == 0
