"""The shares of this manager: which one a new volume goes to, the chain
of a volume on its share, and the DB's record of that chain."""

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_volume import locks as locks_mod

LOG = logging.getLogger(__name__)


class Shares:

    def __init__(self, drivers, db, locks, host):
        """``drivers``: {share name: share driver}."""
        self.drivers = drivers
        self._db = db
        self._locks = locks
        self._host = host

    def mount_all(self):
        """Mounts what it can: a share that is down now must not keep the
        others from serving; pick() and every chain operation try it
        again."""
        for share in self.drivers.values():
            try:
                share.ensure_mounted()
            except exception.SnapvolException as e:
                LOG.error('Share %s cannot be mounted now: %s', share.name, e)

    def of(self, volume):
        """The volume's share, mounted: a share that was down at start-up
        or whose mount went stale is mounted (again) here, and a share
        that stays down fails the request instead of letting it act on
        the empty mount point."""
        try:
            share = self.drivers[volume.share]
        except KeyError:
            raise exception.ShareUnavailable(
                share=volume.share, reason='it is not configured on host %s'
                                           % self._host)
        share.ensure_mounted()
        return share

    def pick(self, size):
        """The usable share with the most free space."""
        usable = []
        for share in self.drivers.values():
            try:
                share.ensure_mounted()
                usable.append((share.free_bytes(), share.name, share))
            except exception.SnapvolException as e:
                LOG.warning('Share %s is unusable: %s', share.name, e)
        if not usable:
            raise exception.NoValidShare(size=size)
        return max(usable)[2]

    def chain(self, volume):
        """The volume's VolumeChain, with the formats the DB records."""
        return self.of(volume).chain(volume.id,
                                     self._db.volume_files(volume.id))

    def record(self, volume_id, chain):
        """Makes the DB record exactly the files the info store uses, with
        their formats, and its active file. Under the chain lock."""
        data, layers = chain.walk()
        in_use = {layer.name for layer in layers}
        recorded = self._db.volume_files(volume_id)
        for name in set(recorded) - in_use:
            self._db.volume_file_delete(volume_id, name)
        for name in in_use:
            if recorded.get(name) != chain.formats[name]:
                self._db.volume_file_set(volume_id, name, chain.formats[name])
        self._db.volume_update(volume_id, {'active_file': data['active']})

    def check_now(self, volume):
        """Refuses a request on a chain that is unsafe, unless a worker (or
        recovery) is busy with it: it checks again before it changes
        anything."""
        try:
            with self._locks.chain(volume.id, blocking=False):
                self.chain(volume).check()
        except locks_mod.Busy:
            pass
