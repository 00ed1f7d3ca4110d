"""Reports of the compute service in the volume database, so that a report
reaches the worker waiting for it whichever volume manager received it.

A row is made by the waiting worker (``report_expect``) before it asks;
the first report fills it (``report_deliver``, one compare-and-swap), and
the worker takes it and removes the row (``report_get``,
``report_forget``).
"""

import json

import sqlalchemy as sa

from snapvol_volume.db import common
from snapvol_volume.db import models


def report_expect(key, owner):
    """A worker (``owner``) waits for a report on ``key``: a fresh row
    without one, in place of any earlier row on the same key."""
    with common.session() as session:
        session.execute(sa.delete(models.ComputeReport)
                        .where(models.ComputeReport.key == key))
        session.add(models.ComputeReport(key=key, expected_by=owner))


def report_deliver(key, payload):
    """Stores the report ``payload`` (a dict that JSON can encode) on
    ``key``; False, changing nothing, when no worker expects one there or
    a report came first."""
    text = json.dumps(payload)
    with common.session() as session:
        return session.execute(
            sa.update(models.ComputeReport)
            .where(models.ComputeReport.key == key,
                   models.ComputeReport.payload.is_(None))
            .values(payload=text, delivered_at=models.utcnow())
        ).rowcount == 1


def report_get(key):
    """None when no worker expects a report on ``key``; else {key,
    payload (None until the report comes), expected_by, created_at,
    delivered_at}."""
    with common.session() as session:
        row = session.get(models.ComputeReport, key)
        if row is None:
            return None
        return {'key': row.key,
                'payload': (None if row.payload is None
                            else json.loads(row.payload)),
                'expected_by': row.expected_by,
                'created_at': row.created_at,
                'delivered_at': row.delivered_at}


def report_forget(key):
    """No worker waits on ``key`` any longer; a later report is
    refused."""
    with common.session() as session:
        session.execute(sa.delete(models.ComputeReport)
                        .where(models.ComputeReport.key == key))


def report_purge(live_owners, older_than):
    """Removes what workers of dead manager runs expected (their owner is
    not in ``live_owners``, "host/run" strings) since before
    ``older_than`` ago: no one waits for it any longer, and the work's
    new owner expects afresh. The age spares a manager that started after
    ``live_owners`` was read. The number of rows removed."""
    before = models.utcnow() - older_than
    report = models.ComputeReport
    with common.session() as session:
        return session.execute(sa.delete(report).where(
            report.expected_by.not_in(list(live_owners)),
            report.created_at < before)).rowcount
