"""User messages (Cinder microversion 3.3): when a project's asynchronous
work fails, its users can read why (GET /messages), beside the ``error``
status.

A message is made of fixed texts, an action and a detail, as Cinder's
``message_field``: never of an exception's text, which may name the
share's host paths or internal hosts (operators find that in the log).
Event ids have Cinder's shape, ``VOLUME_<resource type>_<action>_<detail>``.
"""

import errno

from oslo_context import context
from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api.conf import CONF

LOG = logging.getLogger(__name__)

VOLUME = 'VOLUME'
SNAPSHOT = 'SNAPSHOT'
LEVEL_ERROR = 'ERROR'

# (id, text)
CREATE_VOLUME = ('001', 'create volume')
DELETE_VOLUME = ('002', 'delete volume')
EXTEND_VOLUME = ('003', 'extend volume')
CREATE_SNAPSHOT = ('004', 'create snapshot')
DELETE_SNAPSHOT = ('005', 'delete snapshot')
REVERT_VOLUME = ('006', 'revert volume to snapshot')
EXPORT_IMAGE = ('007', 'export to image')

UNKNOWN_ERROR = ('001', 'An unknown error occurred.')
NO_SPACE = ('002', 'The share holding the volume has no space left.')
SHARE_UNAVAILABLE = ('003', 'The share holding the volume cannot be '
                            'reached.')
COMPUTE_UNAVAILABLE = ('004', 'The compute service of the instance the '
                              'volume is attached to cannot be reached.')
QUIESCE_FAILED = ('005', 'The guest agent did not freeze the instance\'s '
                         'filesystems, and the volume requires a quiesced '
                         'snapshot.')
HYPERVISOR_FAILED = ('006', 'The hypervisor of the instance the volume is '
                            'attached to failed the operation.')
CHAIN_MISMATCH = ('007', 'The volume\'s files do not match its records; '
                         'an administrator must check them.')

# The first class an error is an instance of decides its detail.
_DETAILS = (
    (exception.QuiesceFailed, QUIESCE_FAILED),
    (exception.HypervisorError, HYPERVISOR_FAILED),
    ((exception.ComputeUnavailable, exception.ComputeHostUnavailable),
     COMPUTE_UNAVAILABLE),
    (exception.ShareUnavailable, SHARE_UNAVAILABLE),
    (exception.NoValidShare, NO_SPACE),
    ((exception.ChainMismatch, exception.InfoStoreCorrupt,
      exception.UnsafeBackingFile), CHAIN_MISMATCH),
)


def detail(error):
    """The detail that tells a user what ``error`` means."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC,
                                                      errno.EDQUOT):
        return NO_SPACE
    if isinstance(error, exception.ImageCommandFailed) and (
            'No space left' in str(error)):
        return NO_SPACE
    if isinstance(error, exception.ComputeRequestFailed):
        # The compute service's report carries the text of its error.
        if 'Could not freeze the filesystems' in str(error):
            return QUIESCE_FAILED
        return HYPERVISOR_FAILED
    for classes, found in _DETAILS:
        if isinstance(error, classes):
            return found
    return UNKNOWN_ERROR


def _request_id():
    """The id of the request whose work failed (workers run under it),
    by which an operator finds the failure in the logs."""
    current = context.get_current()
    return (current.request_id if current is not None
            else context.generate_request_id())


def event_id(resource_type, action, found):
    return 'VOLUME_%s_%s_%s' % (resource_type, action[0], found[0])


class Messages:
    """Writes the messages of failed work; ``db`` is the volume
    database."""

    def __init__(self, db):
        self._db = db

    def teller(self, resource_type, resource_id, action):
        """``failed`` for one resource and action, waiting for the error
        (outcome.failed's ``tell``)."""
        return lambda error: self.failed(resource_type, resource_id, action,
                                         error)

    def failed(self, resource_type, resource_id, action, error):
        """Leaves the message of ``action`` on the resource failing with
        ``error`` for the resource's project. A message that cannot be
        written is logged, never raised: the failure itself is
        recorded."""
        found = detail(error)
        try:
            lookup = (self._db.volume_get if resource_type == VOLUME
                      else self._db.snapshot_get)
            project_id = lookup(resource_id).project_id
            self._db.message_create({
                'project_id': project_id,
                'resource_type': resource_type,
                'resource_uuid': resource_id,
                'event_id': event_id(resource_type, action, found),
                'message_level': LEVEL_ERROR,
                'user_message': '%s: %s' % (action[1], found[1]),
                'request_id': _request_id(),
            }, ttl=CONF.message_ttl)
        except Exception:
            LOG.exception('No user message for %s %s', resource_type,
                          resource_id)
