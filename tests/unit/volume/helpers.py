"""What the volume manager's tests share: contexts, a fake compute
service, and helpers that wait for the manager's workers."""

import json
import os
import subprocess
import threading
import time

from snapvol_api import context
from snapvol_api import exception
from snapvol_volume import info as info_store
from snapvol_volume import service

ALICE = context.RequestContext(user_id='alice', project_id='proj-a')
BOB = context.RequestContext(user_id='bob', project_id='proj-b')
ADMIN = context.RequestContext(user_id='admin', project_id='admin-project',
                               roles=['admin'])


def start_manager(compute, locks=None):
    """A manager with a fake compute service (both its API and its
    rpcapi), started as the service starts it; its recovery is done."""
    mgr = service.build_manager(compute=compute, compute_rpc=compute,
                                locks=locks)
    compute.manager = mgr
    compute.share = share_of(mgr)
    mgr.init_host()
    assert mgr.recovery.wait(60)
    return mgr


def share_of(manager):
    return next(iter(manager.shares.drivers.values())).mount_path


def wait_until(done, what, timeout=60):
    """Polls ``done()`` until it is true; the timeout only catches a hang
    (it is no bound on how fast the work is)."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, 'still waiting for %s' % what
        time.sleep(0.05)


def wait_status(get, wanted, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            current = get()['status']
        except exception.NotFound:
            current = 'gone'
        if current == wanted:
            return
        assert current not in ('error', 'error_deleting') or wanted in (
            'error', 'error_deleting'), current
        assert time.monotonic() < deadline, 'still %s, not %s' % (current,
                                                                  wanted)
        time.sleep(0.05)


def create_volume(manager, ctxt=ALICE, size=1, **kwargs):
    volume = manager.create_volume(ctxt, size, kwargs.pop('name', 'v'),
                                   None, {}, kwargs.pop('snapshot_id', None))
    wait_status(lambda: manager.get_volume(ctxt, volume['id']), 'available')
    return manager.get_volume(ctxt, volume['id'])


def create_snapshot(manager, volume_id, ctxt=ALICE):
    snap = manager.create_snapshot(ctxt, volume_id, 's', None, {'k': 'v'},
                                   False)
    assert snap['status'] == 'creating'
    wait_status(lambda: manager.get_snapshot(ctxt, snap['id']), 'available')
    return manager.get_snapshot(ctxt, snap['id'])


def delete_snapshot(manager, snapshot_id, ctxt=ALICE):
    manager.delete_snapshot(ctxt, snapshot_id)
    wait_status(lambda: manager.get_snapshot(ctxt, snapshot_id), 'gone')


def read_info(share, volume_id):
    return info_store.InfoStore(os.path.join(
        share, 'volume-%s.info' % volume_id)).read()



COMPUTE_HOST = 'compute-1'


class FakeCompute:
    """Does to the files what the compute service and libvirt would, and
    casts the report back to the manager from another thread, as over RPC.
    ``outcome`` decides what the next request gets."""

    def __init__(self):
        self.manager = None         # the manager it reports to
        self.share = None
        self.requests = []
        self.outcome = 'ok'
        self.domain_active = None
        # {volume_id: active file} of a domain that took a set.
        self.domain_files = {}
        self.shut_off = False
        # Called with the snapshot id before each report is sent.
        self.before_answer = None
        self.answered = 0
        # The instances' compute host shows down (no heartbeat).
        self.host_down = False

    def get_instance(self, ctxt, instance_id):
        """The compute rpcapi's instance, with its host's status."""
        return {'id': instance_id, 'host': COMPUTE_HOST,
                'host_status': 'DOWN' if self.host_down else 'UP'}

    def get_volume_chain(self, ctxt, host, instance_id, volume_id):
        """The compute rpcapi's view of the domain: its active file and
        the backing files below it."""
        if self.shut_off:
            raise exception.InstanceInvalidState(instance_id=instance_id,
                                                 state='shut off')
        if self.outcome == 'unreachable':
            raise exception.ComputeUnavailable(reason='RPC timed out')
        name = (self.domain_files.get(volume_id) or self.domain_active or
                read_info(self.share, volume_id)['active'])
        chain = []
        while name:
            chain.append({'name': name, 'format': self._fmt(name)})
            name = json.loads(subprocess.run(
                ['qemu-img', 'info', '-U', '-f', self._fmt(name),
                 '--output=json', name], cwd=self.share, capture_output=True,
                check=True).stdout).get('backing-filename')
        return chain

    def extend_volume(self, ctxt, host, instance_id, volume_id, new_size):
        """libvirt's blockResize: the active file grows (QEMU does it)."""
        if self.shut_off:
            raise exception.InstanceInvalidState(instance_id=instance_id,
                                                 state='shut off')
        if self.outcome == 'unreachable':
            raise exception.ComputeUnavailable(reason='test')
        self.requests.append(('extend', volume_id, new_size))
        active = read_info(self.share, volume_id)['active']
        self._img('resize', '-q', '-f', self._fmt(active), active,
                  str(new_size))

    def forget_volume_chain(self, ctxt, host, instance_id, volume_id,
                            active_file=None, active_format=None):
        """The definition forgets its chain (and names ``active_file``,
        where the domain starts from then on); the active file it names."""
        assert self.shut_off
        self.requests.append(('forget', volume_id, active_file))
        if active_file is not None:
            assert active_format == self._fmt(active_file)
            self.domain_files[volume_id] = active_file
        return (self.domain_files.get(volume_id) or self.domain_active
                or read_info(self.share, volume_id)['active'])

    def _fmt(self, name):
        return 'qcow2' if '.' in name.split('volume-', 1)[1] else 'raw'

    def _img(self, *args):
        subprocess.run(('qemu-img',) + args, check=True, cwd=self.share,
                       capture_output=True)

    def _answer(self, snapshot_id, status, file_format):
        if self.outcome == 'silent':
            return
        if self.outcome == 'error':
            status, file_format = 'error', {}
        if self.before_answer is not None:
            self.before_answer(snapshot_id)
        self.answered += 1
        threading.Timer(0.05, self.manager.update_snapshot_status, args=(
            ADMIN, snapshot_id, status, '90%', file_format),
            kwargs={'reason': 'libvirt said no', 'quiesced': False}).start()

    def create_snapshot(self, volume_id, create_info):
        self.requests.append(('create', volume_id, create_info))
        if self.outcome in ('ok', 'lost'):
            self.domain_active = create_info['new_file']
        if self.outcome == 'lost':
            return
        self._answer(create_info['snapshot_id'], 'creating_compute_complete',
                     {create_info['new_file']: 'qcow2'})

    def create_snapshot_set(self, group_snapshot_id, members):
        """One transaction: every member switches (outcome 'ok', 'lost'),
        none does ('error', 'silent'), or only the first ('partial')."""
        self.requests.append(('create_set', group_snapshot_id, members))
        switched = members
        if self.outcome in ('error', 'silent'):
            switched = []
        elif self.outcome == 'partial':
            switched = members[:1]
        for member in switched:
            self.domain_files[member['volume_id']] = \
                member['create_info']['new_file']
        if self.outcome in ('lost', 'silent'):
            return
        status = ('creating_compute_complete' if self.outcome == 'ok'
                  else 'error')
        reported = {m['create_info']['snapshot_id']: {'file_format': {
            m['create_info']['new_file']: 'qcow2'}} for m in switched}
        self.answered += 1
        threading.Timer(0.05, self.manager.update_group_snapshot_status,
                        args=(ADMIN, group_snapshot_id, status, reported),
                        kwargs={'quiesced': True, 'freeze_seconds': 0.012,
                                'freeze_warning': False,
                                'reason': 'libvirt said no'}).start()

    def delete_snapshot(self, snapshot_id, delete_info):
        self.requests.append(('delete', snapshot_id, delete_info))
        top = delete_info['file_to_merge']
        target = delete_info['merge_target_file']
        volume_id = delete_info['volume_id']
        active = (self.domain_files.get(volume_id) or self.domain_active
                  or read_info(self.share, volume_id)['active'])
        if self.outcome == 'ok':
            if target == active:
                raise AssertionError('a commit into the active file')
            if target and top == active:    # active commit, then pivot
                self._img('commit', '-q', '-f', 'qcow2', '-d', top)
                self.domain_files[volume_id] = target
            elif target:    # blockCommit, then the file above re-pointed
                self._img('commit', '-q', '-f', 'qcow2', '-d', top)
                above = [n for n in os.listdir(self.share)
                         if n.startswith('volume-') and '.info' not in n
                         and self._fmt(n) == 'qcow2'
                         and json.loads(subprocess.run(
                             ['qemu-img', 'info', '-U', '-f', 'qcow2',
                              '--output=json', n], cwd=self.share,
                             capture_output=True, check=True).stdout).get(
                                 'backing-filename') == top]
                for name in above:
                    self._img('rebase', '-q', '-u', '-f', 'qcow2', '-b',
                              target, '-F', self._fmt(target), name)
            else:           # blockRebase: pull into the active file
                self._img('rebase', '-q', '-f', 'qcow2', '-b', top or '',
                          *(['-F', self._fmt(top)] if top else []), active)
        self._answer(snapshot_id, 'deleting_compute_complete',
                     {target or active: 'qcow2' if target is None
                      else self._fmt(target)})


class ManualWorkers:
    """Workers that run nothing until the test says so: ``run()`` runs
    the next spawned call here, ``start()`` in a thread of its own."""

    def __init__(self):
        self.calls = []
        self.threads = []

    def spawn(self, func, *args):
        self.calls.append((func, args))

    def run(self):
        func, args = self.calls.pop(0)
        return func(*args)

    def start(self):
        func, args = self.calls.pop(0)
        thread = threading.Thread(target=func, args=args, daemon=True)
        thread.start()
        self.threads.append(thread)
        return thread

    def stop(self, wait):
        for thread in self.threads:
            thread.join(60)
