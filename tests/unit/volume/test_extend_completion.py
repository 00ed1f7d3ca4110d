"""os-extend_volume_completion (Cinder 3.71) through the manager, on
SQLite and qemu-img: upstream Nova's report on the extend of an attached
volume reaches the worker that waits for the compute service, and the
first report on an extend is the one recorded."""

import os
import threading
import uuid

import pytest

from snapvol_api import context
from snapvol_api import exception
from snapvol_api import states
from snapvol_volume import assisted as assisted_mod
from snapvol_volume.db import api as db
from tests.unit.volume.helpers import ADMIN
from tests.unit.volume.helpers import ALICE
from tests.unit.volume.helpers import BOB
from tests.unit.volume.helpers import create_volume
from tests.unit.volume.helpers import read_info
from tests.unit.volume.helpers import wait_status
from tests.unit.volume.helpers import wait_until

GiB = 1024 ** 3

# Upstream Nova calls as a user of its own project with the service role.
NOVA = context.RequestContext(user_id='nova', project_id='service',
                              roles=['service'])


@pytest.fixture
def attached(manager):
    volume = create_volume(manager)
    manager.attach_volume(ADMIN, volume['id'], 'inst', 'h', '/dev/vdb')
    return volume


@pytest.fixture
def held(compute, monkeypatch):
    """Our compute service's answer to an extend waits for ``release``
    (set it); ``answered`` is set once it answered."""
    release, answered = threading.Event(), threading.Event()
    grow = compute.extend_volume

    def extend_volume(*args):
        assert release.wait(60)
        try:
            grow(*args)
        finally:
            answered.set()
    monkeypatch.setattr(compute, 'extend_volume', extend_volume)
    yield release, answered
    release.set()


def _waiting(manager, volume_id):
    key = assisted_mod.extend_key(volume_id)
    wait_until(lambda: manager.assisted.reports.awaits(key),
               'the worker waiting for a report on the extend')


def _volume(manager, volume_id):
    return manager.get_volume(ALICE, volume_id)


def test_novas_completion_ends_the_wait_and_ours_changes_nothing(
        manager, attached, held, share, compute, caplog):
    release, answered = held
    manager.extend_volume(ALICE, attached['id'], 2, attached=True)
    _waiting(manager, attached['id'])
    shown = manager.complete_volume_extend(NOVA, attached['id'], False)
    assert shown['id'] == attached['id']
    # Recorded by the worker while our compute service still says
    # nothing.
    wait_status(lambda: _volume(manager, attached['id']), 'in-use')
    assert _volume(manager, attached['id'])['size'] == 2
    assert db.volume_get(attached['id']).extend_to is None
    assert not answered.is_set()
    release.set()
    assert answered.wait(60)
    wait_until(lambda: 'after upstream Nova reported it' in caplog.text,
               'the late answer logged')
    assert _volume(manager, attached['id'])['size'] == 2
    assert _volume(manager, attached['id'])['status'] == 'in-use'
    active = os.path.join(share, read_info(share, attached['id'])['active'])
    assert os.path.getsize(active) == 2 * GiB
    assert not [r for r in caplog.records if r.levelname == 'ERROR']
    # The extend is over: another completion is refused.
    with pytest.raises(exception.InvalidVolumeStatus):
        manager.complete_volume_extend(NOVA, attached['id'], False)


def test_novas_failure_keeps_the_size_and_tells_the_project(
        manager, attached, held):
    release, answered = held
    manager.extend_volume(ALICE, attached['id'], 3, attached=True)
    _waiting(manager, attached['id'])
    manager.complete_volume_extend(ADMIN, attached['id'], True)
    wait_status(lambda: _volume(manager, attached['id']), 'in-use')
    volume = db.volume_get(attached['id'])
    assert (volume.size, volume.extend_to) == (1, None)
    # The message follows the status.
    wait_until(lambda: manager.list_messages(ALICE, {}, None, None, [],
                                             None), 'the user message')
    messages = manager.list_messages(ALICE, {}, None, None, [], None)
    assert [m['user_message'] for m in messages] == [
        'extend volume: The hypervisor of the instance the volume is '
        'attached to failed the operation.']
    assert messages[0]['resource_uuid'] == attached['id']
    # The quota counts the size it has, not the size asked.
    usage = manager.get_quotas(ALICE, ALICE.project_id, True)
    assert usage['gigabytes']['in_use'] == 1
    release.set()
    assert answered.wait(60)
    assert _volume(manager, attached['id'])['size'] == 1


def test_our_compute_services_answer_first_wins(manager, attached):
    """Without upstream Nova the extend ends as before; a completion
    that comes after it is refused."""
    manager.extend_volume(ALICE, attached['id'], 2, attached=True)
    wait_status(lambda: _volume(manager, attached['id']), 'in-use')
    assert _volume(manager, attached['id'])['size'] == 2
    with pytest.raises(exception.InvalidVolumeStatus):
        manager.complete_volume_extend(NOVA, attached['id'], True)
    assert _volume(manager, attached['id'])['size'] == 2
    assert manager.list_messages(ALICE, {}, None, None, [], None) == []


def test_a_report_after_the_first_changes_nothing(manager, attached):
    """The window between the first report and the worker taking it."""
    volume = db.volume_get(attached['id'])
    reports = manager.assisted.reports
    key = assisted_mod.extend_key(volume.id)
    reports.expect(key)
    assert reports.deliver(key, {'error': False, 'reason': None})
    assert manager.assisted.receive_extend(volume, True) is False
    assert reports.wait(key, 1) == {'error': False, 'reason': None}
    assert not reports.awaits(key)


def test_completion_is_refused_unless_a_worker_waits_for_it(manager,
                                                            attached):
    volume_id = attached['id']
    with pytest.raises(exception.InvalidVolumeStatus, match='extending'):
        manager.complete_volume_extend(NOVA, volume_id, False)
    # Extending with no new size recorded; then with one, but no worker
    # waits for a compute service (as a detached volume grows here).
    db.volume_transition(volume_id, states.EXTENDING,
                         values={'owner': 'someone'})
    with pytest.raises(exception.InvalidVolume, match='no new size'):
        manager.complete_volume_extend(NOVA, volume_id, False)
    db.volume_update(volume_id, {'extend_to': 2})
    with pytest.raises(exception.InvalidVolume, match='waits for no'):
        manager.complete_volume_extend(ADMIN, volume_id, False)
    volume = db.volume_get(volume_id)
    assert (volume.status, volume.size, volume.extend_to) == (
        'extending', 1, 2)
    with pytest.raises(exception.VolumeNotFound):
        manager.complete_volume_extend(NOVA, str(uuid.uuid4()), False)


@pytest.mark.parametrize('ctxt', [ALICE, BOB])
def test_only_administrators_and_compute_services_complete(manager,
                                                           attached, ctxt):
    with pytest.raises(exception.Forbidden):
        manager.complete_volume_extend(ctxt, attached['id'], False)
