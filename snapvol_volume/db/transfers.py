"""Volume transfers in the volume database: each step one transaction,
so a volume is never half moved between projects."""

import sqlalchemy as sa

from snapvol_api import exception
from snapvol_api import states
from snapvol_volume.db import common
from snapvol_volume.db import models
from snapvol_volume.db import quotas
from snapvol_volume.db import volumes

TRANSFER_SORT_KEYS = ('id', 'name', 'volume_id', 'created_at', 'updated_at')


def _not_found(transfer_id):
    return exception.TransferNotFound(transfer_id=transfer_id)


def transfer_get(transfer_id, project_id=None):
    """A transfer not yet accepted or deleted, of ``project_id`` (the
    project offering it) when given; else TransferNotFound."""
    with common.session() as session:
        return common.get(session, models.Transfer, transfer_id,
                          project_id, _not_found(transfer_id))


def transfer_get_all(filters=None, marker=None, limit=None, sort=None,
                     offset=None):
    return common.get_all(models.Transfer, TRANSFER_SORT_KEYS, filters,
                          marker, limit, sort, offset)


def _snapshots_of(session, volume_id):
    return list(session.scalars(
        sa.select(models.Snapshot)
        .where(models.Snapshot.volume_id == volume_id,
               models.Snapshot.deleted.is_(False))))


def transfer_create(values):
    """A new transfer of the available volume ``values['volume_id']``,
    which becomes awaiting-transfer in the same transaction (else
    InvalidVolumeStatus, and nothing is made)."""
    def create(session):
        volumes.volume_transition_in(session, values['volume_id'],
                                     states.AWAITING_TRANSFER,
                                     expected=[states.AVAILABLE])
        transfer = models.Transfer(**values)
        session.add(transfer)
        return transfer
    return transfer_get(common.transaction(create).id)


@common.retrying
def transfer_delete(transfer_id, project_id=None):
    """Forgets the transfer; its volume is available again."""
    with common.session() as session:
        transfer = common.get(session, models.Transfer, transfer_id,
                              project_id, _not_found(transfer_id))
        transfer.deleted, transfer.deleted_at = True, models.utcnow()
        volumes.volume_transition_in(session, transfer.volume_id,
                                     states.AVAILABLE,
                                     expected=[states.AWAITING_TRANSFER])


def transfer_accept(transfer_id, project_id, user_id, limits):
    """The transfer's volume, with its snapshots, becomes ``project_id``'s
    (available again), if that project's quota ``limits`` allow them
    (else OverQuota) and, for a ``no_snapshots`` transfer, there are none
    (else SnapshotsCannotStay); the transfer is then accepted, with its
    ``destination_project_id``, and gone. One
    transaction: two accepts of one transfer cannot both win (the loser
    gets TransferNotFound). Returns the transfer."""
    transfer = transfer_get(transfer_id)
    volume = volumes.volume_get(transfer.volume_id)
    quotas.prepare(project_id)

    def accept(session):
        taken = session.execute(
            sa.update(models.Transfer)
            .where(models.Transfer.id == transfer_id,
                   models.Transfer.deleted.is_(False))
            .values(accepted=True, deleted=True,
                    deleted_at=models.utcnow(),
                    destination_project_id=project_id)).rowcount
        if not taken:
            raise _not_found(transfer_id)
        snapshots = _snapshots_of(session, volume.id)
        if transfer.no_snapshots and snapshots:
            raise exception.SnapshotsCannotStay(volume_id=volume.id,
                                                count=len(snapshots))
        quotas.check(session, project_id, limits, volumes=1,
                     snapshots=len(snapshots), size=volume.size,
                     gigabytes=volume.size + sum(s.volume_size
                                                 for s in snapshots))
        volumes.volume_transition_in(
            session, volume.id, states.AVAILABLE,
            expected=[states.AWAITING_TRANSFER],
            values={'project_id': project_id, 'user_id': user_id})
        session.execute(
            sa.update(models.Snapshot)
            .where(models.Snapshot.volume_id == volume.id,
                   models.Snapshot.deleted.is_(False))
            .values(project_id=project_id, user_id=user_id))
    common.transaction(accept)
    with common.session() as session:
        return session.get(models.Transfer, transfer_id)
