"""Quotas in the volume database: the limits an administrator set for a
project, what the project uses, and the check that a create stays within
its limits.

Usage is counted from the live rows each time, so it cannot drift from
them whatever crashed. The check runs inside the transaction that creates
the row, after an UPDATE of the project's ``quota_projects`` row: two
creates of one project are checked one after the other (a row lock on
PostgreSQL, the write lock on SQLite), so together they cannot pass a
limit that each alone would not.
"""

from oslo_db import exception as db_exc
import sqlalchemy as sa

from snapvol_api import exception
from snapvol_volume.db import common
from snapvol_volume.db import models

RESOURCES = ('volumes', 'snapshots', 'gigabytes', 'groups', 'backups',
             'backup_gigabytes', 'per_volume_gigabytes')


def quota_get_all(project_id):
    """{resource: limit} the administrator set for the project."""
    with common.session() as session:
        return {q.resource: q.hard_limit for q in session.scalars(
            sa.select(models.Quota).where(
                models.Quota.project_id == project_id))}


@common.retrying
def quota_set(project_id, limits):
    """Sets the project's limits of the resources in ``limits``."""
    with common.session() as session:
        for resource, limit in limits.items():
            session.merge(models.Quota(project_id=project_id,
                                       resource=resource, hard_limit=limit))


def quota_destroy_all(project_id):
    """The project is back to the defaults."""
    with common.session() as session:
        session.execute(sa.delete(models.Quota).where(
            models.Quota.project_id == project_id))


def volume_gigabytes():
    """A volume's size, or the size an extend in flight grows it to."""
    volume = models.Volume
    return sa.case((volume.extend_to > volume.size, volume.extend_to),
                   else_=volume.size)


def usage(session, project_id):
    """{resource: in use} of the project, from its live rows."""
    volume, snapshot, group = models.Volume, models.Snapshot, models.Group
    volumes, volume_gb = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(
            sa.func.sum(volume_gigabytes()), 0))
        .where(volume.project_id == project_id,
               volume.deleted.is_(False))).one()
    snapshots, snapshot_gb = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(
            sa.func.sum(snapshot.volume_size), 0))
        .where(snapshot.project_id == project_id,
               snapshot.deleted.is_(False))).one()
    groups = session.execute(
        sa.select(sa.func.count())
        .where(group.project_id == project_id,
               group.deleted.is_(False))).scalar()
    backups, backup_gb = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(
            sa.func.sum(models.Backup.size), 0))
        .where(models.Backup.project_id == project_id,
               models.Backup.deleted.is_(False))).one()
    return {'volumes': volumes, 'snapshots': snapshots,
            'gigabytes': volume_gb + snapshot_gb, 'groups': groups,
            'backups': backups, 'backup_gigabytes': backup_gb}


def usage_get(project_id):
    with common.session() as session:
        return usage(session, project_id)


def prepare(project_id):
    """Makes the project's quota_projects row, in its own transaction:
    call it before the transaction that checks (which must not wait for
    another transaction of its own thread)."""
    with common.session() as session:
        if session.get(models.QuotaProject, project_id) is not None:
            return
    try:
        with common.session() as session:
            session.add(models.QuotaProject(project_id=project_id, checks=0))
    except db_exc.DBDuplicateEntry:
        pass                            # another request made it meanwhile


def checker(project_id, limits, **deltas):
    """``check`` of the project's ``limits`` for ``deltas``, to call with
    the session of the transaction that makes the rows (``prepare`` done
    here); with no ``limits``, a check that checks nothing."""
    if limits is None:
        return lambda session: None
    prepare(project_id)
    return lambda session: check(session, project_id, limits, **deltas)


def _hold(session, project_id):
    held = session.execute(
        sa.update(models.QuotaProject)
        .where(models.QuotaProject.project_id == project_id)
        .values(checks=models.QuotaProject.checks + 1)).rowcount
    if not held:
        raise RuntimeError('quotas.prepare(%r) was not called' % project_id)


def _refusal(resource, limit, used, delta):
    if resource == 'volumes':
        return exception.VolumeLimitExceeded(allowed=limit, name=resource)
    if resource == 'snapshots':
        return exception.SnapshotLimitExceeded(allowed=limit)
    if resource == 'groups':
        return exception.GroupLimitExceeded(allowed=limit)
    if resource == 'backups':
        return exception.BackupLimitExceeded(allowed=limit)
    if resource == 'backup_gigabytes':
        return exception.VolumeBackupSizeExceedsAvailableQuota(
            requested=delta, quota=limit, consumed=used)
    return exception.VolumeSizeExceedsAvailableQuota(
        name=resource, requested=delta, quota=limit, consumed=used)


def check(session, project_id, limits, **deltas):
    """Refuses (OverQuota, nothing changes) unless each resource's usage
    plus its delta in ``deltas`` stays within ``limits`` ({resource:
    limit}, -1: none); a volume of ``size`` GiB is also checked against
    per_volume_gigabytes. Call it in the transaction that then makes the
    rows, after ``prepare``."""
    size = deltas.pop('size', None)
    per_volume = limits.get('per_volume_gigabytes', -1)
    if size is not None and 0 <= per_volume < size:
        raise exception.VolumeSizeExceedsLimit(size=size, limit=per_volume)
    _hold(session, project_id)
    used = usage(session, project_id)
    for resource, delta in deltas.items():
        limit = limits.get(resource, -1)
        if delta > 0 and 0 <= limit < used[resource] + delta:
            raise _refusal(resource, limit, used[resource], delta)
