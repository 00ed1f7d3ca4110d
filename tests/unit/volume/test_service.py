"""The volume service starts serving RPC only after recovery has decided
what it resumes and holds those volumes."""

from oslo_messaging import opts as messaging_opts

from snapvol_api import rpc
from snapvol_volume import service


class FakeManager:

    target = service.manager_mod.VolumeManager.target

    def __init__(self, events):
        self.events = events

    def init_host(self):
        self.events.append('recovery planned')

    def periodic_tasks(self):
        self.events.append('takeover')

    def stop(self):
        self.events.append('manager stopped')


class FakeServer:

    def __init__(self, events):
        self.events = events

    def start(self):
        self.events.append('serving')

    def stop(self):
        self.events.append('not serving')

    def wait(self):
        pass


def test_recovery_is_planned_before_rpc_is_served(conf):
    """And the periodic takeover of dead members' work begins once it
    serves, and ends before it stops serving."""
    for group, opts in messaging_opts.list_opts():
        if group is None:
            conf.register_opts(opts)
    conf.config(transport_url='fake:')
    rpc.init(conf.conf)
    try:
        events = []
        svc = service.VolumeService(manager=FakeManager(events))
        svc.servers = [FakeServer(events)]
        svc.start()
        svc.stop()
    finally:
        rpc.cleanup()
    assert events == ['recovery planned', 'serving', 'takeover',
                      'not serving', 'manager stopped']


def test_the_bootstrap_takes_the_compute_client(conf):
    compute = object()
    manager = service.build_manager(compute=compute, share_drivers={})
    try:
        assert manager.assisted.compute is compute
    finally:
        manager.stop()
