"""os-reimage (3.68) and os-extend_volume_completion (3.71) on a running
snapvol-all, as python-cinderclient sends them: each reaches the volume
manager and is refused as Cinder refuses it, changing nothing. (The
completion of a real attached extend is proven by the manager's unit
tests: tests/unit/volume/test_extend_completion.py.)"""

import uuid

from cinderclient import exceptions as cinder_exc
import pytest

from . import harness


def test_reimage_and_extend_completion_are_refused(services):
    alice = services.client('alice', '3.71')
    admin = services.client('admin', '3.71')
    volume = alice.volumes.create(1)
    harness.wait_for_status(lambda: alice.volumes.get(volume.id),
                            'available')

    with pytest.raises(cinder_exc.BadRequest, match='image service'):
        alice.volumes.reimage(volume, str(uuid.uuid4()))
    with pytest.raises(cinder_exc.Forbidden):
        alice.volumes.extend_volume_completion(volume, False)
    # From the manager, over RPC: the volume is not extending.
    with pytest.raises(cinder_exc.BadRequest, match='extending'):
        admin.volumes.extend_volume_completion(volume.id, True)

    http = services.http('alice')
    action = 'volumes/%s/action' % volume.id
    for version, body in (
            ('3.67', {'os-reimage': {'image_id': str(uuid.uuid4())}}),
            ('3.70', {'os-extend_volume_completion': {'error': False}})):
        http.headers['OpenStack-API-Version'] = 'volume ' + version
        assert http.post(action, json=body).status_code == 404

    shown = alice.volumes.get(volume.id)
    assert (shown.status, shown.size) == ('available', 1)
    assert alice.messages.list() == []
