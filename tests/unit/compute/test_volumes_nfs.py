"""NFS volumes on a compute host: the export is mounted here and QEMU gets
the plain file, never an nfs:// network disk."""

import pytest

from snapvol_api import exception
from snapvol_compute import volumes


class FakeMount:
    made = []

    def __init__(self, location, mount_point_base, options=None,
                 client='auto'):
        self.args = (location, mount_point_base, options, client)
        self.path = '%s/digest' % mount_point_base
        self.mounted = False
        FakeMount.made.append(self)

    def ensure_mounted(self):
        self.mounted = True


@pytest.fixture
def fake_mount(monkeypatch):
    FakeMount.made = []
    monkeypatch.setattr(volumes.nfs, 'Mount', FakeMount)
    return FakeMount


def _info(**data):
    return {'driver_volume_type': 'nfs',
            'data': dict({'export': '127.0.0.1:/snapvol/nfs1',
                          'name': 'volume-1.2', 'format': 'qcow2'}, **data)}


def test_nfs_volume_is_a_file_on_this_hosts_mount(conf, fake_mount):
    conf.config(nfs_mount_point_base='/mnt/nfs', nfs_client='fuse',
                nfs_mount_options='vers=3', group='libvirt')
    source = volumes.disk_source(_info())
    mount, = fake_mount.made
    assert mount.mounted
    assert mount.args == ('127.0.0.1:/snapvol/nfs1', '/mnt/nfs', 'vers=3',
                          'fuse')
    assert (source.type, source.format, source.path) == (
        'file', 'qcow2', '/mnt/nfs/digest/volume-1.2')


def test_share_options_from_the_volume_service_win(conf, fake_mount):
    conf.config(nfs_mount_options='vers=3', group='libvirt')
    volumes.disk_source(_info(options='vers=4.1'))
    assert fake_mount.made[0].args[2] == 'vers=4.1'


def test_nfs_mount_point_base_defaults_to_the_volume_services(conf,
                                                              fake_mount):
    conf.config(mount_point_base='/srv/mnt', nfs_client='kernel',
                group='volume')
    volumes.disk_source(_info())
    assert fake_mount.made[0].args[1:] == ('/srv/mnt', None, 'kernel')


def test_a_name_with_a_directory_is_refused(conf, fake_mount):
    with pytest.raises(exception.InvalidInput):
        volumes.disk_source(_info(name='../volume-1'))
    assert not fake_mount.made
