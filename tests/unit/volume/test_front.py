"""The volume API's front: reads without a manager, and acknowledgements
that tell the truth when the manager does not answer (the ledger)."""

import datetime
import functools

from oslo_context import context as oslo_context
import oslo_messaging as messaging
import pytest

from snapvol_api import context
from snapvol_api import exception
from snapvol_api.rpc import volume_rpcapi
from snapvol_api.runtime import heartbeat
from snapvol_volume import front
from snapvol_volume import services
from snapvol_volume.db import api as db
from tests.unit.volume.helpers import create_volume
from tests.unit.volume.helpers import wait_status


def alice(global_request_id=None):
    """A request of alice's, as the API makes one: an id of its own, and
    the client's X-OpenStack-Request-ID when it sent one."""
    return context.RequestContext(
        user_id='alice', project_id='proj-a',
        request_id=oslo_context.generate_request_id(),
        global_request_id=global_request_id, overwrite=False)


class Manager:
    """The volume managers as the API reaches them: through RPC, which
    may lose the call before (``lost``) or the answer after (``silent``)
    the manager ran it."""

    def __init__(self, manager, server=None, calls=None, sent=None):
        self.manager = manager
        self.server = server
        self.fault = None
        self.calls = [] if calls is None else calls
        # What each call carried: (ctxt, args, kwargs).
        self.sent = [] if sent is None else sent

    def at(self, server):
        at = Manager(self.manager, server, self.calls, self.sent)
        at.fault = self.fault
        return at

    def deliver_late(self, name):
        """The last call, as it reaches a manager after all."""
        ctxt, args, kwargs = self.sent[-1]
        return getattr(self.manager, name)(ctxt, *args, **kwargs)

    def __getattr__(self, name):
        # The client's own signature: the front reads what a call is
        # about from it.
        @functools.wraps(getattr(volume_rpcapi.VolumeAPI(client=object()),
                                 name))
        def call(ctxt, *args, **kwargs):
            self.calls.append((name, self.server))
            self.sent.append((ctxt, args, kwargs))
            if self.fault == 'lost':
                raise messaging.MessagingTimeout('no answer')
            answer = getattr(self.manager, name)(ctxt, *args, **kwargs)
            if self.fault == 'silent':
                raise messaging.MessagingTimeout('no answer')
            return answer
        return call


@pytest.fixture
def rpc(manager):
    # The manager's run is up in the services table.
    db.service_heartbeat('unit-host', services.BINARY, None, None, 'nova',
                         manager.snapshots.owner.split('/', 1)[1])
    return Manager(manager)


@pytest.fixture
def api(conf, rpc):
    return front.build(rpc)


@pytest.fixture
def volume(manager):
    return create_volume(manager)


def snapshots_of(volume_id):
    return [s.id for s in db.snapshot_get_all_for_volume(volume_id)]


def test_reads_need_no_manager(api, rpc, volume):
    rpc.fault = 'lost'
    assert api.get_volume(alice(), volume['id'])['id'] == volume['id']
    assert [v['id'] for v in api.list_volumes(alice(), {}, None, None, [],
                                              None)] == [volume['id']]
    assert rpc.calls == []


def test_no_answer_but_recorded_is_accepted(api, rpc, volume):
    rpc.fault = 'silent'
    snapshot = api.create_snapshot(alice(), volume['id'], 's')
    assert snapshots_of(volume['id']) == [snapshot['id']]
    rpc.fault = None
    wait_status(lambda: api.get_snapshot(alice(), snapshot['id']),
                'available')


def test_no_answer_and_not_recorded_is_refused_for_good(api, rpc, manager,
                                                         volume):
    ctxt = alice()
    rpc.fault = 'lost'
    with pytest.raises(exception.VolumeServiceUnavailable):
        api.create_snapshot(ctxt, volume['id'], 's')
    # The call reaches the manager after the API gave up: nothing is made.
    with pytest.raises(exception.RequestAbandoned):
        rpc.deliver_late('create_snapshot')
    assert snapshots_of(volume['id']) == []


def test_a_retried_create_makes_one_snapshot(api, rpc, volume):
    client_id = oslo_context.generate_request_id()
    first = api.create_snapshot(alice(client_id), volume['id'], 's')
    # The same request again (the client did not get the answer), as a
    # manager sees it when two race, and as the API sees it.
    raced = rpc.deliver_late('create_snapshot')
    again = api.create_snapshot(alice(client_id), volume['id'], 's')
    assert first['id'] == again['id'] == raced['id']
    assert snapshots_of(volume['id']) == [first['id']]
    # Another request, or one of the same session (the same id) that asks
    # for something else, is new.
    other = api.create_snapshot(alice(), volume['id'], 's')
    named = api.create_snapshot(alice(client_id), volume['id'], 'another')
    assert len({first['id'], other['id'], named['id']}) == 3


def test_a_delete_without_an_answer_is_the_truth(api, rpc, volume):
    snapshot = api.create_snapshot(alice(), volume['id'], 's')
    wait_status(lambda: api.get_snapshot(alice(), snapshot['id']),
                'available')
    rpc.fault = 'lost'
    with pytest.raises(exception.VolumeServiceUnavailable):
        api.delete_snapshot(alice(), snapshot['id'])
    assert api.get_snapshot(alice(), snapshot['id'])['status'] == \
        'available'
    rpc.fault = 'silent'
    assert api.delete_snapshot(alice(), snapshot['id']) is None
    wait_status(lambda: api.get_snapshot(alice(), snapshot['id']), 'gone')


def test_no_live_manager_fails_at_once(api, rpc, volume, monkeypatch):
    later = heartbeat.utcnow() + datetime.timedelta(seconds=61)
    monkeypatch.setattr(heartbeat, 'utcnow', lambda: later)
    with pytest.raises(exception.VolumeServiceUnavailable) as raised:
        api.create_snapshot(alice(), volume['id'], 's')
    assert 'host unit-host' in str(raised.value)
    assert rpc.calls == []
    assert snapshots_of(volume['id']) == []


def test_calls_about_a_volume_go_to_its_managers(api, rpc, volume, conf):
    api.create_snapshot(alice(), volume['id'], 's')
    api.update_volume(alice(), volume['id'], {'name': 'renamed'})
    api.create_volume(alice(), 1)
    assert rpc.calls == [('create_snapshot', 'unit-host'),
                         ('update_volume', 'unit-host'),
                         ('create_volume', None)]
    # In a cluster, any member of the volume's.
    db.volume_update(volume['id'], {'cluster_name': 'shared-1'})
    db.service_heartbeat('unit-host', services.BINARY, None, 'shared-1',
                         'nova', rpc.manager.snapshots.owner.split('/')[1])
    api.extend_volume(alice(), volume['id'], 2)
    assert rpc.calls[-1] == ('extend_volume', 'shared-1')
