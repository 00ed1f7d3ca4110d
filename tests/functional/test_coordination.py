"""Distributed volume locks on the test bed's etcd: two managers (two tooz
members, as on two hosts) never hold one volume's chain lock at once, and
the locks of a manager killed with SIGKILL are freed when their lease
runs out."""

import subprocess
import sys
import textwrap
import threading
import urllib.parse
import uuid

import etcd3gw
import pytest

from snapvol_api.runtime import coordination
from snapvol_volume import locks as locks_mod

# Seconds a dead member's locks outlive it (tooz's etcd3 lease). Small,
# so that the test takes seconds; tooz renews it every half of that.
LOCK_TIMEOUT = 3

# A manager on another host: takes the chain lock, says so, and works on.
HOLDER = textwrap.dedent('''
    import sys, time
    from snapvol_api.runtime import coordination
    from snapvol_volume import locks
    member = coordination.Coordinator(sys.argv[1], 'vol-c/' + sys.argv[2])
    member.start()
    with locks.Locks(member).chain(sys.argv[2]):
        print('held', flush=True)
        time.sleep(600)
''')


@pytest.fixture
def backend(etcd_url):
    return f'{etcd_url}?lock_timeout={LOCK_TIMEOUT}'


@pytest.fixture
def managers(backend):
    """The Locks of two managers, vol-a and vol-b."""
    members = [coordination.Coordinator(backend, f'{host}/{uuid.uuid4()}')
               for host in ('vol-a', 'vol-b')]
    for member in members:
        member.start()
    yield [locks_mod.Locks(member) for member in members]
    for member in members:
        member.stop()


def _etcd_lock(etcd_url, volume_id):
    """Whether etcd has a key for the volume's chain lock (under tooz's
    prefix)."""
    url = urllib.parse.urlsplit(etcd_url)
    client = etcd3gw.client(host=url.hostname, port=url.port)
    name = f'snapvol-volume-chain-{volume_id}'.encode()
    return any(meta['key'].endswith(name)
               for _, meta in client.get_prefix('/tooz/locks'))


def _take_in_thread(locks, volume_id, order, label, event):
    """Waits for the chain lock in a thread; on getting it records
    whether ``event`` was set by then."""
    def take():
        with locks.chain(volume_id):
            order.append(f'{label}: {event.is_set()}')

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    return thread


def test_one_chain_lock_in_the_cluster(etcd_url, managers):
    a, b = managers
    volume_id = str(uuid.uuid4())
    released = threading.Event()
    order = []
    with a.chain(volume_id):
        # In etcd, where a manager on another host sees it too.
        assert _etcd_lock(etcd_url, volume_id)
        with pytest.raises(locks_mod.Busy):
            with b.chain(volume_id, blocking=False):
                pass
        # Another volume's lock is free.
        with b.chain(str(uuid.uuid4()), blocking=False):
            pass
        waiter = _take_in_thread(b, volume_id, order, 'after release',
                                 released)
        waiter.join(1)
        assert waiter.is_alive() and order == []
        released.set()
    waiter.join(60)
    assert order == ['after release: True']
    assert not _etcd_lock(etcd_url, volume_id)


def test_a_killed_managers_lock_is_freed_by_its_lease(backend, managers):
    _, b = managers
    volume_id = str(uuid.uuid4())
    holder = subprocess.Popen([sys.executable, '-c', HOLDER, backend,
                               volume_id],
                              stdout=subprocess.PIPE, text=True)
    killed = threading.Event()
    order = []
    try:
        assert holder.stdout.readline() == 'held\n'
        waiter = _take_in_thread(b, volume_id, order, 'after kill', killed)
        # Longer than the lease: the holder's heartbeats keep its lock.
        waiter.join(LOCK_TIMEOUT + 1)
        assert waiter.is_alive() and order == []
        with pytest.raises(locks_mod.Busy):
            with b.chain(volume_id, blocking=False):
                pass
        killed.set()
        holder.kill()
        holder.wait(30)
        waiter.join(60)
        assert order == ['after kill: True']
    finally:
        holder.kill()
        holder.wait(30)
