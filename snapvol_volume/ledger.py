"""The request handlers' side of the ledger of write requests
(``snapvol_volume.db.requests``; why it exists: ``snapvol_volume.front``).
"""

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_volume.db import requests

LOG = logging.getLogger(__name__)


def request(ctxt, request_id, operation, target):
    """The ledger's Request of a call that names its request; None for a
    call that does not (made inside the service, or by an older API)."""
    if request_id is None:
        return None
    return requests.Request(ctxt.project_id, request_id, operation, target)


def replayed(known, get):
    """The answer to a request the ledger knows: what it recorded
    (``get(resource_id)``), or RequestAbandoned when the API gave it up
    (its answer goes to nobody)."""
    if known.state != requests.RECORDED:
        raise exception.RequestAbandoned()
    LOG.info('The request was recorded before (%s): answering with it',
             known.resource_id)
    return get(known.resource_id)
