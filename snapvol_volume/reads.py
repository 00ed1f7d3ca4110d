"""Reads of a volume's data at a point in time (backups, exports), and
what they forbid while they run.

A read marks what it reads (``snapvol_volume.db.backups``): the snapshot
becomes backing-up, or the volume backing-up (a backup) or uploading (an
export). A snapshot's point in time is the chain below its overlay: the
files of it and of every older snapshot. Deleting the snapshot read, or
an older one, would merge files the read goes through, so it is refused
(409) while the mark stands; a read of the volume's current data goes
through every file, and refuses every snapshot delete. Deleting a newer
snapshot changes only files above, and goes on.

Reads begin under the volume's state lock, as deletes are checked
(``Snapshots.delete``), and the read's own transaction refuses to begin
while a merge below its point in time is in flight.
"""

from snapvol_api import exception
from snapvol_api import states

VOLUME_READS = (states.BACKING_UP, states.UPLOADING)


def refuse_delete(db, snapshot):
    """BeingRead while a read needs the files a delete of ``snapshot``
    would merge (one statement when none does)."""
    volume_id = snapshot.volume_id
    status, reading = db.reads_of(volume_id)
    if status in VOLUME_READS:
        raise exception.BeingRead(
            snapshot_id=snapshot.id, volume_id=volume_id,
            reader=_reader(db, volume_id, None, status),
            what='the current data')
    # Snapshots are in their volume's chain in the order they were made.
    since = (snapshot.created_at, snapshot.id)
    for read_id, created_at in sorted(reading, key=lambda r: (r[1], r[0])):
        if (created_at, read_id) >= since:
            raise exception.BeingRead(
                snapshot_id=snapshot.id, volume_id=volume_id,
                reader=_reader(db, volume_id, read_id, states.BACKING_UP),
                what=('this snapshot' if read_id == snapshot.id
                      else 'snapshot %s, newer than it,' % read_id))


def _reader(db, volume_id, snapshot_id, status):
    """Who reads: the backup being made of it, else an export."""
    for backup in db.backup_get_all({'volume_id': volume_id,
                                     'status': states.CREATING}):
        if backup.snapshot_id == snapshot_id:
            return 'backup %s' % backup.id
    if status == states.UPLOADING or snapshot_id is not None:
        return 'an export'
    return 'a backup'
