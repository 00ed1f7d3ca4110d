"""What the compute service asks when it attaches a volume."""

import pytest

from snapvol_api import exception
from tests.unit.volume.helpers import ADMIN
from tests.unit.volume.helpers import ALICE
from tests.unit.volume.helpers import BOB
from tests.unit.volume.helpers import create_snapshot
from tests.unit.volume.helpers import create_volume


def test_connection_follows_the_active_file(manager, share):
    volume = create_volume(manager)
    base = 'volume-%s' % volume['id']
    connection = manager.initialize_connection(ADMIN, volume['id'],
                                               {'host': 'h'})
    assert connection == {'driver_volume_type': 'local',
                          'data': {'export': share, 'name': base,
                                   'format': 'raw'}}
    snap = create_snapshot(manager, volume['id'])
    connection = manager.initialize_connection(ADMIN, volume['id'],
                                               {'host': 'h'})
    assert connection['data']['name'] == '%s.%s' % (base, snap['id'])
    assert connection['data']['format'] == 'qcow2'
    with pytest.raises(exception.VolumeNotFound):
        manager.initialize_connection(BOB, volume['id'], {'host': 'h'})


def test_attach_and_detach(manager):
    volume = create_volume(manager)
    attached = manager.attach_volume(ADMIN, volume['id'], 'inst-1', 'h1',
                                     '/dev/vdb')
    assert attached['status'] == 'in-use'
    [att] = attached['attachments']
    assert (att['server_id'], att['host_name'], att['device']) == (
        'inst-1', 'h1', '/dev/vdb')
    with pytest.raises(exception.InvalidVolumeStatus):
        manager.attach_volume(ADMIN, volume['id'], 'inst-2', 'h1', None)
    with pytest.raises(exception.InvalidVolume, match='attached'):
        manager.delete_volume(ALICE, volume['id'])
    with pytest.raises(exception.VolumeNotAttached):
        manager.detach_volume(ADMIN, volume['id'], 'inst-2')
    detached = manager.detach_volume(ADMIN, volume['id'], 'inst-1')
    assert (detached['status'], detached['attachments']) == ('available', [])
