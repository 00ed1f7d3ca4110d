"""How a worker records that its work failed, without overwriting what
someone else decided meanwhile."""

from oslo_log import log as logging

from snapvol_api import exception

LOG = logging.getLogger(__name__)

CONFLICTS = (exception.InvalidVolumeStatus, exception.InvalidSnapshotStatus)


def failed(transition, resource_id, source, target, owner, error,
           tell=None, values=None):
    """Moves the resource from ``source`` to ``target`` after ``error``,
    if it is still ``source`` and still the work of ``owner``, then calls
    ``tell(error)`` (the user message); if someone else changed it (an
    administrator's os-reset_status, another worker), logs that and
    leaves it. ``values``: other columns set with the status."""
    LOG.error('%s %s failed: %s', source.capitalize(), resource_id, error)
    try:
        transition(resource_id, target, expected=[source], owner=owner,
                   values=values)
    except CONFLICTS as e:
        LOG.warning('Not recording %s for %s: %s', target, resource_id, e)
        return
    if tell is not None:
        tell(error)


def succeeded(transition, resource_id, source, target, owner, values=None):
    """Moves the resource from ``source`` to ``target``; False (logged)
    when someone else changed it meanwhile."""
    try:
        transition(resource_id, target, expected=[source], owner=owner,
                   values=values)
        return True
    except CONFLICTS as e:
        LOG.warning('Not recording %s for %s: %s', target, resource_id, e)
        return False
