"""Outcomes of assisted snapshots, told to the volume manager (seed 001):
one report per snapshot, and one per group snapshot for all its members.

An operation is recorded in the compute database before it touches the
domain (``db.operation_begin``) and forgotten once its outcome is
reported, so a restarted manager finishes and reports it.
"""

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api import states

LOG = logging.getLogger(__name__)

# Kept for compatibility with volume services that read it (seed 001).
PROGRESS = '90%'


class Reporter:

    def __init__(self, volume_api, db):
        self._volume_api = volume_api
        self._db = db

    def report(self, ctxt, snapshot_id, status, file_format=None,
               reason=None, quiesced=None):
        LOG.info('Snapshot %s: %s %s%s', snapshot_id, status,
                 file_format or '', ' (%s)' % reason if reason else '')
        self._volume_api.update_snapshot_status(
            ctxt, snapshot_id, status, PROGRESS, file_format=file_format,
            reason=reason, quiesced=quiesced)
        self._db.operation_end(snapshot_id)

    def progress(self, ctxt, snapshot_id, status, percent):
        """How far the work on the snapshot is (Cinder's progress, with
        its status unchanged); not an end, so the operation stays."""
        LOG.debug('Snapshot %s: %s %d%%', snapshot_id, status, percent)
        self._volume_api.update_snapshot_status(
            ctxt, snapshot_id, status, '%d%%' % percent)

    def failure(self, ctxt, snapshot_id, error):
        """Every failure reaches the volume manager, which would otherwise
        wait for its timeout."""
        if not isinstance(error, exception.SnapvolException):
            LOG.exception('Snapshot %s failed unexpectedly', snapshot_id)
        self.report(ctxt, snapshot_id, states.ERROR, reason=str(error))

    def report_set(self, ctxt, group_snapshot_id, members, quiesced,
                   freeze_seconds, freeze_warning):
        """Every member of the group snapshot writes to its new file:
        ``members`` {snapshot_id: {file_format}}."""
        LOG.info('Group snapshot %s: %s for %d member(s), %s, held %s s',
                 group_snapshot_id, states.CREATING_COMPUTE_COMPLETE,
                 len(members), 'quiesced' if quiesced else
                 'crash-consistent', freeze_seconds)
        self._volume_api.update_group_snapshot_status(
            ctxt, group_snapshot_id, states.CREATING_COMPUTE_COMPLETE,
            members, quiesced=quiesced, freeze_seconds=freeze_seconds,
            freeze_warning=freeze_warning)
        self._db.operation_end(group_snapshot_id)

    def set_failure(self, ctxt, group_snapshot_id, error, members):
        """The set failed; ``members`` names those whose disks switched
        all the same (the domain writes to them: they must be kept)."""
        if not isinstance(error, exception.SnapvolException):
            LOG.exception('Group snapshot %s failed unexpectedly',
                          group_snapshot_id)
        LOG.info('Group snapshot %s: %s (%s)', group_snapshot_id,
                 states.ERROR, error)
        self._volume_api.update_group_snapshot_status(
            ctxt, group_snapshot_id, states.ERROR, members,
            reason=str(error))
        self._db.operation_end(group_snapshot_id)
