"""Per-project quotas as Cinder keeps them: the limits (the [quota]
defaults, and what an administrator set for a project), what a project
uses, and the views os-quota-sets and /limits show.

The check itself runs in the database, in the transaction that makes the
row (``snapvol_volume.db.quotas``); this module only says which limits
apply.
"""

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_volume import scope

LOG = logging.getLogger(__name__)

# The absolute limits of GET /limits: (key, resource, limit or usage).
ABSOLUTE = (
    ('maxTotalVolumes', 'volumes', 'limit'),
    ('maxTotalSnapshots', 'snapshots', 'limit'),
    ('maxTotalVolumeGigabytes', 'gigabytes', 'limit'),
    ('maxTotalBackups', 'backups', 'limit'),
    ('maxTotalBackupGigabytes', 'backup_gigabytes', 'limit'),
    ('totalVolumesUsed', 'volumes', 'in_use'),
    ('totalSnapshotsUsed', 'snapshots', 'in_use'),
    ('totalGigabytesUsed', 'gigabytes', 'in_use'),
    ('totalBackupsUsed', 'backups', 'in_use'),
    ('totalBackupGigabytesUsed', 'backup_gigabytes', 'in_use'),
)


class Quotas:

    def __init__(self, db):
        self._db = db

    @property
    def resources(self):
        return self._db.QUOTA_RESOURCES

    def defaults(self):
        return {r: getattr(CONF.quota, r) for r in self.resources}

    def limits(self, project_id):
        """{resource: limit} of the project; -1 is none."""
        return dict(self.defaults(), **self._db.quota_get_all(project_id))

    def _readable(self, ctxt, project_id):
        """A project's quotas are its own members' and administrators' to
        read; another project gets what an unknown one would."""
        if not ctxt.is_admin and project_id != ctxt.project_id:
            raise exception.Forbidden(
                action="reading another project's quotas")

    def show(self, ctxt, project_id, usage=False):
        """{resource: limit}, or with ``usage`` {resource: {limit, in_use,
        reserved, allocated}} (nothing is reserved apart from what is in
        use: creates count as they are made)."""
        self._readable(ctxt, project_id)
        limits = self.limits(project_id)
        if not usage:
            return limits
        used = self._db.quota_usage_get(project_id)
        return {r: {'limit': limit, 'in_use': used.get(r, 0),
                    'reserved': 0, 'allocated': 0}
                for r, limit in limits.items()}

    def update(self, ctxt, project_id, values):
        """An administrator sets limits; a limit below what the project
        uses now is refused (nothing changes)."""
        scope.require_admin(ctxt)
        unknown = sorted(set(values) - set(self.resources))
        if unknown:
            raise exception.InvalidInput(
                reason='unknown quota resource(s): %s' % ', '.join(unknown))
        used = self._db.quota_usage_get(project_id)
        unders = ['%s (%d in use)' % (r, used[r])
                  for r, limit in sorted(values.items())
                  if 0 <= limit < used.get(r, 0)]
        if unders:
            raise exception.InvalidQuotaValue(unders=', '.join(unders))
        self._db.quota_set(project_id, values)
        LOG.info('Quotas of project %s set by %s: %s', project_id,
                 ctxt.user_id, values)
        return self.limits(project_id)

    def delete(self, ctxt, project_id):
        """The project is back to the defaults."""
        scope.require_admin(ctxt)
        self._db.quota_destroy_all(project_id)
        LOG.info('Quotas of project %s reset to the defaults by %s',
                 project_id, ctxt.user_id)

    def absolute_limits(self, ctxt, project_id):
        """The absolute limits of GET /limits."""
        quota = self.show(ctxt, project_id, usage=True)
        return {key: quota[resource][field]
                for key, resource, field in ABSOLUTE}
