"""The qcow2 chain of a volume, with real qemu-img on a temporary share."""

import json
import os
import subprocess
import uuid

from oslo_config import fixture as config_fixture
import pytest

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_volume import chain as chain_mod
from snapvol_volume import merges
from tests import imagedata

MiB = imagedata.MiB
SIZE = chain_mod.GiB


def header(path, fmt):
    out = subprocess.run(['qemu-img', 'info', '-U', '-f', fmt,
                          '--output=json', path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


class Volume:
    """A volume on a temporary share, with the expected data of its
    active file and of each snapshot's point in time."""

    def __init__(self, tmp_path, fmt='raw'):
        self.share = tmp_path / 'share'
        self.share.mkdir()
        self.scratch = tmp_path
        self.id = str(uuid.uuid4())
        self.chain = chain_mod.VolumeChain(str(self.share), self.id, {})
        self.chain.create_base(1, fmt)
        self.expected = imagedata.ImageModel(tmp_path / 'expected.raw', SIZE)
        self.at_snapshot = {}
        self.writes = 0

    @property
    def info(self):
        return self.chain.read_info()

    def active(self):
        name = self.info['active']
        return str(self.share / name), self.chain.formats[name]

    def write(self, pattern):
        """A distinct region per write, and one region every write hits."""
        path, fmt = self.active()
        self.expected.write_image(path, fmt, pattern, self.writes * MiB,
                                  64 * 1024)
        self.expected.write_image(path, fmt, pattern, 512 * MiB, 4096)
        self.writes += 1

    def write_much(self, pattern, length=4 * MiB):
        """``length`` bytes at once, where no other write goes."""
        path, fmt = self.active()
        self.expected.write_image(path, fmt, pattern, 768 * MiB, length)

    def snapshot(self):
        snapshot_id = str(uuid.uuid4())
        self.chain.create_overlay(snapshot_id, 1)
        self.at_snapshot[snapshot_id] = self.expected.checkpoint(
            snapshot_id)
        return snapshot_id

    def delete(self, snapshot_id):
        merged = merges.merge_detached(self.chain, snapshot_id)
        del self.at_snapshot[snapshot_id]
        return merged

    def assert_data(self):
        """The volume and every snapshot show exactly their data."""
        path, fmt = self.active()
        self.expected.assert_matches(path, fmt)
        for snapshot_id, expected in self.at_snapshot.items():
            source = self.chain.snapshot_source(snapshot_id)
            expected.assert_matches(str(self.share / source.name), source.fmt)


@pytest.fixture
def volume(tmp_path):
    return Volume(tmp_path)


def test_first_snapshot_of_raw_volume(volume):
    volume.write(0x11)
    s1 = volume.snapshot()

    base = 'volume-%s' % volume.id
    overlay = '%s.%s' % (base, s1)
    assert volume.info == {s1: overlay, 'active': overlay}
    hdr = header(str(volume.share / overlay), 'qcow2')
    assert hdr['backing-filename'] == base
    assert hdr['backing-filename-format'] == 'raw'
    assert volume.chain.formats == {base: 'raw', overlay: 'qcow2'}
    # Padded for QEMU's libgfapi driver.
    assert os.path.getsize(volume.share / overlay) % chain_mod.PAD_TO == 0
    volume.assert_data()


@pytest.fixture
def conf():
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    yield fixture
    fixture.cleanUp()


def test_the_chain_takes_no_snapshot_past_max_chain_depth(volume, conf):
    """Checked where the overlay is made too (under the chain lock), for
    creates that passed the request's check together: nothing is made,
    and the chain can still take a snapshot once one is deleted."""
    conf.config(max_chain_depth=2, group='volume')
    s1 = volume.snapshot()
    volume.snapshot()
    files = sorted(os.listdir(volume.share))
    with pytest.raises(exception.InvalidVolume,
                       match='has 2 snapshots in its chain'):
        volume.chain.create_overlay(str(uuid.uuid4()), 1)
    assert sorted(os.listdir(volume.share)) == files
    volume.delete(s1)
    volume.snapshot()
    assert len(volume.info) == 3
    volume.assert_data()


def test_files_are_not_readable_by_other_users(volume, tmp_path):
    s1 = volume.snapshot()
    base = 'volume-%s' % volume.id
    clone = chain_mod.VolumeChain(str(volume.share), str(uuid.uuid4()), {})
    clone.create_from(volume.chain, s1, 'qcow2', 1)
    # A temp .info a crash left behind world-readable is tightened too.
    tmp = volume.share / (base + '.info.tmp')
    tmp.write_text('{}')
    tmp.chmod(0o666)
    volume.chain.info.write(volume.info)
    modes = {p.name: p.stat().st_mode & 0o777
             for p in volume.share.iterdir()}
    assert modes == {base: 0o660, '%s.%s' % (base, s1): 0o660,
                     base + '.info': 0o640,
                     'volume-%s' % clone.volume_id: 0o660,
                     'volume-%s.info' % clone.volume_id: 0o640}


def test_three_snapshots_make_a_chain(volume):
    ids = []
    for pattern in (0x21, 0x22, 0x23):
        volume.write(pattern)
        ids.append(volume.snapshot())
    volume.write(0x24)

    _, layers = volume.chain.check()
    base = 'volume-%s' % volume.id
    assert [layer.name for layer in layers] == [
        '%s.%s' % (base, ids[2]), '%s.%s' % (base, ids[1]),
        '%s.%s' % (base, ids[0]), base]
    volume.assert_data()


def test_delete_middle_snapshot_commits_it_down(volume):
    ids = []
    for pattern in (0x31, 0x32, 0x33):
        volume.write(pattern)
        ids.append(volume.snapshot())
    volume.write(0x34)
    s1, s2, s3 = ids

    volume.delete(s2)

    base = 'volume-%s' % volume.id
    assert volume.info == {s1: '%s.%s' % (base, s1),
                           s3: '%s.%s' % (base, s3),
                           'active': '%s.%s' % (base, s3)}
    assert not (volume.share / ('%s.%s' % (base, s2))).exists()
    hdr = header(str(volume.share / ('%s.%s' % (base, s3))), 'qcow2')
    assert hdr['backing-filename'] == '%s.%s' % (base, s1)
    assert hdr['backing-filename-format'] == 'qcow2'
    volume.assert_data()


def test_delete_newest_then_last_returns_to_base(volume):
    volume.write(0x41)
    s1 = volume.snapshot()
    volume.write(0x42)
    s2 = volume.snapshot()
    volume.write(0x43)

    volume.delete(s2)
    base = 'volume-%s' % volume.id
    assert volume.info['active'] == '%s.%s' % (base, s1)
    volume.assert_data()

    volume.delete(s1)
    assert volume.info == {'active': base}
    assert volume.chain.formats == {base: 'raw'}
    assert sorted(os.listdir(volume.share)) == [base, base + '.info']
    volume.assert_data()


def test_delete_oldest_commits_into_raw_base(volume):
    volume.write(0x51)
    s1 = volume.snapshot()
    volume.write(0x52)
    s2 = volume.snapshot()
    volume.write(0x53)

    volume.delete(s1)

    base = 'volume-%s' % volume.id
    hdr = header(str(volume.share / ('%s.%s' % (base, s2))), 'qcow2')
    assert hdr['backing-filename'] == base
    assert hdr['backing-filename-format'] == 'raw'
    volume.assert_data()


def test_deletes_in_every_order_keep_all_data(tmp_path):
    for order in ((0, 1, 2, 3), (3, 2, 1, 0), (1, 3, 0, 2), (2, 0, 3, 1)):
        workdir = tmp_path / ''.join(map(str, order))
        workdir.mkdir()
        volume = Volume(workdir, fmt='qcow2')
        ids = []
        for pattern in range(4):
            volume.write(0x60 + pattern)
            ids.append(volume.snapshot())
        volume.write(0x6f)
        for index in order:
            volume.delete(ids[index])
            volume.write(0x70 + index)
            volume.assert_data()
        assert volume.info == {'active': 'volume-%s' % volume.id}


def test_shut_off_deletes_in_every_order_tell_the_new_active_file(
        tmp_path):
    """For a shut-off instance: whatever is deleted, every byte stays,
    and the definition is told the active file whenever it changes."""
    for order in ((2, 1, 0), (0, 2, 1), (1, 2, 0)):
        workdir = tmp_path / ''.join(map(str, order))
        workdir.mkdir()
        volume = Volume(workdir)
        ids = []
        for pattern in range(3):
            volume.write(0x40 + pattern)
            ids.append(volume.snapshot())
        volume.write(0x4f)
        told = [volume.info['active']]
        for index in order:
            merges.merge_offline(volume.chain, ids[index],
                                 new_active=told.append)
            del volume.at_snapshot[ids[index]]
            assert volume.info['active'] == told[-1]
            volume.write(0x50 + index)
            volume.assert_data()
        assert volume.info == {'active': 'volume-%s' % volume.id}


@pytest.fixture
def allocated(monkeypatch):
    """{file name: bytes} that merges.allocated answers instead of the
    file's real allocation (a full overlay of a 1 GiB volume, without
    writing 1 GiB)."""
    sizes = {}
    real = merges.allocated
    monkeypatch.setattr(merges, 'allocated', lambda path: sizes.get(
        os.path.basename(path), real(path)))
    return sizes


def test_detached_deletes_commit_unless_the_overlay_is_full(volume, caplog,
                                                            allocated):
    """Offline, qemu-img rebase reads every cluster the overlay lacks:
    an active file holding 4 MiB is still committed down. Only an
    overlay that holds (nearly) all of the disk pulls the small file
    below up instead, and that file goes. Both log what they move."""
    volume.write(0x21)
    s1 = volume.snapshot()
    volume.write_much(0x22)
    base = 'volume-%s' % volume.id
    f1 = '%s.%s' % (base, s1)
    caplog.set_level('INFO')
    assert merges.plan(volume.chain, s1).how == 'commit'
    allocated[f1] = SIZE
    assert volume.delete(s1) == base
    assert volume.info == {'active': f1}
    assert 'backing-filename' not in header(str(volume.share / f1), 'qcow2')
    assert sorted(os.listdir(volume.share)) == [f1, base + '.info']
    volume.assert_data()
    assert 'Snapshot %s: pull %s into %s' % (s1, base, f1) in caplog.text

    s2 = volume.snapshot()
    volume.write(0x24)
    f2 = '%s.%s' % (base, s2)
    assert volume.delete(s2) == f2
    assert volume.info == {'active': f1}
    volume.assert_data()
    assert 'Snapshot %s: commit %s into %s' % (s2, f2, f1) in caplog.text


def test_a_full_middle_snapshot_pulls_the_file_below(volume, allocated):
    """A middle snapshot's file holds all of the disk and the one below
    little: the one below is pulled into it, the snapshot that had the
    one below now has it, and every point in time stays."""
    volume.write(0x31)
    s1 = volume.snapshot()
    volume.write(0x32)
    s2 = volume.snapshot()
    volume.write_much(0x33)
    s3 = volume.snapshot()
    volume.write(0x34)
    base = 'volume-%s' % volume.id
    f1, f2, f3 = ('%s.%s' % (base, s) for s in (s1, s2, s3))
    allocated[f2] = SIZE
    merge = merges.plan(volume.chain, s3)
    assert (merge.how, merge.upper, merge.lower) == ('commit', f3, f2)
    assert volume.delete(s2) == f1
    assert volume.info == {s1: f2, s3: f3, 'active': f3}
    assert header(str(volume.share / f2), 'qcow2')['backing-filename'] \
        == base
    volume.assert_data()


def test_a_running_guest_pulls_only_into_its_active_file(volume, allocated):
    """While a guest runs, a middle snapshot is always committed (libvirt
    streams only into the active layer), however much it holds; QEMU's
    pull skips holes, so the newest is pulled as soon as the file below
    holds less."""
    volume.write(0x41)
    s1 = volume.snapshot()
    volume.write_much(0x42)
    s2 = volume.snapshot()
    volume.write(0x43)
    base = 'volume-%s' % volume.id
    allocated['%s.%s' % (base, s1)] = SIZE
    assert merges.plan(volume.chain, s1, running=True).how == 'commit'
    assert merges.plan(volume.chain, s1).how == 'pull'
    allocated['%s.%s' % (base, s1)] = MiB
    allocated['%s.%s' % (base, s2)] = 16 * MiB
    assert merges.plan(volume.chain, s2, running=True).how == 'pull'
    assert merges.plan(volume.chain, s2).how == 'commit'


def test_offline_merges_tell_their_progress(volume, allocated):
    """qemu-img's own progress, each whole percent once, up to 100, for a
    pull and for a commit."""
    volume.write(0x61)
    s1 = volume.snapshot()
    volume.write_much(0x62)
    s2 = volume.snapshot()
    volume.write(0x63)
    allocated['volume-%s.%s' % (volume.id, s1)] = SIZE
    for snapshot_id in (s1, s2):      # a pull, then a commit
        seen = []
        merges.merge_detached(volume.chain, snapshot_id,
                              on_progress=seen.append)
        del volume.at_snapshot[snapshot_id]
        assert seen[-1] == 100
        assert seen == sorted(set(seen))
    volume.assert_data()


def test_resumed_pull_does_not_pull_twice(volume):
    """A crash after the pull changed the active file's header, before the
    info store did: the delete run again only records it; pulling again
    would drop the older snapshot's file."""
    volume.write(0x31)
    s1 = volume.snapshot()
    volume.write(0x32)
    s2 = volume.snapshot()
    volume.write(0x33)
    base = 'volume-%s' % volume.id
    s1_file, s2_file = ('%s.%s' % (base, s) for s in (s1, s2))
    subprocess.run(['qemu-img', 'rebase', '-q', '-f', 'qcow2', '-b', base,
                    '-F', 'raw', str(volume.share / s2_file)], check=True)

    assert volume.delete(s2) == s1_file

    assert volume.info == {s1: s2_file, 'active': s2_file}
    assert os.path.exists(volume.share / base)
    assert not os.path.exists(volume.share / s1_file)
    volume.assert_data()


def test_create_from_snapshot_copies_that_moment(volume, tmp_path):
    ids = []
    for pattern in (0x81, 0x82, 0x83):
        volume.write(pattern)
        ids.append(volume.snapshot())
    volume.write(0x84)

    clone = chain_mod.VolumeChain(str(volume.share), str(uuid.uuid4()), {})
    clone.create_from(volume.chain, ids[1], 'qcow2', 2)

    path = str(volume.share / clone.base_name)
    hdr = header(path, 'qcow2')
    assert 'backing-filename' not in hdr
    assert hdr['virtual-size'] == 2 * SIZE
    volume.at_snapshot[ids[1]].assert_matches(path, 'qcow2',
                                              check_size=False)


def test_resumed_delete_after_commit_and_rebase(volume):
    """A crash after the merge re-pointed the file above, before the info
    store changed: running the delete again finishes it."""
    volume.write(0x91)
    s1 = volume.snapshot()
    volume.write(0x92)
    s2 = volume.snapshot()
    volume.write(0x93)
    base = 'volume-%s' % volume.id
    s1_file = str(volume.share / ('%s.%s' % (base, s1)))
    s2_file = str(volume.share / ('%s.%s' % (base, s2)))
    subprocess.run(['qemu-img', 'commit', '-f', 'qcow2', '-d', s1_file],
                   check=True)
    subprocess.run(['qemu-img', 'rebase', '-u', '-f', 'qcow2', '-b', base,
                    '-F', 'raw', s2_file], check=True)

    volume.delete(s1)

    assert volume.info == {s2: '%s.%s' % (base, s2),
                           'active': '%s.%s' % (base, s2)}
    assert not os.path.exists(s1_file)
    volume.assert_data()


def test_merge_plan_sees_a_live_merge_already_done(volume):
    """libvirt committed and re-pointed the file above, pulled into the
    active file, or committed the active file and pivoted, and the report
    was lost: the plan says there is nothing left to ask for, only the
    file to remove and the info store."""
    volume.write(0x11)
    s1 = volume.snapshot()
    volume.write(0x12)
    s2 = volume.snapshot()
    volume.write(0x13)
    s3 = volume.snapshot()
    base = 'volume-%s' % volume.id
    f1, f2, f3 = ('%s.%s' % (base, s) for s in (s1, s2, s3))
    merge = merges.plan(volume.chain, s2, running=True)
    assert (merge.how, merge.done, merge.merged) == ('commit', False, f2)
    assert merge.delete_info('v') == {
        'file_to_merge': f2, 'merge_target_file': f1, 'type': 'qcow2',
        'volume_id': 'v'}
    assert merge.after == {s1: f1, s3: f3, 'active': f3}
    subprocess.run(['qemu-img', 'commit', '-q', '-f', 'qcow2', '-d',
                    str(volume.share / f2)], check=True)
    subprocess.run(['qemu-img', 'rebase', '-q', '-u', '-f', 'qcow2', '-b',
                    f1, '-F', 'qcow2', str(volume.share / f3)], check=True)
    done = merges.plan(volume.chain, s2, running=True)
    assert (done.how, done.done, done.merged, done.after) == (
        'commit', True, f2, merge.after)
    merges.finish(volume.chain, f2, merge.after)
    # The newest: f1 pulled into the active file f3.
    merge = merges.plan(volume.chain, s3, running=True)
    assert merge.delete_info('v')['file_to_merge'] == base
    assert merge.delete_info('v')['merge_target_file'] is None
    # The domain shows f3 committed into f1 and pivoted: that is done.
    pivoted = merges.plan(volume.chain, s3, running=True,
                          domain_chain=[f1, base])
    assert (pivoted.how, pivoted.done, pivoted.merged, pivoted.after) == (
        'commit', True, f3, {s1: f1, 'active': f1})
    subprocess.run(['qemu-img', 'rebase', '-q', '-f', 'qcow2', '-b', base,
                    '-F', 'raw', str(volume.share / f3)], check=True)
    done = merges.plan(volume.chain, s3, running=True)
    assert (done.how, done.done, done.merged, done.after) == (
        'pull', True, f1, {s1: f3, 'active': f3})


def test_merge_plan_refuses_a_missing_file(volume):
    volume.write(0x21)
    s1 = volume.snapshot()
    volume.write(0x22)
    s2 = volume.snapshot()
    base = 'volume-%s' % volume.id
    f1, f2 = ('%s.%s' % (base, s) for s in (s1, s2))
    # Someone re-pointed the active file at the base and removed f1.
    subprocess.run(['qemu-img', 'rebase', '-q', '-u', '-f', 'qcow2', '-b',
                    base, '-F', 'raw', str(volume.share / f2)], check=True)
    os.unlink(volume.share / f1)
    with pytest.raises(exception.ChainMismatch, match='missing'):
        merges.plan(volume.chain, s2)


def test_resumed_delete_after_commit_only(volume):
    volume.write(0xa1)
    s1 = volume.snapshot()
    volume.write(0xa2)
    s2 = volume.snapshot()
    volume.write(0xa3)
    base = 'volume-%s' % volume.id
    subprocess.run(['qemu-img', 'commit', '-f', 'qcow2', '-d',
                    str(volume.share / ('%s.%s' % (base, s2)))], check=True)

    volume.delete(s2)

    assert volume.info == {s1: '%s.%s' % (base, s1),
                           'active': '%s.%s' % (base, s1)}
    volume.assert_data()


def _replace_with_overlay(volume, name, backing, backing_fmt='raw'):
    path = str(volume.share / name)
    os.unlink(path)
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-u', '-b',
                    backing, '-F', backing_fmt, path, '1G'], check=True)


@pytest.mark.parametrize('backing', [
    '/etc/passwd', '../outside', 'volume-other', '/tmp/volume-x'])
def test_hostile_backing_file_is_refused(volume, tmp_path, backing):
    volume.write(0xb1)
    s1 = volume.snapshot()
    overlay = '%s.%s' % (volume.chain.base_name, s1)
    _replace_with_overlay(volume, overlay, backing)
    before = sorted(os.listdir(volume.share))

    with pytest.raises(exception.UnsafeBackingFile) as e:
        volume.chain.create_overlay(str(uuid.uuid4()), 1)
    assert backing in str(e.value)
    for action in (lambda: merges.merge_detached(volume.chain, s1),
                   lambda: volume.chain.snapshot_source(s1)):
        with pytest.raises(exception.UnsafeBackingFile):
            action()
    assert sorted(os.listdir(volume.share)) == before
    assert volume.info['active'] == overlay


def test_backing_file_through_symlink_is_refused(volume, tmp_path):
    outside = tmp_path / 'outside.raw'
    outside.write_bytes(b'\0' * 4096)
    base_path = volume.share / volume.chain.base_name
    base_path.unlink()
    base_path.symlink_to(outside)

    with pytest.raises(exception.UnsafeBackingFile, match='regular file'):
        volume.chain.create_overlay(str(uuid.uuid4()), 1)


def test_external_data_file_is_refused(tmp_path):
    share = tmp_path / 'share'
    share.mkdir()
    volume_id = str(uuid.uuid4())
    base = share / ('volume-%s' % volume_id)
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-o',
                    'data_file=%s' % (tmp_path / 'data'), str(base), '1G'],
                   check=True)
    chain = chain_mod.VolumeChain(str(share), volume_id,
                                  {base.name: 'qcow2'})
    chain.info.write({'active': base.name})

    with pytest.raises(exception.UnsafeBackingFile, match='data file'):
        chain.create_overlay(str(uuid.uuid4()), 1)
    assert sorted(os.listdir(share)) == [base.name, base.name + '.info']


def test_raw_volume_with_qcow2_header_stays_raw(volume, tmp_path):
    """A guest writes a qcow2 header (bigger size, backing /etc/passwd)
    at the start of its raw disk: snapvol keeps treating it as raw."""
    hostile = str(tmp_path / 'hostile.qcow2')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-u', '-b',
                    '/etc/passwd', '-F', 'raw', hostile, '100G'], check=True)
    with open(hostile, 'rb') as f:
        header_bytes = f.read(64 * 1024)
    path, fmt = volume.active()
    with open(path, 'r+b') as f:
        f.write(header_bytes)
    with open(volume.expected.path, 'r+b') as f:
        f.write(header_bytes)

    s1 = volume.snapshot()
    volume.write(0xc1)
    hdr = header(volume.active()[0], 'qcow2')
    assert hdr['backing-filename-format'] == 'raw'
    assert hdr['virtual-size'] == SIZE
    volume.assert_data()

    clone = chain_mod.VolumeChain(str(volume.share), str(uuid.uuid4()), {})
    clone.create_from(volume.chain, s1, 'raw', 1)
    clone_path = str(volume.share / clone.base_name)
    assert os.path.getsize(clone_path) == SIZE
    volume.at_snapshot[s1].assert_matches(clone_path, 'raw')

    volume.delete(s1)
    assert volume.chain.formats == {volume.chain.base_name: 'raw'}
    volume.assert_data()


def test_name_from_outside_is_refused(volume):
    for name in ('../volume-%s' % volume.id, '/etc/passwd',
                 'volume-%s.info' % volume.id, 'volume-%s.x' % volume.id):
        with pytest.raises(exception.InvalidFileName):
            volume.chain.path(name)


def test_info_store_naming_foreign_file_is_refused(volume):
    volume.chain.info.write({'active': '../../etc/passwd'})
    with pytest.raises(exception.InfoStoreCorrupt):
        volume.chain.create_overlay(str(uuid.uuid4()), 1)


def test_remove_orphans_keeps_files_in_use(volume):
    volume.write(0xd1)
    s1 = volume.snapshot()
    orphan = volume.share / ('%s.%s' % (volume.chain.base_name,
                                        uuid.uuid4()))
    orphan.write_bytes(b'x')
    (volume.share / (volume.chain.base_name + '.info.tmp')).write_text('{')
    other = volume.share / ('volume-%s' % uuid.uuid4())
    other.write_bytes(b'y')

    removed = volume.chain.remove_orphans()

    assert sorted(os.path.basename(p) for p in removed) == sorted(
        [orphan.name, volume.chain.base_name + '.info.tmp'])
    assert other.exists()
    assert volume.info[s1] in sorted(os.listdir(volume.share))
    volume.assert_data()


def test_files_made_here_go_to_the_owner(tmp_path):
    """[volume] file_owner: QEMU over libgfapi opens them as its user."""
    owner = (os.getuid() + 1234, os.getgid() + 1234)
    volume = Volume(tmp_path)
    volume.chain.owner = owner
    volume.chain.create_base(1, 'raw')
    s1 = volume.snapshot()
    clone = chain_mod.VolumeChain(str(volume.share), str(uuid.uuid4()), {},
                                  owner=owner)
    clone.create_from(volume.chain, s1, 'qcow2', 1)
    for name in (volume.info['active'], 'volume-%s' % volume.id,
                 clone.base_name):
        st = os.stat(volume.share / name)
        assert (st.st_uid, st.st_gid) == owner


def test_file_owner_is_checked(monkeypatch):
    from snapvol_volume.drivers import base
    assert base.file_owner(None) is None
    assert base.file_owner('root') == (0, 0)
    assert base.file_owner('root:root') == (0, 0)
    with pytest.raises(exception.ConfigInvalid, match='nosuchuser'):
        base.file_owner('nosuchuser')
