"""The volume service as users run it: real processes, python-cinderclient,
files on real shares, every byte checked after each merge.

Each scenario runs on the two deployments (``snapvol-all`` in one process,
and ``snapvol-volume-api`` + ``snapvol-volume`` over RabbitMQ with
PostgreSQL) and on a local and a GlusterFS share where the share matters.
"""

import json
import os
import signal
import subprocess
import threading

from cinderclient import exceptions as cinder_exc
import pytest

from tests import imagedata as data

from . import harness

GiB = data.GiB
MiB = data.MiB


class Volume:
    """A volume of a running stack seen from the share: its files, a model
    of its data now and at each snapshot."""

    def __init__(self, svc, directory, cinder, workdir, size=1, **kwargs):
        self.svc = svc
        self.dir = directory
        self.cinder = cinder
        self.vol = cinder.volumes.create(size, **kwargs)
        wait_status(cinder.volumes.get, self.vol.id, 'available')
        self.base = 'volume-%s' % self.vol.id
        self.model = data.ImageModel(workdir / ('%s.raw' % self.vol.id),
                                     size * GiB)
        self.at = {}
        self.writes = 0

    @property
    def info(self):
        with open(os.path.join(self.dir, self.base + '.info')) as f:
            return json.load(f)

    def file(self, name):
        return os.path.join(self.dir, name)

    def active(self):
        """(path, format) of the active file, format from the header chain
        as snapvol recorded it: the base is raw, overlays qcow2."""
        name = self.info['active']
        return self.file(name), 'raw' if name == self.base else 'qcow2'

    def write(self, pattern):
        path, fmt = self.active()
        self.model.write_image(path, fmt, pattern, self.writes * MiB,
                               64 * 1024)
        self.model.write_image(path, fmt, pattern, 512 * MiB, 4096)
        self.writes += 1

    def snapshot(self, **kwargs):
        snap = self.cinder.volume_snapshots.create(self.vol.id, **kwargs)
        wait_status(self.cinder.volume_snapshots.get, snap.id, 'available')
        self.at[snap.id] = self.model.checkpoint(snap.id)
        return snap.id

    def delete_snapshot(self, snapshot_id):
        self.cinder.volume_snapshots.delete(snapshot_id)
        wait_gone(self.cinder.volume_snapshots.get, snapshot_id)
        del self.at[snapshot_id]

    def backing(self, name):
        header = data.image_chain(self.file(name), 'qcow2')[0]
        return header.get('backing-filename'), header.get(
            'backing-filename-format')

    def assert_data(self):
        """The volume and every snapshot show exactly their data."""
        path, fmt = self.active()
        self.model.assert_matches(path, fmt)
        info = self.info
        for snapshot_id, model in self.at.items():
            below, below_fmt = self.backing(info[snapshot_id])
            model.assert_matches(self.file(below), below_fmt)


def wait_status(get, resource_id, wanted, timeout=120):
    harness.wait_for_status(lambda: get(resource_id), wanted,
                            timeout=timeout)


def wait_gone(get, resource_id, timeout=120):
    def gone():
        try:
            get(resource_id)
        except cinder_exc.NotFound:
            return True
        return False
    harness.wait_for(gone, timeout, what='%s to be deleted' % resource_id)


def share_directory(svc, share):
    """Where the volume manager sees the share's files. For GlusterFS that
    is its own mount: another FUSE client may serve a renamed .info from
    its cache for a moment."""
    if share.startswith('local:'):
        return share.split(':', 1)[1]
    mounts = os.listdir(svc.mount_dir)
    assert len(mounts) == 1, mounts
    return os.path.join(svc.mount_dir, mounts[0])


DEPLOYMENTS = {
    # snapvol-all as a newcomer runs it: SQLite, in-process messaging.
    'all-defaults': {'mode': 'all', 'embedded': True},
    # API and manager apart, over RabbitMQ, with PostgreSQL.
    'split': {'mode': 'split'},
}


@pytest.fixture(params=sorted(DEPLOYMENTS))
def deployment(request):
    return DEPLOYMENTS[request.param]


@pytest.fixture(params=['local', 'glusterfs'])
def stack(request, deployment, service_factory, tmp_path):
    """(service stack, share directory) for a deployment and share kind."""
    if request.param == 'glusterfs':
        share = request.getfixturevalue('gluster_share')
        svc = service_factory(shares=[share], **deployment)
    else:
        svc = service_factory(**deployment)
        share = svc.shares[0]
    return svc, share_directory(svc, share)


def recorded_formats(svc, volume_id):
    return dict(svc.query('SELECT name, format FROM volume_files '
                          'WHERE volume_id = :id', id=volume_id))


def snapshot_status(svc, snapshot_id):
    """From the database: the API needs a running volume manager."""
    return svc.query('SELECT status FROM snapshots WHERE id = :id',
                     id=snapshot_id)[0][0]


# The share kinds and the deployments are apart (qemu-img on the share;
# the calls between processes): each test below runs each share kind and
# each deployment once, and the two tests all four pairs.
@pytest.mark.parametrize('stack,deployment', [
    ('local', 'all-defaults'), ('glusterfs', 'split')], indirect=True)
def test_snapshot_chain_create_and_merge(stack, tmp_path):
    svc, directory = stack
    cinder = svc.client('alice')
    vol = Volume(svc, directory, cinder, tmp_path)
    base = vol.base
    assert vol.info == {'active': base}
    assert recorded_formats(svc, vol.vol.id) == {base: 'raw'}

    # Raw volume, first snapshot.
    vol.write(0x11)
    s1 = vol.snapshot(name='s1')
    overlay1 = '%s.%s' % (base, s1)
    assert vol.info == {s1: overlay1, 'active': overlay1}
    assert vol.backing(overlay1) == (base, 'raw')
    assert recorded_formats(svc, vol.vol.id) == {base: 'raw',
                                                 overlay1: 'qcow2'}

    # Second and third: V <- V.S1 <- V.S2 <- V.S3.
    vol.write(0x22)
    s2 = vol.snapshot(name='s2')
    vol.write(0x33)
    s3 = vol.snapshot(name='s3')
    vol.write(0x44)
    overlay2, overlay3 = ('%s.%s' % (base, s) for s in (s2, s3))
    assert [layer['filename'] for layer in data.image_chain(
        vol.file(overlay3), 'qcow2')] == [
            vol.file(n) for n in (overlay3, overlay2, overlay1, base)]
    vol.assert_data()

    # The middle one: committed into V.S1, V.S3 re-pointed at V.S1.
    vol.delete_snapshot(s2)
    assert not os.path.exists(vol.file(overlay2))
    assert vol.backing(overlay3) == (overlay1, 'qcow2')
    assert vol.info == {s1: overlay1, s3: overlay3, 'active': overlay3}
    vol.assert_data()

    # The newest: the active file moves down.
    vol.write(0x55)
    vol.delete_snapshot(s3)
    assert vol.info == {s1: overlay1, 'active': overlay1}
    vol.assert_data()

    # The last: back to the base, in its base format.
    vol.write(0x66)
    vol.delete_snapshot(s1)
    assert vol.info == {'active': base}
    assert recorded_formats(svc, vol.vol.id) == {base: 'raw'}
    vol.assert_data()
    assert sorted(n for n in os.listdir(directory)
                  if n.startswith(base)) == [base, base + '.info']

    cinder.volumes.delete(vol.vol.id)
    wait_gone(cinder.volumes.get, vol.vol.id)
    assert [n for n in os.listdir(directory) if n.startswith(base)] == []


@pytest.mark.parametrize('stack,deployment', [
    ('local', 'split'), ('glusterfs', 'all-defaults')], indirect=True)
def test_volume_from_second_of_three_snapshots(stack, tmp_path):
    svc, directory = stack
    cinder = svc.client('alice')
    vol = Volume(svc, directory, cinder, tmp_path)
    ids = []
    for pattern in (0xa1, 0xa2, 0xa3):
        vol.write(pattern)
        ids.append(vol.snapshot())
    vol.write(0xa4)

    clone = cinder.volumes.create(2, snapshot_id=ids[1], name='clone')
    wait_status(cinder.volumes.get, clone.id, 'available')

    clone_file = os.path.join(directory, 'volume-%s' % clone.id)
    chain = data.image_chain(clone_file, 'raw')
    assert len(chain) == 1 and chain[0]['virtual-size'] == 2 * GiB
    vol.at[ids[1]].assert_matches(clone_file, 'raw', check_size=False)
    # A full copy: merging every snapshot of the source leaves it as it was.
    for snapshot_id in ids:
        vol.delete_snapshot(snapshot_id)
    vol.assert_data()
    assert data.compare(vol.model.path, clone_file, 'raw')[0] is False
    assert cinder.volumes.get(clone.id).snapshot_id == ids[1]


def test_files_pointing_outside_the_volume_are_refused(services, tmp_path):
    cinder = services.client('alice')
    directory = services.shares[0].split(':', 1)[1]
    vol = Volume(services, directory, cinder, tmp_path)
    vol.write(0x31)
    s1 = vol.snapshot()
    overlay = vol.file('%s.%s' % (vol.base, s1))

    for backing in ('/etc/passwd', '../' + vol.base,
                    os.path.join(directory, vol.base)):
        os.unlink(overlay)
        # -u: the backing file may not exist; it must not be opened anyway.
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-u',
                        '-b', backing, '-F', 'raw', overlay, '1G'],
                       check=True)
        before = sorted(os.listdir(directory))
        for request in (
                lambda: cinder.volume_snapshots.create(vol.vol.id),
                lambda: cinder.volume_snapshots.delete(s1),
                lambda: cinder.volumes.create(1, snapshot_id=s1)):
            with pytest.raises(cinder_exc.BadRequest) as e:
                request()
            assert backing in str(e.value)
        assert sorted(os.listdir(directory)) == before
        assert cinder.volume_snapshots.get(s1).status == 'available'
        assert len(cinder.volume_snapshots.list()) == 1
        assert len(cinder.volumes.list()) == 1

    # An external data file is refused too.
    os.unlink(overlay)
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-o',
                    'data_file=%s' % (tmp_path / 'elsewhere'), '-u', '-b',
                    vol.base, '-F', 'raw', overlay, '1G'], check=True)
    with pytest.raises(cinder_exc.BadRequest, match='data file'):
        cinder.volume_snapshots.create(vol.vol.id)


def test_raw_volume_holding_a_qcow2_header_stays_raw(services, tmp_path):
    """The guest's data starts with a qcow2 header that claims 100 GiB and
    a backing file /etc/passwd: snapvol keeps it raw and reads nothing
    outside it."""
    cinder = services.client('alice')
    directory = services.shares[0].split(':', 1)[1]
    vol = Volume(services, directory, cinder, tmp_path)
    hostile = tmp_path / 'hostile.qcow2'
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-u', '-b',
                    '/etc/passwd', '-F', 'raw', hostile, '100G'], check=True)
    header = hostile.read_bytes()[:64 * 1024]
    for path in (vol.file(vol.base), vol.model.path):
        with open(path, 'r+b') as f:
            f.write(header)

    s1 = vol.snapshot()
    vol.write(0x42)
    assert vol.backing('%s.%s' % (vol.base, s1)) == (vol.base, 'raw')
    clone = cinder.volumes.create(1, snapshot_id=s1)
    wait_status(cinder.volumes.get, clone.id, 'available')
    clone_file = vol.file('volume-%s' % clone.id)
    assert os.path.getsize(clone_file) == GiB
    vol.at[s1].assert_matches(clone_file, 'raw')
    vol.delete_snapshot(s1)
    assert recorded_formats(services, vol.vol.id) == {vol.base: 'raw'}
    vol.assert_data()


def test_concurrent_clients_on_one_volume(services, tmp_path):
    """Two clients create and delete snapshots of one volume at once:
    every request ends in a clear state and .info matches the chain."""
    directory = services.shares[0].split(':', 1)[1]
    vol = Volume(services, directory, services.client('alice'), tmp_path)
    vol.write(0x10)
    outcomes = []
    errors = []

    def client(worker):
        cinder = services.client('alice')
        try:
            mine = []
            for round_ in range(4):
                snap = cinder.volume_snapshots.create(vol.vol.id)
                mine.append(snap.id)
                if round_ % 2:
                    victim = mine.pop(0)
                    try:
                        cinder.volume_snapshots.delete(victim)
                        outcomes.append(('delete', victim))
                    except cinder_exc.BadRequest as e:
                        # Still being created: a clear refusal.
                        assert 'creating' in str(e)
                        outcomes.append(('refused', victim))
                        mine.append(victim)
            outcomes.extend(('kept', s) for s in mine)
        except Exception as e:  # reported below, with the thread's name
            errors.append((worker, e))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []

    cinder = services.client('alice')
    for action, snapshot_id in outcomes:
        if action == 'delete':
            wait_gone(cinder.volume_snapshots.get, snapshot_id)
        else:
            wait_status(cinder.volume_snapshots.get, snapshot_id,
                        'available')
    kept = {s for a, s in outcomes if a != 'delete'} - {
        s for a, s in outcomes if a == 'delete'}
    assert {s.id for s in cinder.volume_snapshots.list()} == kept
    info = vol.info
    assert set(info) - {'active'} == kept
    # .info names exactly the chain's overlays, and the data is intact.
    chain = [os.path.basename(layer['filename'])
             for layer in data.image_chain(vol.file(info['active']), 'qcow2')]
    assert set(chain) == set(info.values()) | {vol.base}
    vol.model.assert_matches(vol.file(info['active']), 'qcow2')


def test_bad_requests_change_nothing(services, tmp_path):
    http = services.http('alice')
    cinder = services.client('alice')
    directory = services.shares[0].split(':', 1)[1]
    vol = Volume(services, directory, cinder, tmp_path)
    s1 = vol.snapshot()
    before = sorted(os.listdir(directory))

    def fault(response, code, name):
        assert response.status_code == code, response.text
        assert response.json()[name]['code'] == code
        return response.json()[name]['message']

    fault(http.post('volumes', data=b'{"volume": {"size": 1',
                    headers={'Content-Type': 'application/json'}),
          400, 'badRequest')
    for size in (0, -1, 'big', 1.5, None):
        fault(http.post('volumes', json={'volume': {'size': size}}),
              400, 'badRequest')
    fault(http.get('volumes/00000000-0000-0000-0000-000000000000'),
          404, 'itemNotFound')
    fault(http.post('snapshots', json={'snapshot': {
        'volume_id': '00000000-0000-0000-0000-000000000000'}}),
          404, 'itemNotFound')
    message = fault(http.delete('volumes/%s' % vol.vol.id), 400,
                    'badRequest')
    assert 'snapshot' in message
    # Another project's ids look like unknown ones.
    bob = services.http('bob')
    fault(bob.get('volumes/%s' % vol.vol.id), 404, 'itemNotFound')
    fault(bob.delete('snapshots/%s' % s1), 404, 'itemNotFound')
    fault(bob.post('volumes', json={'volume': {'size': 1,
                                               'snapshot_id': s1}}),
          404, 'itemNotFound')
    # A volume in error cannot be snapshotted; only an admin resets it.
    fault(http.post('volumes/%s/action' % vol.vol.id,
                    json={'os-reset_status': {'status': 'error'}}),
          403, 'forbidden')
    admin = services.client('admin')
    admin.volumes.reset_state(vol.vol.id, 'error')
    fault(http.post('snapshots', json={'snapshot': {
        'volume_id': vol.vol.id}}), 400, 'badRequest')
    # What a dashboard's create form reads, through python-cinderclient:
    # the one volume type and zone; a create naming others makes nothing.
    (volume_type,) = cinder.volume_types.list()
    assert volume_type.name == cinder.volume_types.default().name \
        == cinder.volumes.get(vol.vol.id).volume_type == '__DEFAULT__'
    assert [(z.zoneName, z.zoneState) for z in
            cinder.availability_zones.list()] == [('nova',
                                                    {'available': True})]
    with pytest.raises(cinder_exc.NotFound, match='gold'):
        cinder.volumes.create(1, volume_type='gold')
    with pytest.raises(cinder_exc.BadRequest, match='az9'):
        cinder.volumes.create(1, availability_zone='az9')
    assert 'os-vol-host-attr' in {
        e['alias'] for e in http.get('extensions').json()['extensions']}

    assert sorted(os.listdir(directory)) == before
    assert [s.id for s in cinder.volume_snapshots.list()] == [s1]
    assert [v.id for v in cinder.volumes.list()] == [vol.vol.id]


def test_extend_keeps_the_data_and_every_snapshot(services, tmp_path):
    """os-extend through python-cinderclient: the active file grows, the
    snapshot keeps its point in time, and a later merge of a small base
    with the grown overlay keeps every byte."""
    cinder = services.client('alice')
    directory = services.shares[0].split(':', 1)[1]
    vol = Volume(services, directory, cinder, tmp_path)
    vol.write(0x31)
    s1 = vol.snapshot()
    vol.write(0x32)
    cinder.volumes.extend(vol.vol.id, 2)
    wait_status(cinder.volumes.get, vol.vol.id, 'available')
    assert cinder.volumes.get(vol.vol.id).size == 2
    with pytest.raises(cinder_exc.BadRequest, match='greater than'):
        cinder.volumes.extend(vol.vol.id, 2)

    def check():
        path, fmt = vol.active()
        assert data.image_chain(path, fmt)[0]['virtual-size'] == 2 * GiB
        # Past the old end the volume reads zeros.
        vol.model.assert_matches(path, fmt, check_size=False)
    check()
    below, below_fmt = vol.backing(vol.info[s1])
    vol.at[s1].assert_matches(vol.file(below), below_fmt)
    vol.delete_snapshot(s1)
    check()


def test_admin_actions_filters_and_messages(services, tmp_path):
    """What users and operators do with python-cinderclient at 3.38:
    bootable and the filters of 3.2, 3.31 and 3.34; cascade and forced
    deletes; os-reset_status with attach_status; a compute report that
    Cinder's rules refuse. (The messages of failures: test_quiesce.)"""
    cinder = services.client('alice', '3.38')
    admin = services.client('admin', '3.38')
    directory = services.shares[0].split(':', 1)[1]
    vol = Volume(services, directory, cinder, tmp_path, name='alpha-1')
    cinder.volumes.set_bootable(vol.vol.id, True)
    assert cinder.volumes.get(vol.vol.id).bootable == 'true'
    found = cinder.volumes.list(search_opts={'name~': 'LPHA',
                                             'bootable': 'true'})
    assert [v.id for v in found] == [vol.vol.id]
    assert cinder.volumes.list(search_opts={'bootable': 'false'}) == []
    with pytest.raises(cinder_exc.BadRequest, match='Invalid filters'):
        cinder.volumes.list(search_opts={'colour': 'red'})

    vol.write(0x41)
    s1 = vol.snapshot()
    vol.write(0x42)
    s2 = vol.snapshot()
    with pytest.raises(cinder_exc.BadRequest, match='not allowed'):
        cinder.volume_snapshots.update_snapshot_status(
            s2, {'status': 'creating', 'progress': '90%'})
    # A cascade delete needs every snapshot available or error.
    admin.volume_snapshots.reset_state(s1, 'error_deleting')
    with pytest.raises(cinder_exc.BadRequest, match='neither available'):
        cinder.volumes.delete(vol.vol.id, cascade=True)
    vol.assert_data()
    admin.volume_snapshots.reset_state(s1, 'error')
    cinder.volumes.delete(vol.vol.id, cascade=True)
    wait_gone(cinder.volumes.get, vol.vol.id)
    for snapshot_id in (s1, s2):
        with pytest.raises(cinder_exc.NotFound):
            cinder.volume_snapshots.get(snapshot_id)
    assert os.listdir(directory) == []

    # Forced deletes, for administrators, in any status.
    other = Volume(services, directory, cinder, tmp_path)
    s3 = other.snapshot()
    # (Not backing-up: that status says a backup reads it, and a delete
    # then answers 409.)
    admin.volume_snapshots.reset_state(s3, 'unmanaging')
    with pytest.raises(cinder_exc.BadRequest):
        cinder.volume_snapshots.delete(s3)
    with pytest.raises(cinder_exc.Forbidden):
        cinder.volume_snapshots.delete(s3, force=True)
    admin.volume_snapshots.delete(s3, force=True)
    wait_gone(cinder.volume_snapshots.get, s3)
    with pytest.raises(cinder_exc.BadRequest, match='no attachment'):
        admin.volumes.reset_state(other.vol.id, 'in-use',
                                  attach_status='attached')
    admin.volumes.reset_state(other.vol.id, 'maintenance')
    with pytest.raises(cinder_exc.BadRequest, match='maintenance'):
        cinder.volumes.delete(other.vol.id)
    admin.volumes.force_delete(other.vol.id)
    wait_gone(cinder.volumes.get, other.vol.id)
    assert os.listdir(directory) == []


def test_quotas_hold_under_concurrent_creates(deployment, service_factory):
    """python-cinderclient's quotas and limits at 3.39, on SQLite and on
    PostgreSQL: concurrent creates of one project never pass its limit,
    a snapshot counts its volume's size, and a refusal is Cinder's 413."""
    svc = service_factory(**deployment)
    admin = svc.client('admin', '3.39')
    alice = svc.client('alice', '3.39')
    project = svc.users['alice'].project
    assert alice.quotas.defaults(project).volumes == 10
    admin.quotas.update(project, volumes=4, gigabytes=4)
    results = []

    def create():
        try:
            results.append(alice.volumes.create(1).id)
        except cinder_exc.OverLimit as e:
            results.append(e)
    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if not isinstance(r, str)]
    assert (len(made), len(refused)) == (4, 4), results
    assert all("quota 'volumes'" in str(e) for e in refused)
    for volume_id in made:
        wait_status(alice.volumes.get, volume_id, 'available')
    usage = alice.quotas.get(project, usage=True)
    assert usage.volumes == {'limit': 4, 'in_use': 4, 'reserved': 0,
                             'allocated': 0}
    with pytest.raises(cinder_exc.OverLimit, match='gigabytes'):
        alice.volume_snapshots.create(made[0])
    absolute = {limit.name: limit.value for limit in alice.limits.get()
                .absolute}
    assert (absolute['totalVolumesUsed'], absolute['totalGigabytesUsed'],
            absolute['maxTotalVolumes']) == (4, 4, 4)
    # Another project is not counted, and only administrators change
    # quotas.
    assert svc.client('bob', '3.39').volumes.create(1).id
    with pytest.raises(cinder_exc.Forbidden):
        alice.quotas.update(project, volumes=100)
    admin.quotas.delete(project)
    assert alice.quotas.get(project).volumes == 10
    alice.volume_snapshots.create(made[0])


def test_transfer_moves_volume_snapshots_and_quota(services, tmp_path):
    """python-cinderclient's transfers as Horizon's panel uses them: the
    offer is listed, another project accepts it with the key, and takes
    the volume with its snapshots, whose data it then merges intact; at
    3.55-3.59 (/volume-transfers) a no_snapshots transfer is refused while
    there are snapshots, and brings the volume back once there are
    none."""
    alice = services.client('alice', '3.39')
    bob = services.client('bob', '3.39')
    directory = services.shares[0].split(':', 1)[1]
    vol = Volume(services, directory, alice, tmp_path)
    vol.write(0x51)
    s1 = vol.snapshot()
    vol.write(0x52)
    transfer = alice.transfers.create(vol.vol.id, name='to bob')
    assert [t.id for t in alice.transfers.list()] == [transfer.id]
    assert alice.volumes.get(vol.vol.id).status == 'awaiting-transfer'
    assert bob.transfers.list() == []
    with pytest.raises(cinder_exc.BadRequest, match='auth key'):
        bob.transfers.accept(transfer.id, 'not-the-key')
    bob.transfers.accept(transfer.id, transfer.auth_key)
    with pytest.raises(cinder_exc.NotFound):
        alice.volumes.get(vol.vol.id)
    assert bob.volumes.get(vol.vol.id).status == 'available'
    assert [s.id for s in bob.volume_snapshots.list()] == [s1]
    project_b = services.users['bob'].project
    assert bob.quotas.get(project_b, usage=True).gigabytes['in_use'] == 2
    vol.cinder = bob
    vol.assert_data()
    # From 3.55 (/volume-transfers) a transfer may ask to leave the
    # snapshots behind: not while there are any, as they are files of
    # the volume's chain.
    bob_355 = services.client('bob', '3.59')
    with pytest.raises(cinder_exc.BadRequest, match='cannot stay behind'):
        bob_355.transfers.create(vol.vol.id, no_snapshots=True)
    assert bob.volumes.get(vol.vol.id).status == 'available'
    vol.delete_snapshot(s1)
    vol.assert_data()
    # Without snapshots it is an ordinary transfer; the answers show the
    # projects (3.57), the list pages (3.59), and the volume goes back.
    back = bob_355.transfers.create(vol.vol.id, name='back',
                                    no_snapshots=True)
    assert (back.no_snapshots, back.source_project_id,
            back.destination_project_id, back.accepted) == (
        True, project_b, None, False)
    shown = bob_355.transfers.get(back.id)
    assert (shown.name, shown.no_snapshots, shown.source_project_id) == (
        'back', True, project_b)
    assert [t.id for t in bob_355.transfers.list(
        search_opts={'limit': 1}, sort='name:asc')] == [back.id]
    alice_355 = services.client('alice', '3.55')
    alice_355.transfers.accept(back.id, back.auth_key)
    with pytest.raises(cinder_exc.NotFound):
        bob_355.transfers.get(back.id)
    assert alice.volumes.get(vol.vol.id).status == 'available'
    vol.cinder = alice
    vol.assert_data()


def test_revert_to_the_latest_snapshot(services, tmp_path):
    """python-cinderclient's revert_to_snapshot (3.40): the volume holds
    exactly its latest snapshot's data again, and later writes, snapshots
    and merges keep every byte."""
    cinder = services.client('alice', '3.41')
    directory = services.shares[0].split(':', 1)[1]
    vol = Volume(services, directory, cinder, tmp_path)
    vol.write(0x61)
    s1 = vol.snapshot()
    vol.write(0x62)
    s2 = vol.snapshot()
    vol.write(0x63)
    with pytest.raises(cinder_exc.BadRequest, match='latest'):
        cinder.volumes.revert_to_snapshot(vol.vol.id, s1)
    cinder.volumes.revert_to_snapshot(vol.vol.id, s2)
    wait_status(cinder.volumes.get, vol.vol.id, 'available')
    assert cinder.volume_snapshots.get(s2).status == 'available'
    vol.at[s2].assert_matches(*vol.active())
    vol.model = vol.at[s2].checkpoint('reverted')
    vol.write(0x64)
    vol.assert_data()
    vol.delete_snapshot(s2)
    vol.delete_snapshot(s1)
    vol.assert_data()


def test_horizon_panels_calls(services, tmp_path):
    """The calls Horizon's Volumes and Snapshots panels, its Create Volume
    form and Project > Overview make (openstack_dashboard api/cinder.py),
    through python-cinderclient: each answers, with what the project
    has."""
    cinder = services.client('alice', '3.42')
    directory = services.shares[0].split(':', 1)[1]
    vol = Volume(services, directory, cinder, tmp_path, size=2, name='web')
    snapshot_id = vol.snapshot(name='before')
    # Volumes panel: one page more than it shows (to know of a next one),
    # then the transfers under the same filters.
    search = {'status': 'available', 'name': 'web'}
    page = cinder.volumes.list(search_opts=search, limit=21,
                               sort='created_at:desc')
    assert [v.id for v in page] == [vol.vol.id]
    assert cinder.transfers.list(detailed=True, search_opts=search) == []
    # Snapshots panel.
    snapshots = cinder.volume_snapshots.list(
        search_opts={}, limit=21, sort='created_at:desc')
    assert [(s.id, s.volume_id) for s in snapshots] == [(snapshot_id,
                                                         vol.vol.id)]
    # Create Volume form.
    assert [t.name for t in cinder.volume_types.list()] == ['__DEFAULT__']
    assert cinder.volume_types.default().name == '__DEFAULT__'
    assert [z.zoneName for z in cinder.availability_zones.list()] == [
        'nova']
    # Project > Overview, and the forms' quota checks.
    limits = {limit.name: limit.value
              for limit in cinder.limits.get().absolute}
    assert (limits['totalVolumesUsed'], limits['totalSnapshotsUsed'],
            limits['totalGigabytesUsed'], limits['maxTotalVolumes']) == (
                1, 1, 4, 10)
    quota = cinder.quotas.get(services.users['alice'].project, usage=True)
    assert quota.gigabytes['in_use'] == 4
    # Horizon shows a Backups panel only where the extension is listed:
    # snapvol has backups.
    aliases = {e['alias'] for e in
               services.http('alice').get('extensions').json()['extensions']}
    assert {'os-volume-transfer', 'backups'} <= aliases


def _child(svc, name, pattern):
    """The pid of a child of process ``name`` matching ``pattern`` (only
    this stack's: other test runs may share the host), or None."""
    out = subprocess.run(['pgrep', '-P', str(svc.pid(name)), '-f', pattern],
                         capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else None


def test_manager_killed_mid_delete_and_create(service_factory, tmp_path):
    """SIGKILL the volume manager while it commits a few hundred MiB (a
    delete) with a create queued behind it, then start it again: both
    finish, and DB, .info and files agree."""
    svc = service_factory(mode='split')
    directory = svc.shares[0].split(':', 1)[1]
    cinder = svc.client('alice')
    vol = Volume(svc, directory, cinder, tmp_path, size=2)
    vol.write(0x01)
    s1 = vol.snapshot()
    path, fmt = vol.active()
    # Enough data that the commit takes a while.
    vol.model.write_image(path, fmt, 0x5e, 64 * MiB, 400 * MiB)
    s2 = vol.snapshot()
    vol.write(0x02)

    cinder.volume_snapshots.delete(s1)
    harness.wait_for(
        lambda: _child(svc, 'snapvol-volume', 'qemu-img commit .*' + s1),
        30, interval=0.01, what='the commit of %s to start' % s1)
    qemu_img = _child(svc, 'snapvol-volume', 'qemu-img commit .*' + s1)
    s3 = cinder.volume_snapshots.create(vol.vol.id).id
    # The manager alone, as the OOM killer would: its qemu-img must not
    # outlive it and keep the image locked.
    svc.kill('snapvol-volume', signal.SIGKILL, group=False)
    harness.wait_for(lambda: not os.path.exists('/proc/%d' % qemu_img), 10,
                     what='qemu-img %d to die with its manager' % qemu_img)
    assert snapshot_status(svc, s1) == 'deleting'
    assert snapshot_status(svc, s3) == 'creating'

    svc.restart('snapvol-volume')
    wait_gone(cinder.volume_snapshots.get, s1, timeout=300)
    wait_status(cinder.volume_snapshots.get, s3, 'available', timeout=300)
    del vol.at[s1]
    vol.at[s3] = vol.model.checkpoint(s3)

    assert vol.info == {s2: '%s.%s' % (vol.base, s2),
                        s3: '%s.%s' % (vol.base, s3),
                        'active': '%s.%s' % (vol.base, s3)}
    assert sorted(n for n in os.listdir(directory)
                  if n.startswith(vol.base)) == sorted(
        {vol.base, vol.base + '.info'} | set(vol.info.values()))
    assert recorded_formats(svc, vol.vol.id) == {
        vol.base: 'raw', vol.info[s2]: 'qcow2', vol.info[s3]: 'qcow2'}
    vol.assert_data()


def test_later_microversions_through_cinderclient(services, tmp_path):
    """3.45 to 3.67 against the running service, as python-cinderclient
    at 3.71 and raw HTTP send them."""
    cinder = services.client('alice', '3.71')
    first = cinder.volumes.create(1, name='first')
    wait_status(cinder.volumes.get, first.id, 'available')
    second = cinder.volumes.create(1, name='second')
    wait_status(cinder.volumes.get, second.id, 'available')
    snapshot = cinder.volume_snapshots.create(first.id)
    wait_status(cinder.volume_snapshots.get, snapshot.id, 'available')

    # 3.45: a page and the count of the whole list.
    _resp, body = cinder.client.get('/volumes/detail?with_count=true&limit=1')
    assert (len(body['volumes']), body['count']) == (1, 2)
    # 3.48 to 3.65: the later fields.
    shown = cinder.volumes.get(first.id)
    assert (shown.shared_targets, shown.encryption_key_id,
            shown.consumes_quota) == (False, None, True)
    assert shown.volume_type_id == cinder.volume_types.default().id
    assert cinder.volume_snapshots.get(snapshot.id).consumes_quota is True
    # 3.60: time comparisons on the database.
    created = [cinder.volumes.get(v.id).created_at for v in (first, second)]
    newer = cinder.volumes.list(search_opts={'created_at': 'gt:'
                                             + created[0]})
    assert [v.id for v in newer] == (
        [second.id] if created[1] > created[0] else [])
    assert cinder.volumes.list(search_opts={
        'created_at': 'lte:' + created[0], 'name': 'first'})[0].id == first.id
    # 3.53: an unknown field is refused and makes nothing.
    with pytest.raises(cinder_exc.BadRequest):
        cinder.client.post('/volumes', body={'volume': {
            'size': 1, 'status': 'available'}})
    assert len(cinder.volumes.list()) == 2
    # 3.65: nothing here spares the quota. (cinderclient drops a False
    # filter, so it goes as text.)
    assert cinder.volume_snapshots.list(
        search_opts={'consumes_quota': 'false'}) == []
    # 3.67: the same resources without the project in the URL.
    http = services.http('alice')
    http.headers['OpenStack-API-Version'] = 'volume 3.67'
    listed = http.get('/v3/volumes').json()['volumes']
    assert {v['id'] for v in listed} == {first.id, second.id}
    assert http.get('/v3/snapshots/' + snapshot.id).json()['snapshot'][
        'volume_id'] == first.id
