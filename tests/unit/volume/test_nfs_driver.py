"""The NFS share driver and the share-line rule it shares with the others,
with a fake in place of runtime.nfs.Mount (no NFS server here)."""

import types

import pytest

from snapvol_api import exception
from snapvol_volume import drivers
from snapvol_volume import shares as shares_mod
from snapvol_volume.drivers import nfs as nfs_driver


class FakeMount:
    made = []

    def __init__(self, location, mount_point_base, options=None,
                 client='auto'):
        self.location, self.options, self.client = location, options, client
        self.path = '%s/%s' % (mount_point_base, 'h')
        self.fail = None
        self.calls = 0
        FakeMount.made.append(self)

    def ensure_mounted(self):
        self.calls += 1
        if self.fail:
            raise exception.ShareUnavailable(share=self.location,
                                             reason=self.fail)


@pytest.fixture
def fake_mount(monkeypatch):
    FakeMount.made = []
    monkeypatch.setattr(nfs_driver.nfs, 'Mount', FakeMount)
    return FakeMount


@pytest.fixture
def conf():
    from oslo_config import fixture as config_fixture

    from snapvol_api.conf import CONF
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    yield fixture
    fixture.cleanUp()


def _shares_file(tmp_path, *lines):
    path = tmp_path / 'shares.conf'
    path.write_text(''.join(line + '\n' for line in lines))
    return str(path)


def test_share_line_with_options(tmp_path):
    path = _shares_file(tmp_path, '# comment', 'local:/srv/v',
                        'glusterfs:g1:/gv0',
                        'nfs:nfs1.example.org:/export/vols -o vers=4.1,hard',
                        'nfs:10.0.0.2:/e')
    assert drivers.parse_shares(path) == [
        ('local', '/srv/v', None), ('glusterfs', 'g1:/gv0', None),
        ('nfs', 'nfs1.example.org:/export/vols', 'vers=4.1,hard'),
        ('nfs', '10.0.0.2:/e', None)]


@pytest.mark.parametrize('line', [
    'local:/srv/v -o ro',                 # only NFS shares take options
    'glusterfs:g1:/gv0 -o x',
    'nfs:h:/e -o',                        # -o without its options
    'nfs:h:/e vers=3',
    'nfs:h:/e -o a -o b',
    'nfs:h:export',                       # not HOST:/EXPORT
])
def test_bad_share_lines(tmp_path, line):
    with pytest.raises(exception.InvalidShareConfig):
        drivers.parse_shares(_shares_file(tmp_path, line))


def test_share_options_replace_the_service_wide_ones(conf, fake_mount):
    conf.config(nfs_mount_options='vers=3', nfs_client='fuse',
                mount_point_base='/mnt/base', group='volume')
    own = nfs_driver.NfsShareDriver('h:/e', 'vers=4.1')
    default = nfs_driver.NfsShareDriver('h:/f')
    assert (own._mount.options, default._mount.options) == ('vers=4.1',
                                                             'vers=3')
    assert own._mount.client == 'fuse'
    # What volumes record: the options are no part of a share's name.
    assert own.name == 'nfs:h:/e'
    assert own.mount_path == '/mnt/base/h'


def test_load_shares_builds_nfs_drivers(conf, fake_mount, tmp_path):
    conf.config(shares_config=_shares_file(
        tmp_path, 'local:%s' % tmp_path, 'nfs:h:/e -o soft'), group='volume')
    loaded = drivers.load_shares()
    assert sorted(loaded) == ['local:%s' % tmp_path, 'nfs:h:/e']
    assert loaded['nfs:h:/e'].options == 'soft'


def _volume(share):
    return type('V', (), {'share': share, 'id': 'v1'})()


def test_a_share_that_cannot_mount_is_skipped(conf, fake_mount, tmp_path):
    local = drivers.DRIVERS['local'](str(tmp_path / 'l'))
    down = nfs_driver.NfsShareDriver('h:/e')
    down._mount.fail = 'connection refused'
    empty = types.SimpleNamespace(share_provisioned_gigabytes=lambda s: 0)
    shares = shares_mod.Shares({local.name: local, down.name: down},
                               db=empty, locks=None, host='h1')
    shares.mount_all()                  # logs, does not raise
    assert shares.pick(1) is local
    # A volume on the share that is down fails; it is not served from the
    # empty mount point.
    with pytest.raises(exception.ShareUnavailable):
        shares.of(_volume(down.name))
    down._mount.fail = None
    assert shares.of(_volume(down.name)) is down
