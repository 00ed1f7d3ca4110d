"""Outcomes of assisted snapshots, told to the volume manager (seed 001).

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

    def failure(self, ctxt, snapshot_id, error):
        """Every failure reaches the volume manager, which would otherwise
        wait for its timeout."""
        if not isinstance(error, exception.SnapvolException):
            LOG.exception('Snapshot %s failed unexpectedly', snapshot_id)
        self.report(ctxt, snapshot_id, states.ERROR, reason=str(error))
