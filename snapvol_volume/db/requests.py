"""The ledger of write requests (table ``api_requests``).

A change a request asked for (a create, a delete) is recorded together
with the request's row, in one transaction (``record_in``): a second
request with the same key finds the first one's change (``Known``) and
makes none. An API that got no answer from a manager abandons the request
(``request_abandon``): from then on no manager can record it, so that the
client learns the truth either way, recorded or not.
"""

import dataclasses
import datetime
import hashlib
import json

from oslo_db import exception as db_exc
import sqlalchemy as sa

from snapvol_volume.db import common
from snapvol_volume.db import models

RECORDED = 'recorded'
ABANDONED = 'abandoned'


@dataclasses.dataclass(frozen=True)
class Request:
    """What identifies a write request: who sent it, its id (the client's
    X-OpenStack-Request-ID when it sent one), what it asks and of what
    (a create's target is where it comes from: a snapshot's volume)."""
    project_id: str | None
    request_id: str
    operation: str
    target: str | None = None

    @property
    def key(self):
        return hashlib.sha256(json.dumps(
            [self.project_id, self.request_id, self.operation, self.target]
        ).encode()).hexdigest()


class Known(Exception):
    """The request is in the ledger already: ``state`` and the
    ``resource_id`` it recorded (None when abandoned)."""

    def __init__(self, state, resource_id):
        super().__init__(state, resource_id)
        self.state = state
        self.resource_id = resource_id


def record_in(session, request, resource_id):
    """Adds the request's row to the transaction of its change; the
    caller's transaction then fails on a known request (see
    ``recording``)."""
    session.add(models.ApiRequest(
        key=request.key, project_id=request.project_id,
        request_id=request.request_id, operation=request.operation,
        resource_id=resource_id, state=RECORDED))
    session.flush()


def recording(request, change):
    """Runs ``change()`` (a transaction that calls ``record_in``); Known
    instead of the duplicate key error when the request was there
    first."""
    try:
        return change()
    except (db_exc.DBDuplicateEntry, sa.exc.IntegrityError):
        row = request_get(request)
        if row is None:
            raise
        raise Known(row.state, row.resource_id)


def request_get(request):
    """The ledger row of ``request``, or None."""
    with common.session() as session:
        return session.get(models.ApiRequest, request.key)


def request_abandon(request):
    """Marks ``request`` abandoned unless it is in the ledger: returns
    None when it is abandoned (now or before), else its recorded row."""
    try:
        with common.session() as session:
            session.add(models.ApiRequest(
                key=request.key, project_id=request.project_id,
                request_id=request.request_id, operation=request.operation,
                state=ABANDONED))
        return None
    except (db_exc.DBDuplicateEntry, sa.exc.IntegrityError):
        row = request_get(request)
        return row if row is not None and row.state == RECORDED else None


def request_purge(older_than: datetime.timedelta) -> int:
    """Forgets the requests older than ``older_than``: a retry comes
    within seconds, not days. The number of rows removed."""
    before = models.utcnow() - older_than
    with common.session() as session:
        return session.execute(sa.delete(models.ApiRequest).where(
            models.ApiRequest.created_at < before)).rowcount
