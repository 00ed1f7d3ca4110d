"""Volume transfers (Cinder's os-volume-transfer): a project offers an
available volume; another project that presents the auth key takes it,
with its snapshots (they are files of its chain, so they cannot stay
behind), within its own quota. A ``no_snapshots`` transfer (3.55) is
therefore only made of a volume without snapshots.

The key is shown once, at create; only a salted hash of it is kept, and
a presented key is compared in constant time.
"""

import hashlib
import hmac
import secrets

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api import states
from snapvol_volume import scope

LOG = logging.getLogger(__name__)

# Cinder's: 16 characters.
AUTH_KEY_BYTES = 8


def _hash(salt, auth_key):
    return hashlib.sha256((salt + auth_key).encode()).hexdigest()


class Transfers:

    def __init__(self, db, locks, quotas):
        self._db = db
        self._locks = locks
        self._quotas = quotas

    def create(self, ctxt, volume_id, name, no_snapshots=False):
        """(the transfer, its auth key); the volume is awaiting-transfer
        until the transfer is accepted or deleted."""
        volume = scope.volume(self._db, ctxt, volume_id)
        with self._locks.state(volume.id):
            volume = self._db.volume_get(volume.id)
            if volume.group_id:
                raise exception.InvalidVolume(
                    reason='volume %s is in group %s; remove it first'
                           % (volume.id, volume.group_id))
            snapshots = self._db.snapshot_get_all_for_volume(volume.id)
            if snapshots and no_snapshots:
                raise exception.SnapshotsCannotStay(volume_id=volume.id,
                                                    count=len(snapshots))
            busy = [s.id for s in snapshots if s.status != states.AVAILABLE]
            if busy:
                raise exception.InvalidVolume(
                    reason='snapshot(s) %s of volume %s are not available'
                           % (', '.join(busy), volume.id))
            auth_key = secrets.token_hex(AUTH_KEY_BYTES)
            salt = secrets.token_hex(AUTH_KEY_BYTES)
            transfer = self._db.transfer_create({
                'volume_id': volume.id, 'name': name,
                'project_id': volume.project_id, 'salt': salt,
                'crypt_hash': _hash(salt, auth_key),
                'no_snapshots': bool(no_snapshots)})
        LOG.info('Volume %s offered for transfer (%s) by %s', volume.id,
                 transfer.id, ctxt.user_id)
        return transfer, auth_key

    def accept(self, ctxt, transfer_id, auth_key):
        """The volume and its snapshots become the caller's project's
        (a ``no_snapshots`` transfer's volume must still have none)."""
        transfer = self._db.transfer_get(transfer_id)
        if not hmac.compare_digest(_hash(transfer.salt, auth_key),
                                   transfer.crypt_hash):
            raise exception.InvalidAuthKey(
                reason='attempt to transfer %s with an invalid auth key'
                       % transfer_id)
        with self._locks.state(transfer.volume_id):
            transfer = self._db.transfer_accept(
                transfer_id, ctxt.project_id, ctxt.user_id,
                self._quotas.limits(ctxt.project_id))
        LOG.info('Volume %s transferred from project %s to %s',
                 transfer.volume_id, transfer.project_id, ctxt.project_id)
        return transfer

    def delete(self, ctxt, transfer_id):
        transfer = self._db.transfer_get(transfer_id, scope.project(ctxt))
        with self._locks.state(transfer.volume_id):
            self._db.transfer_delete(transfer.id)
        LOG.info('Transfer %s of volume %s deleted', transfer.id,
                 transfer.volume_id)
