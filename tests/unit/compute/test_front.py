"""The compute API's front: it reads instances and their hosts' state
from the database itself, so a call about an instance whose host is down
is refused at once even when no compute manager answers at all."""

import oslo_messaging as messaging
import pytest

from snapvol_api import context
from snapvol_api import states
from snapvol_compute import front
from tests.unit.compute.conftest import add_instance
from tests.unit.compute.conftest import beat


class NoManager:
    """The compute managers, none of which answers."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        def call(*args, **kwargs):
            self.calls.append(name)
            raise messaging.MessagingTimeout('no answer')
        return call


def test_reads_need_no_compute_manager(db):
    beat(db, host='node1')
    instance = add_instance(db, host='node1')
    rpc = NoManager()
    api = front.build(rpc, db)
    admin = context.get_admin_context()
    found = api.get_instance(admin, instance.id)
    assert (found['id'], found['host_status']) == (instance.id,
                                                    states.HOST_UP)
    assert [i['id'] for i in api.list_instances(admin)] == [instance.id]
    assert rpc.calls == []
    # What is not a read still goes to the managers.
    with pytest.raises(messaging.MessagingTimeout):
        api.stop_instance(admin, 'node1', instance.id)
    assert rpc.calls == ['stop_instance']
