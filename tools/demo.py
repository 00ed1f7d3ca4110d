#!/usr/bin/env python3
"""snapvol's demonstration: a volume, three snapshots, merges and a clone,
every byte verified, on a local share and on a GlusterFS share.

Run through ``tools/demo``, which prepares the machine first. It starts its
own ``snapvol-all`` (defaults, but with a temporary state directory and a
generated htpasswd user) and drives it with python-cinderclient, as a user
would. Data is written into the volume's active file with qemu-io, as a
guest would write it, and read back through each snapshot's chain.
"""

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time

import bcrypt
from cinderclient import client as cinder_client
from keystoneauth1 import http_basic
from keystoneauth1 import session as ks_session
import libvirt
import libvirt_qemu
from novaclient import client as nova_client

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from tests import imagedata  # noqa: E402

GiB = 1024 ** 3
MiB = imagedata.MiB


def say(message, *args):
    print('[%6.1fs] %s' % (time.monotonic() - START, message % args),
          flush=True)


START = time.monotonic()


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Service:
    """snapvol-all in a temporary directory, with one share."""

    def __init__(self, workdir, share):
        self.workdir = workdir
        self.share = share
        self.port, self.compute_port = _free_port(), _free_port()
        self.password = secrets.token_urlsafe(12)
        self.admin_password = secrets.token_urlsafe(12)
        with open(os.path.join(workdir, 'htpasswd'), 'w') as f:
            for user, password, project, role in (
                    ('demo', self.password, 'demo-project', 'member'),
                    ('admin', self.admin_password, 'admin', 'admin')):
                hashed = bcrypt.hashpw(password.encode(),
                                       bcrypt.gensalt(5)).decode()
                f.write('%s:%s:%s:%s\n' % (user, hashed, project, role))
        with open(os.path.join(workdir, 'shares.conf'), 'w') as f:
            f.write(share + '\n')
        self.conf = os.path.join(workdir, 'snapvol.conf')
        with open(self.conf, 'w') as f:
            f.write('[DEFAULT]\nstate_path = %(w)s\n'
                    'http_basic_auth_user_file = %(w)s/htpasswd\n'
                    'log_file = %(w)s/snapvol.log\n'
                    '[volume]\nshares_config = %(w)s/shares.conf\n'
                    'mount_point_base = %(w)s/mnt\n'
                    '[volume_api]\nlisten = 127.0.0.1\nport = %(p)d\n'
                    '[compute_api]\nlisten = 127.0.0.1\nport = %(c)d\n'
                    # KVM may be unable to run a guest here (TCG is).
                    '[libvirt]\nvirt_type = qemu\n'
                    '[nova]\nauth_type = http_basic\n'
                    'endpoint = http://127.0.0.1:%(c)d/v2.1\n'
                    'username = admin\npassword = %(a)s\n'
                    % {'w': workdir, 'p': self.port, 'c': self.compute_port,
                       'a': self.admin_password})

    def __enter__(self):
        bindir = os.path.dirname(sys.executable)
        self.proc = subprocess.Popen(
            [os.path.join(bindir, 'snapvol-all'), '--config-file',
             self.conf], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(('127.0.0.1', self.port), 1).close()
                return self
            except OSError:
                if self.proc.poll() is not None or \
                        time.monotonic() > deadline:
                    raise SystemExit('snapvol-all did not start; see %s'
                                     % os.path.join(self.workdir,
                                                    'snapvol.log'))
                time.sleep(0.2)

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(30)

    def cinder(self):
        auth = http_basic.HTTPBasicAuth(
            endpoint='http://127.0.0.1:%d/v3/demo-project' % self.port,
            username='demo', password=self.password)
        return cinder_client.Client('3', session=ks_session.Session(
            auth=auth))

    def nova(self):
        auth = http_basic.HTTPBasicAuth(
            endpoint='http://127.0.0.1:%d/v2.1' % self.compute_port,
            username='admin', password=self.admin_password)
        return nova_client.Client('2.1', session=ks_session.Session(
            auth=auth))

    def share_directory(self):
        if self.share.startswith('local:'):
            return self.share.split(':', 1)[1]
        mnt = os.path.join(self.workdir, 'mnt')
        return os.path.join(mnt, os.listdir(mnt)[0])


def wait(get, resource_id, wanted, timeout=300, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        try:
            status = get(resource_id).status
        except Exception as e:
            if getattr(e, 'code', None) != 404:
                raise
            status = 'deleted'
        if status == wanted:
            return
        if status.startswith('error') or time.monotonic() > deadline:
            raise SystemExit('%s is %s, expected %s' % (resource_id, status,
                                                        wanted))
        time.sleep(interval)


def active_file(directory, volume_id):
    """(info store, path of the active file, its format)."""
    with open(os.path.join(directory, 'volume-%s.info' % volume_id)) as f:
        info = json.load(f)
    # The demo's volumes start raw (the default); every overlay is qcow2.
    fmt = 'raw' if info['active'] == 'volume-%s' % volume_id else 'qcow2'
    return info, os.path.join(directory, info['active']), fmt


def header(path, fmt):
    return json.loads(subprocess.run(
        ['qemu-img', 'info', '-U', '-f', fmt, '--output=json', path],
        check=True, capture_output=True, text=True).stdout)


def show_chain(directory, volume_id):
    info, path, fmt = active_file(directory, volume_id)
    links = []
    while path:
        hdr = header(path, fmt)
        volume, _, snap = os.path.basename(path).partition('.')
        links.append('V%s (%s)' % ('.' + snap[:8] if snap else '', fmt))
        backing = hdr.get('backing-filename')
        path = backing and os.path.join(directory, backing)
        fmt = hdr.get('backing-filename-format')
    say('  chain (active first): %s', ' -> '.join(links))


def run_scenario(service):
    cinder = service.cinder()
    directory = service.share_directory()
    say('Share %s (files in %s)', service.share, directory)

    volume = cinder.volumes.create(1, name='demo-volume')
    wait(cinder.volumes.get, volume.id, 'available')
    say('Created volume %s (1 GiB, raw)', volume.id)

    expected = imagedata.ImageModel(os.path.join(service.workdir, 'now.raw'),
                                    GiB)
    at = {}
    snapshots = []
    for number, pattern in enumerate((0xa1, 0xb2, 0xc3), 1):
        show_chain(directory, volume.id)
        _, active, fmt = active_file(directory, volume.id)
        expected.write_image(active, fmt, pattern, number * 8 * MiB, MiB)
        expected.write_image(active, fmt, pattern, 0, 4096)
        say('Wrote 1 MiB of 0x%02x at %d MiB (and the first 4 KiB)',
            pattern, number * 8)
        snap = cinder.volume_snapshots.create(volume.id,
                                              name='demo-snap-%d' % number)
        wait(cinder.volume_snapshots.get, snap.id, 'available')
        at[snap.id] = expected.checkpoint(snap.id)
        snapshots.append(snap)
        say('Snapshot %d: %s is available', number, snap.id)
    _, active, fmt = active_file(directory, volume.id)
    expected.write_image(active, fmt, 0xd4, 40 * MiB, MiB)
    say('Wrote 1 MiB of 0xd4 after the third snapshot')

    def verify(step):
        show_chain(directory, volume.id)
        info, active, fmt = active_file(directory, volume.id)
        expected.assert_matches(active, fmt)
        for snap_id, data in at.items():
            # A snapshot's data is the chain below its overlay.
            hdr = header(os.path.join(directory, info[snap_id]), 'qcow2')
            data.assert_matches(
                os.path.join(directory, hdr['backing-filename']),
                hdr['backing-filename-format'])
        say('  verified after %s: the volume and %d snapshot(s) hold '
            'exactly their data', step, len(at))

    verify('three snapshots')
    s1, s2, s3 = snapshots
    for label, snap in (('the middle snapshot', s2),
                        ('the oldest snapshot', s1)):
        cinder.volume_snapshots.delete(snap)
        wait(cinder.volume_snapshots.get, snap.id, 'deleted')
        del at[snap.id]
        say('Deleted %s (%s)', label, snap.id)
        verify('deleting %s' % label)

    clone = cinder.volumes.create(1, snapshot_id=s3.id, name='demo-clone')
    wait(cinder.volumes.get, clone.id, 'available')
    at[s3.id].assert_matches(
        os.path.join(directory, 'volume-%s' % clone.id), 'raw')
    say('Created volume %s from the remaining snapshot: it holds exactly '
        'the data of that moment', clone.id)

    cinder.volume_snapshots.delete(s3)
    wait(cinder.volume_snapshots.get, s3.id, 'deleted')
    del at[s3.id]
    verify('deleting the last snapshot')
    for vol in (clone, volume):
        cinder.volumes.delete(vol)
        wait(cinder.volumes.get, vol.id, 'deleted')
    left = [n for n in os.listdir(directory)
            if n.startswith(('volume-%s' % volume.id,
                             'volume-%s' % clone.id))]
    if left:
        raise SystemExit('files left behind: %s' % left)
    say('Deleted both volumes; no file is left on the share')


def monitor_qemu_io(server_id, command):
    """Runs a qemu-io command on the data disk (vdb) inside the running
    QEMU, through its monitor: the writes go where the guest's would."""
    conn = libvirt.open('qemu:///system')
    try:
        out = libvirt_qemu.qemuMonitorCommand(
            conn.lookupByUUIDString(server_id),
            'qemu-io -d virtio-disk1/virtio-backend "%s"' % command,
            libvirt_qemu.VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP)
    finally:
        conn.close()
    if 'error' in out.lower():
        raise SystemExit('qemu-io in the VM failed: %s' % out)


def run_vm_scenario(service):
    """A VM booted from a volume with a second volume attached; three
    live snapshots of the data volume, deleted in mixed order while the VM
    runs, the data checked at each step."""
    cinder, nova = service.cinder(), service.nova()
    directory = service.share_directory()
    say('Share %s; VM scenario', service.share)
    boot = cinder.volumes.create(1, name='demo-boot')
    data = cinder.volumes.create(1, name='demo-data')
    for vol in (boot, data):
        wait(cinder.volumes.get, vol.id, 'available')
    server = nova.servers.create(
        'demo-vm', image=None, flavor='1', block_device_mapping_v2=[{
            'uuid': boot.id, 'source_type': 'volume',
            'destination_type': 'volume', 'boot_index': 0}])
    wait(nova.servers.get, server.id, 'ACTIVE')
    say('Booted VM %s from volume %s', server.id, boot.id)
    nova.volumes.create_server_volume(server.id, data.id)
    wait(cinder.volumes.get, data.id, 'in-use')
    say('Attached volume %s: %s', data.id, cinder.volumes.get(data.id).status)

    expected = imagedata.ImageModel(os.path.join(service.workdir, 'vm.raw'),
                                    GiB)
    at = {}

    def write(pattern, offset):
        monitor_qemu_io(server.id, 'write -P %d %d %d' % (pattern, offset,
                                                         MiB))
        monitor_qemu_io(server.id, 'flush')
        expected.write(pattern, offset, MiB)
        say('VM wrote 1 MiB of 0x%02x at %d MiB', pattern, offset // MiB)

    def verify(step):
        monitor_qemu_io(server.id, 'flush')
        show_chain(directory, data.id)
        info, active, fmt = active_file(directory, data.id)
        expected.assert_matches(active, fmt, force_share=True)
        for snap_id, model in at.items():
            hdr = header(os.path.join(directory, info[snap_id]), 'qcow2')
            model.assert_matches(
                os.path.join(directory, hdr['backing-filename']),
                hdr['backing-filename-format'], force_share=True)
        say('  verified after %s: the live volume and %d snapshot(s) hold '
            'exactly their data', step, len(at))

    write(0xa1, 0)
    snaps = []
    for number, pattern in enumerate((0xb2, 0xc3, 0xd4), 1):
        snap = cinder.volume_snapshots.create(data.id, force=True,
                                              name='live-%d' % number)
        wait(cinder.volume_snapshots.get, snap.id, 'available')
        at[snap.id] = expected.checkpoint(snap.id)
        snaps.append(snap)
        say('Live snapshot %d: %s is %s', number, snap.id,
            cinder.volume_snapshots.get(snap.id).status)
        write(pattern, number * 8 * MiB)
    verify('three live snapshots')
    for label, snap in (('the middle snapshot (commit)', snaps[1]),
                        ('the newest snapshot (pull)', snaps[2]),
                        ('the last snapshot (pull, no base)', snaps[0])):
        cinder.volume_snapshots.delete(snap)
        say('Deleting %s: %s', label,
            cinder.volume_snapshots.get(snap.id).status)
        wait(cinder.volume_snapshots.get, snap.id, 'deleted')
        del at[snap.id]
        verify('deleting %s' % label)
        write(0xe0 + len(at), 40 * MiB)

    nova.servers.delete(server.id)
    deadline = time.monotonic() + 120
    while any(s.id == server.id for s in nova.servers.list()):
        if time.monotonic() > deadline:
            raise SystemExit('the VM was not deleted')
        time.sleep(0.5)
    for vol in (data, boot):
        wait(cinder.volumes.get, vol.id, 'available')
        cinder.volumes.delete(vol)
        wait(cinder.volumes.get, vol.id, 'deleted')
    say('Deleted the VM and both volumes')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--gluster', default=os.environ.get(
        'SNAPVOL_TEST_GLUSTER', '%s:/snapvol-gv0' % socket.gethostname()),
        help='GlusterFS volume HOST:/VOLNAME (empty to skip)')
    args = parser.parse_args()

    results = []
    # Not under /tmp's private directories: QEMU runs as libvirt-qemu.
    with tempfile.TemporaryDirectory(prefix='snapvol-demo-',
                                     dir='/var/tmp') as top:
        os.chmod(top, 0o755)
        runs = [('local:%s' % os.path.join(top, 'local-share'),
                 run_vm_scenario, 'live snapshots of a running VM')]
        if args.gluster:
            runs.append(('glusterfs:%s' % args.gluster, run_scenario,
                         'snapshots of a detached volume'))
        for index, (share, scenario, what) in enumerate(runs):
            workdir = os.path.join(top, 'run%d' % index)
            os.makedirs(workdir)
            os.chmod(workdir, 0o755)
            start = time.monotonic()
            with Service(workdir, share) as service:
                scenario(service)
                if service.cinder().volumes.list():
                    raise SystemExit('volumes were left behind')
            results.append((what, share, time.monotonic() - start))
            _unmount(os.path.join(workdir, 'mnt'))
    print('\nSummary: every byte verified at every step')
    for what, share, seconds in results:
        print('  %-32s on %-28s passed in %5.1f s' % (what, share[:28],
                                                      seconds))


def _unmount(mnt):
    if os.path.isdir(mnt):
        for entry in os.listdir(mnt):
            subprocess.run(['umount', os.path.join(mnt, entry)],
                           check=False)


if __name__ == '__main__':
    main()
