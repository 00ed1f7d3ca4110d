"""What the compute service asks when it attaches a volume: where its
active file is, and the record of the attachment."""

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api import states
from snapvol_volume import scope

LOG = logging.getLogger(__name__)


class Attachments:

    def __init__(self, db, shares, locks):
        self._db = db
        self._shares = shares
        self._locks = locks

    def connection(self, ctxt, volume_id, connector):
        """Where the active file is (seed 000 "Volume Attach"): its share
        and name from the info store, and its recorded format. The compute
        host decides how QEMU reaches it."""
        volume = scope.volume(self._db, ctxt, volume_id)
        if volume.status not in (states.AVAILABLE, states.IN_USE):
            raise exception.InvalidVolumeStatus(
                volume_id=volume.id, status=volume.status,
                expected='available, in-use')
        share = self._shares.of(volume)
        chain = self._shares.chain(volume)
        active = chain.read_info()['active']
        LOG.info('Connection to volume %s for %s: %s on %s', volume.id,
                 connector.get('host'), active, share.name)
        data = {'export': share.location, 'name': active,
                'format': chain.formats[active]}
        if share.options:
            # A share line's own mount options hold on the compute host
            # too (Nova's NFS volume driver reads them from 'options').
            data['options'] = share.options
        return {'driver_volume_type': share.kind, 'data': data}

    def attach(self, ctxt, volume_id, instance_id, host, device):
        """Reserves the volume for an instance, before the compute host
        asks where its active file is: from now on snapshots of it go
        through the compute service."""
        volume = scope.volume(self._db, ctxt, volume_id)
        with self._locks.state(volume.id):
            volume = self._db.volume_attach(volume.id, instance_id, host,
                                            device)
        LOG.info('Volume %s is attached to %s on %s as %s', volume_id,
                 instance_id, host, device)
        return volume

    def detach(self, ctxt, volume_id, instance_id):
        volume = scope.volume(self._db, ctxt, volume_id)
        with self._locks.state(volume.id):
            volume = self._db.volume_detach(volume.id, instance_id)
        LOG.info('Volume %s is detached from %s', volume_id, instance_id)
        return volume
