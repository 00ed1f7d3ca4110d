"""The test bed itself is real: what tools/testbed sets up answers, and the
data helpers see a one-byte difference."""

import os
import shutil
import socket
import subprocess
import uuid

import pytest
import sqlalchemy as sa

from tests.imagedata import ImageModel
from tests.imagedata import KiB
from tests.imagedata import MiB
from tests.imagedata import compare
from tests.imagedata import create_image
from tests.imagedata import has_pattern
from tests.imagedata import image_chain
from tests.imagedata import qemu_io
from tests.imagedata import write_pattern

from . import harness


def test_glusterd_answers_and_volume_started(gluster_share):
    host, volume = harness.gluster_spec()
    if host != socket.gethostname():
        pytest.skip('GlusterFS volume on another host: not ours to inspect')
    proc = harness.run(['gluster', '--mode=script', 'volume', 'info', volume])
    assert 'Status: Started' in proc.stdout
    proc = harness.run(['gluster', '--mode=script', 'volume', 'status',
                        volume, '--xml'])
    assert '<status>1</status>' in proc.stdout, proc.stdout


def test_gluster_fuse_mount_write_read(gluster_share, tmp_path):
    spec = gluster_share.split(':', 1)[1]
    mount_dir = harness.new_mount_dir('testbed')
    point = mount_dir / 'mnt'
    point.mkdir()
    try:
        harness.run(['mount', '-t', 'glusterfs', spec, point])
        assert harness.mounts_under(point) == [str(point)]
        probe = point / f'testbed-{uuid.uuid4().hex}'
        data = uuid.uuid4().bytes * 1000
        probe.write_bytes(data)
        assert probe.read_bytes() == data
        probe.unlink()
    finally:
        harness.remove_mount_dir(mount_dir)
    assert harness.mounts_under(point) == []


def test_qemu_reaches_gluster_through_libgfapi(gluster_share, gluster_mount):
    # The compute service hands QEMU gluster:// network disks. Each libgfapi
    # client spends ~10 s in glfs_fini when it closes (GlusterFS issue 2606,
    # wontfix), so this opens it once; everything else goes through FUSE.
    _, host, volume = gluster_share.split(':', 2)
    name = f'testbed-{uuid.uuid4().hex}.qcow2'
    path = create_image(gluster_mount / name, 'qcow2', MiB)
    try:
        # libgfapi reports a short read at end of file as EIO, and a fresh
        # qcow2 is 196616 bytes: pad it (shared/testbed.md).
        size = path.stat().st_size
        os.truncate(path, -(-size // (64 * KiB)) * 64 * KiB)
        url = f'gluster://{host}/{volume.lstrip("/")}/{name}'
        chain = image_chain(url, 'qcow2')
        assert chain[0]['virtual-size'] == MiB
    finally:
        path.unlink(missing_ok=True)


def test_postgresql_accepts_connections(pg_url):
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text('select 1')).scalar() == 1
            assert conn.execute(
                sa.text('select current_database()')).scalar() == \
                pg_url.rsplit('/', 1)[1]
    finally:
        engine.dispose()


def test_rabbitmq_accepts_connections(rabbit_url):
    import amqp
    vhost = rabbit_url.rsplit('/', 1)[1]
    conn = amqp.Connection('127.0.0.1:5672', userid='guest',
                           password='guest', virtual_host=vhost,
                           connect_timeout=10)
    conn.connect()
    try:
        ch = conn.channel()
        queue, _, _ = ch.queue_declare('', exclusive=True)
        ch.basic_publish(amqp.Message(b'ping'), routing_key=queue)
        msg = harness.wait_for(lambda: ch.basic_get(queue, no_ack=True), 10,
                               what='the message back')
        assert msg.body == b'ping'
        assert harness.rabbit_consumers(rabbit_url, 'no-such-queue') == 0
    finally:
        conn.close()


def test_libvirtd_answers():
    proc = harness.run(['virsh', '-c', 'qemu:///system', 'version'],
                       check=False)
    if proc.returncode != 0:
        harness.unavailable(f'libvirtd does not answer: {proc.stderr}')


@pytest.mark.parametrize('tool', ['qemu-img', 'qemu-io', 'htpasswd'])
def test_tools_present(tool):
    assert shutil.which(tool), f'{tool} not on PATH'
    subprocess.run([tool, '--version' if tool != 'htpasswd' else '-h'],
                   capture_output=True, timeout=30)


def test_htpasswd_lines_verify_with_bcrypt():
    import bcrypt
    user = harness.USERS['alice']
    name, hashed, project, roles = harness.htpasswd_line(user).split(':')
    assert (name, project, roles) == ('alice', 'proj-a', '')
    assert bcrypt.checkpw(user.password.encode(), hashed.encode())
    assert harness.htpasswd_line(harness.USERS['admin']).endswith(
        ':admin-project:admin')


@pytest.mark.parametrize('fmt', ['raw', 'qcow2'])
def test_data_helpers_detect_one_byte_difference(tmp_path, fmt):
    image = create_image(tmp_path / f'disk.{fmt}', fmt, 4 * MiB)
    model = ImageModel(tmp_path / 'model.raw', 4 * MiB)
    model.write_image(image, fmt, 0xAB, 0, 64 * KiB)
    model.write_image(image, fmt, 0x5A, 1 * MiB + 512, 4 * KiB)
    model.assert_matches(image, fmt)
    assert has_pattern(image, fmt, 0xAB, 0, 64 * KiB)

    qemu_io(image, fmt, 'write -P 0xac 4097 1')  # one byte, image only
    assert not model.matches(image, fmt)
    assert not has_pattern(image, fmt, 0xAB, 0, 64 * KiB)
    # qemu-img names the 512-byte sector holding the difference.
    with pytest.raises(AssertionError, match='offset 4096'):
        model.assert_matches(image, fmt)

    model.write(0xAC, 4097, 1)  # the model catches up
    model.assert_matches(image, fmt)


def test_data_helpers_follow_a_qcow2_chain(tmp_path):
    base = create_image(tmp_path / 'volume', 'raw', 4 * MiB)
    model = ImageModel(tmp_path / 'model.raw', 4 * MiB)
    model.write_image(base, 'raw', 0x11, 0, 128 * KiB)
    at_snap = model.checkpoint('snap1')

    overlay = create_image(tmp_path / 'volume.snap1', 'qcow2', None,
                           backing='volume', backing_fmt='raw')
    model.write_image(overlay, 'qcow2', 0x22, 64 * KiB, 4 * KiB)

    model.assert_matches(overlay, 'qcow2')     # the chain now
    at_snap.assert_matches(base, 'raw')        # the snapshot's point in time
    assert not at_snap.matches(overlay, 'qcow2')
    assert [layer['format'] for layer in image_chain(overlay, 'qcow2')] == \
        ['qcow2', 'raw']
    # A model of another size still compares by content (excess is zero),
    # but assert_matches also checks the size.
    small = ImageModel(tmp_path / 'small.raw', 1 * MiB)
    small.write(0x11, 0, 64 * KiB)
    small.write(0x22, 64 * KiB, 4 * KiB)
    small.write(0x11, 68 * KiB, 60 * KiB)
    assert small.matches(overlay, 'qcow2')
    with pytest.raises(AssertionError, match='virtual size'):
        small.assert_matches(overlay, 'qcow2')


def test_compare_raises_on_tool_error(tmp_path):
    model = ImageModel(tmp_path / 'model.raw', MiB)
    with pytest.raises(Exception, match='exited'):
        compare(model.path, tmp_path / 'missing.qcow2', 'qcow2')
    with pytest.raises(Exception, match='exited'):
        write_pattern(tmp_path / 'missing.qcow2', 'qcow2', 1, 0, 512)


@pytest.mark.parametrize('mode', ['all', 'split'])
def test_harness_runs_the_services(service_factory, mode):
    svc = service_factory(mode=mode)
    assert svc.http(None).get('/').status_code < 500
    assert svc.http(None).get('volumes').status_code == 401
    cinder = svc.client('alice')
    assert cinder.volumes.list() == []
    bad = svc.http('alice').post('volumes', data=b'{"volume": ',
                                 headers={'Content-Type': 'application/json'})
    assert bad.status_code == 400, bad.text

    if mode == 'split':
        svc.kill('snapvol-volume')  # SIGKILL, as a crash
        assert not svc.running('snapvol-volume')
        svc.restart('snapvol-volume')
        assert cinder.volumes.list() == []
    assert svc.crashed() == {}


def test_harness_volume_on_gluster_share(service_factory, gluster_share,
                                         gluster_mount):
    svc = service_factory(shares=[gluster_share])
    cinder = svc.client('alice')
    vol = cinder.volumes.create(1, name='testbed')
    harness.wait_for_status(lambda: cinder.volumes.get(vol.id), 'available')
    assert (gluster_mount / f'volume-{vol.id}').exists()
    assert harness.mounts_under(svc.mount_dir), 'the service mounted nothing'
