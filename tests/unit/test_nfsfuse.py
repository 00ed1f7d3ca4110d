"""snapvol-nfs-fuse without a server: its -o (libfuse options, its own,
and the kernel client's, which it ignores) and its connection pool."""

import logging
import threading

from snapvol_api.runtime import nfsfuse
from snapvol_api.runtime import nfspool


def test_defaults_keep_permissions_enforced_and_nothing_cached():
    fuse, ours = nfsfuse.parse_options('')
    assert fuse['default_permissions'] and fuse['allow_other']
    assert fuse['attr_timeout'] == 0 and ours == {}


def test_client_options_are_taken_out_and_typed():
    fuse, ours = nfsfuse.parse_options(
        'retry_timeout=60,connections=8,operation_timeout=5.5,noallow_other,'
        'max_read=131072')
    assert ours == {'retry_timeout': 60.0, 'connections': 8,
                    'operation_timeout': 5.5}
    assert 'allow_other' not in fuse and fuse['max_read'] == '131072'
    assert not set(ours) & set(fuse)


def test_kernel_nfs_options_are_ignored_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger=nfsfuse.LOG.name):
        fuse, ours = nfsfuse.parse_options(
            'vers=4.1,hard,timeo=600,noac,nolock,_netdev,connections=2,ro')
    assert fuse == dict(nfsfuse.DEFAULT_OPTIONS, ro=True)
    assert ours == {'connections': 2}
    assert 'vers=4.1,hard,timeo=600,noac,nolock,_netdev' in caplog.text



class _Client:
    def __init__(self):
        self.closed = threading.Event()

    def close(self):
        self.closed.set()


def test_connections_idle_through_a_failure_are_replaced(monkeypatch):
    """After one connection fails (a server restart), the others, idle
    meanwhile, are connected again before use, not asked and stalled."""
    pool = nfspool.Pool('nfs://h/e', size=2, retry_timeout=5)
    made = []
    monkeypatch.setattr(pool, 'connect',
                        lambda: made.append(_Client()) or made[-1])

    def both_lent(fn):
        """fn's result on the connection lent while another is held."""
        held, release = threading.Event(), threading.Event()
        holder = threading.Thread(target=pool.call, args=(
            lambda c: held.set() or release.wait(5),))
        holder.start()
        held.wait(5)
        try:
            return pool.call(fn)
        finally:
            release.set()
            holder.join(5)

    both_lent(lambda c: c)
    assert len(made) == 2
    failed = []

    def fails_once(client):
        if not failed:
            failed.append(client)
            raise nfspool.nfs_rs.NfsConnectionError(message='server gone')
        return client

    assert pool.call(fails_once) is made[2]
    assert failed[0].closed.wait(5)
    idle = ({made[0], made[1]} - {failed[0]}).pop()
    assert not idle.closed.is_set()
    assert both_lent(lambda c: c) is made[3]
    assert idle.closed.wait(5)
    # Connected after the failure: kept.
    assert not made[2].closed.is_set() and not made[3].closed.is_set()
