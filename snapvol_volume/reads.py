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
while a merge below its point in time is in flight. The check of a delete
(``snapvol_volume.db.backups.refuse_delete_in``) can also run in the
transaction that makes the snapshot deleting.
"""


def refuse_delete(db, snapshot):
    """BeingRead (409) while a read needs the files a delete of
    ``snapshot`` would merge (``db.snapshot_refuse_if_read``: one
    statement when none does)."""
    db.snapshot_refuse_if_read(snapshot.id)
