"""Project isolation: what a request context may see, and the filters of
a listing.

A project sees only its own volumes and snapshots (another project's id is
"not found"); an administrator sees every project's, and lists another
project's, or all of them, only when asking for it.
"""

from oslo_utils import strutils

from snapvol_api import exception

# The columns each listing may filter on; "name~" and "status~" match a
# part of the text.
_COMMON_FILTERS = ('name', 'status', 'name~', 'status~', 'project_id')
VOLUME_FILTERS = _COMMON_FILTERS + (
    'metadata', 'group_id', 'bootable', 'availability_zone', 'size',
    'user_id', 'created_at', 'updated_at')
SNAPSHOT_FILTERS = _COMMON_FILTERS + ('metadata', 'volume_id',
                                      'group_snapshot_id')
GROUP_FILTERS = _COMMON_FILTERS
GROUP_SNAPSHOT_FILTERS = GROUP_FILTERS + ('group_id',)
TRANSFER_FILTERS = ('project_id', 'name', 'name~', 'volume_id')
BACKUP_FILTERS = _COMMON_FILTERS + ('volume_id',)
MESSAGE_FILTERS = ('project_id', 'resource_uuid', 'resource_type',
                   'event_id', 'request_id', 'message_level')


def project(ctxt):
    """The project a lookup is limited to; None: any."""
    return None if ctxt.is_admin else ctxt.project_id


def visible(ctxt, item):
    """Whether ``ctxt`` may see ``item`` (a dict or row with a
    project_id)."""
    owner = item['project_id'] if isinstance(item, dict) else item.project_id
    return project(ctxt) in (None, owner)


def require_admin(ctxt):
    if not ctxt.is_admin:
        raise exception.Forbidden(action='this administrator action')


def list_filters(ctxt, filters, allowed):
    """The database filters of a listing: those in ``allowed``, and the
    project: the caller's own, unless an administrator asks for all
    (``all_tenants``) or names one (``project_id``)."""
    filters = dict(filters or {})
    all_tenants = strutils.bool_from_string(filters.pop('all_tenants', False))
    project_id = filters.pop('project_id', None)
    result = {k: v for k, v in filters.items() if k in allowed}
    if not ctxt.is_admin or not (all_tenants or project_id):
        result['project_id'] = ctxt.project_id
    elif project_id:
        result['project_id'] = project_id
    return result


def volume(db, ctxt, volume_id):
    """The volume, if ``ctxt`` may see it; else VolumeNotFound."""
    return db.volume_get(volume_id, project(ctxt))


def snapshot(db, ctxt, snapshot_id):
    return db.snapshot_get(snapshot_id, project(ctxt))
