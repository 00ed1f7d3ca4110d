"""A second libvirtd on this machine, as a second compute host has.

It is the same privileged daemon as the system one, in a mount namespace
of its own where its directories (/run/libvirt, /var/lib/libvirt,
/etc/libvirt, /var/log/libvirt) are bind mounts of a private directory:
so it has its own sockets, its own domains and its own definitions, and
neither daemon sees the other's domains. Its QEMU processes run as
libvirt-qemu with the same qemu.conf, so volume files need nothing more
than for the system daemon. Clients reach it at ``uri``, its socket seen
from outside the namespace.
"""

import os
from pathlib import Path
import shutil
import signal
import subprocess
import tempfile

import libvirt

from . import harness

BOUND = ('/run/libvirt', '/var/lib/libvirt', '/etc/libvirt',
         '/var/log/libvirt')


class SecondLibvirt:

    def __init__(self):
        # Short: the socket's path must fit a sockaddr_un (108 bytes).
        self.root = Path(tempfile.mkdtemp(prefix='snapvol-lv2-',
                                          dir='/run'))
        self.root.chmod(0o755)
        self.uri = ('qemu+unix:///system?socket=%s'
                    % (self._dir('/run/libvirt') / 'libvirt-sock'))
        self.proc = None

    def _dir(self, bound):
        return self.root / bound.strip('/').replace('/', '-')

    def _prepare(self):
        for bound in BOUND:
            self._dir(bound).mkdir(mode=0o755)
        etc = self._dir('/etc/libvirt')
        shutil.copytree('/etc/libvirt', etc, symlinks=True,
                        dirs_exist_ok=True)
        # None of the system daemon's definitions, nothing to autostart.
        for pattern in ('qemu/*.xml', 'qemu/autostart',
                        'qemu/networks/autostart', 'storage/autostart'):
            for path in etc.glob(pattern):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        # QEMU's output to files: the system virtlogd's socket is not in
        # this namespace.
        with open(etc / 'qemu.conf', 'a') as f:
            f.write('\n# snapvol tests: a second libvirtd\n'
                    'stdio_handler = "file"\n')

    def start(self, timeout=60):
        if os.geteuid() != 0 or shutil.which('unshare') is None:
            harness.unavailable('a second libvirtd needs root and unshare')
        self._prepare()
        mounts = ''.join('mount --bind %s %s && ' % (self._dir(b), b)
                         for b in BOUND)
        script = '%sexec libvirtd -p %s' % (mounts, self.root / 'pid')
        with open(self.root / 'libvirtd.out', 'ab') as out:
            # Slave propagation: its bind mounts stay in its namespace.
            self.proc = subprocess.Popen(
                ['unshare', '--mount', '--propagation', 'slave', 'sh', '-c',
                 script], stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            harness.wait_for(self._answers, timeout, interval=0.2,
                             what='the second libvirtd to answer')
        except TimeoutError:
            self.stop()
            raise RuntimeError('the second libvirtd did not start:\n%s'
                               % harness.tail(self.root / 'libvirtd.out'))
        return self

    def _answers(self):
        if self.proc.poll() is not None:
            raise RuntimeError('the second libvirtd exited %s:\n%s' % (
                self.proc.returncode,
                harness.tail(self.root / 'libvirtd.out')))
        try:
            libvirt.open(self.uri).close()
        except libvirt.libvirtError:
            return False
        return True

    def domain_uuids(self):
        conn = libvirt.open(self.uri)
        try:
            return {dom.UUIDString() for dom in conn.listAllDomains(0)}
        finally:
            conn.close()

    def stop(self):
        """Destroys and undefines its domains (their QEMU would keep the
        namespace alive), then ends the daemon and removes its files."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                conn = libvirt.open(self.uri)
            except libvirt.libvirtError:
                conn = None
            if conn is not None:
                try:
                    for dom in conn.listAllDomains(0):
                        try:
                            if dom.isActive():
                                dom.destroy()
                            dom.undefine()
                        except libvirt.libvirtError:
                            pass
                finally:
                    conn.close()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)
