"""Group snapshots of a running server's disks (seed 002), as users take
them: python-cinderclient at microversion 3.14 against both services,
QEMU writing to every disk, one compute call for the set, and every byte
of each member and of the volumes made from the set checked.

Runs on snapvol-all with its defaults: on the four processes apart, over
RabbitMQ, test_end_to_end's test_volume_manager_restarts_mid_operation
takes a set of a running server's disks.
"""

import json
import os

import pytest

from tests import imagedata

from . import harness
from .test_compute_service import monitor_flush
from .test_compute_service import monitor_write

# The deployments of the end-to-end tests.
from .test_end_to_end import system  # noqa: F401

MiB = imagedata.MiB
GiB = imagedata.GiB
DEVICES = ['virtio-disk%d/virtio-backend' % n for n in range(3)]


def _info(share_dir, volume_id):
    with open(os.path.join(share_dir, 'volume-%s.info' % volume_id)) as f:
        return json.load(f)


def _image(share_dir, name):
    path = os.path.join(share_dir, name)
    fmt = imagedata.image_chain(path, 'qcow2' if '.' in name.split(
        'volume-')[1] else 'raw', force_share=True)[0]['format']
    return path, fmt


@pytest.mark.parametrize('system', ['all-defaults'], indirect=True)
def test_group_snapshot_of_a_running_server(system, share_dir,  # noqa: F811
                                            tmp_path):
    cinder = system.client('alice', version='3.14')
    nova = system.nova('admin')
    volumes = [cinder.volumes.create(1, name='disk%d' % n) for n in range(3)]
    for vol in volumes:
        harness.wait_for_status(lambda v=vol: cinder.volumes.get(v.id),
                                'available')
    server = nova.servers.create('set', image=None, flavor='1',
                                 block_device_mapping_v2=[{
                                     'uuid': volumes[0].id,
                                     'source_type': 'volume',
                                     'destination_type': 'volume',
                                     'boot_index': 0}])
    harness.wait_for_status(lambda: nova.servers.get(server.id), 'ACTIVE',
                            timeout=120, failed=('ERROR',))
    for vol in volumes[1:]:
        nova.volumes.create_server_volume(server.id, vol.id)
        harness.wait_for_status(lambda v=vol: cinder.volumes.get(v.id),
                                'in-use')
    models = [imagedata.ImageModel(tmp_path / ('%d.raw' % n), GiB)
              for n in range(3)]

    def write(pattern, offset):
        for device, model in zip(DEVICES, models):
            monitor_write(server.id, device, pattern, offset, 64 * 1024)
            model.write(pattern, offset, 64 * 1024)

    group = cinder.groups.create('consistent', 'default', name='vm-set')
    cinder.groups.update(group.id,
                         add_volumes=','.join(v.id for v in volumes))
    write(0x31, 0)
    group_snapshot = cinder.group_snapshots.create(group.id, name='nightly')
    harness.wait_for_status(
        lambda: cinder.group_snapshots.get(group_snapshot.id), 'available')
    at = [model.checkpoint('set') for model in models]
    write(0x32, 0)
    write(0x33, 8 * MiB)

    members = {s.volume_id: s for s in cinder.volume_snapshots.list(
        search_opts={'group_snapshot_id': group_snapshot.id})}
    assert sorted(members) == sorted(v.id for v in volumes)
    for n, vol in enumerate(volumes):
        member = members[vol.id]
        assert member.status == 'available'
        assert member.group_snapshot_id == group_snapshot.id
        assert member.name == 'nightly-vd%s' % 'abc'[n]
        assert member.metadata['snapvol:group_snapshot_name'] == 'nightly'
        assert member.metadata['snapvol:instance_id'] == server.id
        # The test guest has no agent: crash-consistent, one transaction.
        assert member.metadata['quiesced'] == 'no'
        assert float(member.metadata['snapvol:freeze_seconds']) > 0
        monitor_flush(server.id, DEVICES[n])
        info = _info(share_dir, vol.id)
        models[n].assert_matches(*_image(share_dir, info['active']),
                                 force_share=True)
        header = imagedata.image_chain(
            os.path.join(share_dir, info[member.id]), 'qcow2',
            force_share=True)[0]
        at[n].assert_matches(os.path.join(share_dir,
                                          header['backing-filename']),
                             header['backing-filename-format'],
                             force_share=True)

    # Restore: a group of new volumes, each holding its disk at the set's
    # instant.
    restored = cinder.groups.create_from_src(group_snapshot.id, None,
                                             name='restored')
    restored = cinder.groups.get(restored['id'] if isinstance(
        restored, dict) else restored.id)
    made = cinder.volumes.list(search_opts={'group_id': restored.id})
    assert len(made) == 3
    by_source = {}
    for vol in made:
        harness.wait_for_status(lambda v=vol: cinder.volumes.get(v.id),
                                'available')
        by_source[cinder.volumes.get(vol.id).snapshot_id] = vol.id
    for n, vol in enumerate(volumes):
        new_id = by_source[members[vol.id].id]
        at[n].assert_matches(*_image(share_dir, _info(
            share_dir, new_id)['active']))

    # The server's image (createImage, python-novaclient): one more set of
    # the three disks, listed in the image's block_device_mapping.
    image_id = nova.servers.create_image(server.id, 'img', {'k': 'v'})

    def image():
        found = nova.client.get('/images/%s' % image_id)[1]['image']
        return found if found['status'] != 'SAVING' else None
    shown = harness.wait_for(image, 120, what='image %s' % image_id)
    assert shown['status'] == 'ACTIVE', shown
    assert shown['OS-EXT-IMG-SIZE:size'] == 0
    assert shown['metadata']['bdm_v2'] == 'True'
    mapping = json.loads(shown['metadata']['block_device_mapping'])
    assert [(d['device_name'], d['boot_index'], d['source_type'])
            for d in mapping] == [('/dev/vda', 0, 'snapshot'),
                                  ('/dev/vdb', None, 'snapshot'),
                                  ('/dev/vdc', None, 'snapshot')]
    image_members = [cinder.volume_snapshots.get(d['snapshot_id'])
                     for d in mapping]
    assert {m.status for m in image_members} == {'available'}
    assert len({m.group_snapshot_id for m in image_members}) == 1
    assert [m.volume_id for m in image_members] == [v.id for v in volumes]
    image_at = [model.checkpoint('image') for model in models]
    write(0x34, 16 * MiB)

    # Boot from the image (imageRef): one new volume per member, made
    # from its snapshot, on the member's device and boot index; in the
    # project of who boots it, as Nova does.
    admin = system.client('admin')
    booted = nova.servers.create('from-image', image=image_id, flavor='1')
    harness.wait_for_status(lambda: nova.servers.get(booted.id), 'ACTIVE',
                            timeout=180, failed=('ERROR',))
    attached = sorted((a.device, a.volumeId) for a in
                      nova.volumes.get_server_volumes(booted.id))
    assert [device for device, _ in attached] == [
        '/dev/vda', '/dev/vdb', '/dev/vdc']
    for n, (_, volume_id) in enumerate(attached):
        made = admin.volumes.get(volume_id)
        assert made.status == 'in-use'
        assert made.snapshot_id == image_members[n].id
        image_at[n].assert_matches(*_image(share_dir, _info(
            share_dir, volume_id)['active']), force_share=True)
    nova.servers.delete(booted.id)
    for _, volume_id in attached:
        harness.wait_for_status(lambda v=volume_id: admin.volumes.get(v),
                                'available')
        admin.volumes.delete(volume_id)
    nova.client.delete('/images/%s' % image_id)
    for member in image_members:
        harness.wait_snapshot_deleted(cinder, member.id)

    cinder.group_snapshots.delete(group_snapshot.id)
    harness.wait_for(lambda: group_snapshot.id not in {
        g.id for g in cinder.group_snapshots.list()}, 300,
        what='group snapshot %s to go' % group_snapshot.id)
    assert cinder.volume_snapshots.list() == []
    for n, vol in enumerate(volumes):
        monitor_flush(server.id, DEVICES[n])
        info = _info(share_dir, vol.id)
        assert set(info) == {'active'}
        models[n].assert_matches(*_image(share_dir, info['active']),
                                 force_share=True)
