"""Makes sure a failed quiesce does not leave a guest frozen.

libvirt gives up on an agent that does not answer in time, but the freeze
it sent stays queued: a stopped agent that wakes up runs it and freezes the
guest although the snapshot was reported as failed. So after any quiesce
failure the guest is asked to thaw, again and again until its agent
answers (the thaw then comes after the late freeze) or the operator's
[compute] thaw_retry_timeout has passed.
"""

import threading
import time

from oslo_concurrency import lockutils
from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api.conf import CONF

LOG = logging.getLogger(__name__)

RETRY_INTERVAL = 2


def agent_lock(instance_id):
    """Held around everything that talks to one guest's agent: a thaw must
    not land between the freeze and the snapshot of a quiesced create."""
    return lockutils.lock('guest-agent-%s' % instance_id)


class ThawWatch:

    def __init__(self):
        self._watched = set()
        self._mutex = threading.Lock()

    def start(self, guest):
        """Thaws ``guest`` in the background (the caller need not wait
        for an agent that may not answer for a long time)."""
        with self._mutex:
            if guest.uuid in self._watched:
                return
            self._watched.add(guest.uuid)
        threading.Thread(target=self._watch, args=(guest,), daemon=True,
                         name='thaw-%s' % guest.uuid[:8]).start()

    def _watch(self, guest):
        deadline = time.monotonic() + CONF.compute.thaw_retry_timeout
        try:
            if self._thaw(guest):
                return
            LOG.warning('The guest agent of %s does not answer; asking it '
                        'to thaw for up to %d s', guest.uuid,
                        CONF.compute.thaw_retry_timeout)
            while time.monotonic() < deadline:
                time.sleep(RETRY_INTERVAL)
                if self._thaw(guest):
                    return
            LOG.error('The guest agent of %s never answered a thaw in %d '
                      's; its filesystems may be frozen', guest.uuid,
                      CONF.compute.thaw_retry_timeout)
        finally:
            with self._mutex:
                self._watched.discard(guest.uuid)

    @staticmethod
    def _thaw(guest):
        """True once the agent answered a thaw."""
        try:
            with agent_lock(guest.uuid):
                thawed = guest.fs_thaw()
        except exception.QuiesceFailed as e:
            LOG.debug('Thawing %s: %s', guest.uuid, e)
            return False
        except (exception.HypervisorError, exception.InstanceNotFound) as e:
            # Not running or gone: nothing is frozen.
            LOG.info('Not thawing %s: %s', guest.uuid, e)
            return True
        if thawed:
            LOG.warning('%s was left frozen by a late freeze; thawed %d '
                        'filesystem(s)', guest.uuid, thawed)
        else:
            LOG.info('%s is not frozen', guest.uuid)
        return True
