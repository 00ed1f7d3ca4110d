"""The shares of this manager: which one a new volume goes to, the chain
of a volume on its share, and the DB's record of that chain."""

import math

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_volume import locks as locks_mod

LOG = logging.getLogger(__name__)

GiB = 1024 ** 3


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

    def _room(self, share, size, capacity):
        """None when ``share``, of ``capacity`` (total, free) bytes, can
        take ``size`` more GiB of volumes, by Cinder's capacity rule for
        thin files; else why not (in words that name no share: users read
        them)."""
        total, free = capacity
        total_gb, free_gb = total / GiB, free / GiB
        free_gb -= math.floor(total_gb * CONF.volume.reserved_percentage
                              / 100)
        provisioned = self._db.share_provisioned_gigabytes(share.name)
        ratio = CONF.volume.max_over_subscription_ratio
        if total_gb <= 0 or (provisioned + size) / total_gb > ratio:
            return ('the share already holds %d GiB of volumes on %.0f GiB '
                    'of space, and at most %g times its space may be given '
                    'out (max_over_subscription_ratio)'
                    % (provisioned, total_gb, ratio))
        if free_gb * ratio < size:
            return ('the share has %.1f GiB free beyond the %d%% it keeps '
                    'in reserve, and at most %g times that may be given out'
                    % (max(free_gb, 0), CONF.volume.reserved_percentage,
                       ratio))
        return None

    def pick(self, size, among=None):
        """The usable share with the most free space that has room for
        ``size`` GiB (InsufficientCapacity when none has; NoValidShare
        when none is usable), of the shares named ``among`` when given
        (those a volume type allows)."""
        usable = []
        for share in self.drivers.values():
            if among is not None and share.name not in among:
                continue
            try:
                share.ensure_mounted()
                total, free = share.capacity()
                usable.append((free, share.name, total, share))
            except exception.SnapvolException as e:
                LOG.warning('Share %s is unusable: %s', share.name, e)
        if not usable:
            raise exception.NoValidShare(size=size)
        refusal = None
        for free, _name, total, share in sorted(usable, reverse=True):
            reason = self._room(share, size, (total, free))
            if reason is None:
                return share
            LOG.info('Share %s has no room for %d GiB: %s', share.name,
                     size, reason)
            refusal = refusal or reason
        raise exception.InsufficientCapacity(size=size, reason=refusal)

    def check_room(self, volume, growth):
        """InsufficientCapacity unless the volume's share can take
        ``growth`` more GiB (an extend)."""
        share = self.of(volume)
        reason = self._room(share, growth, share.capacity())
        if reason is not None:
            raise exception.InsufficientCapacity(size=growth, reason=reason)

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
