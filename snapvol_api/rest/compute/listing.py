"""List queries of the compute API, read as Nova 2.1 reads them: filters,
sort and pages.

ComputeAPI.list_instances returns every instance that matches its equality
filters (project_id, status, host); what Nova does beyond equality (the
name filter is a regular expression) and the sort and pages are applied
here. Unknown parameters are ignored, as Nova does before 2.75.
"""

import dataclasses
import re

from oslo_utils import strutils

from snapvol_api import exception
from snapvol_api.rest.compute import flavors as flavors_mod

# Nova's default [api] max_limit.
MAX_LIMIT = 1000
# Nova's sort keys (those snapvol has) -> instance dict keys.
SERVER_SORT_KEYS = {
    'created_at': 'created_at', 'updated_at': 'updated_at',
    'display_name': 'name', 'uuid': 'id', 'host': 'host',
    'project_id': 'project_id', 'user_id': 'user_id', 'vm_state': 'status',
}
FLAVOR_SORT_KEYS = {'flavorid': 'id', 'name': 'name',
                    'memory_mb': 'memory_mb', 'vcpus': 'vcpus',
                    'root_gb': 'disk_gb'}
# Nova filters on what no snapvol server has: they match nothing.
_NEVER_MATCHING = ('image', 'ip', 'ip6')
_MAX_NAME_PATTERN = 255


@dataclasses.dataclass
class Page:
    marker: str | None
    limit: int


def _int(params, name):
    value = params[name]
    try:
        number = int(value)
    except ValueError:
        raise exception.Invalid('%s param must be an integer' % name)
    if number < 0:
        raise exception.Invalid('%s param must be positive' % name)
    return number


def _page(params):
    limit = MAX_LIMIT
    if 'limit' in params:
        limit = min(_int(params, 'limit'), MAX_LIMIT)
    return Page(marker=params.get('marker'), limit=limit)


def _bool(params, name):
    try:
        return strutils.bool_from_string(params[name], strict=True)
    except ValueError:
        raise exception.Invalid('Invalid %s value %r.' % (name, params[name]))


def _sorted(items, sort, value_of):
    """``items`` sorted by ``sort``: [(key, descending)]; None sorts first."""
    def sort_key(item, key):
        value = value_of(item, key)
        return (False, 0) if value is None else (True, value)

    for key, descending in reversed(sort):
        items = sorted(items, key=lambda i: sort_key(i, key),
                       reverse=descending)
    return items


def _sort(params, known, default_key, default_dir):
    keys = params.getall('sort_key') or [default_key]
    dirs = params.getall('sort_dir') or [default_dir]
    # Nova pads missing directions with the first one.
    dirs += [dirs[0]] * (len(keys) - len(dirs))
    sort = []
    for key, direction in zip(keys, dirs):
        if key not in known:
            raise exception.Invalid('Invalid sort_key %s.' % key)
        if direction not in ('asc', 'desc'):
            raise exception.Invalid('Invalid sort_dir %s.' % direction)
        sort.append((known[key], direction == 'desc'))
    return sort


def _paginate(items, page, id_of):
    if page.marker is not None:
        ids = [id_of(i) for i in items]
        if page.marker not in ids:
            raise exception.Invalid('marker [%s] not found' % page.marker)
        items = items[ids.index(page.marker) + 1:]
    return items[:page.limit]


def next_marker(items, page, id_of):
    """The marker of the next page, when this one is full (Nova links to
    it then)."""
    if items and len(items) >= page.limit:
        return id_of(items[-1])
    return None


# Servers --------------------------------------------------------------------

@dataclasses.dataclass
class ServerQuery:
    all_tenants: bool
    # Equality filters for ComputeAPI.list_instances.
    filters: dict
    # Filters applied here: name -> predicate on an instance dict.
    checks: list
    sort: list
    page: Page

    def apply(self, instances):
        matching = [i for i in instances
                    if all(check(i) for check in self.checks)]
        matching = _sorted(matching, self.sort + [('id', False)],
                           lambda i, key: i.get(key))
        return _paginate(matching, self.page, lambda i: i['id'])


def _name_check(pattern):
    if len(pattern) > _MAX_NAME_PATTERN:
        raise exception.Invalid('name filter is too long')
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise exception.Invalid('Invalid name filter %r: %s' % (pattern, exc))
    return lambda instance: regex.search(instance['name'] or '') is not None


def server_query(params, project_id):
    """A ``ServerQuery`` from the query ``params`` (a webob MultiDict) of a
    caller in ``project_id``."""
    all_tenants = 'all_tenants' in params and (
        params['all_tenants'] == '' or _bool(params, 'all_tenants'))
    filters = {}
    if not all_tenants:
        # Even an administrator sees the own project's servers unless
        # asking for all, as in Nova.
        filters['project_id'] = project_id
    else:
        for key in ('project_id', 'tenant_id'):
            if key in params:
                filters['project_id'] = params[key]
    checks = []
    statuses = [s.upper() for s in params.getall('status')]
    if len(statuses) == 1:
        filters['status'] = statuses[0]
    elif statuses:
        checks.append(lambda i: i['status'] in statuses)
    if 'host' in params:
        filters['host'] = params['host']
    if 'name' in params:
        checks.append(_name_check(params['name']))
    if 'flavor' in params:
        checks.append(lambda i: i['flavor']['id'] == params['flavor'])
    if any(key in params for key in _NEVER_MATCHING):
        checks.append(lambda i: False)
    return ServerQuery(
        all_tenants=all_tenants, filters=filters, checks=checks,
        sort=_sort(params, SERVER_SORT_KEYS, 'created_at', 'desc'),
        page=_page(params))


# Flavors --------------------------------------------------------------------

def _minimum(params, name):
    if name not in params:
        return 0
    try:
        return int(params[name])
    except ValueError:
        raise exception.Invalid('Invalid %s filter [%s]' % (name,
                                                            params[name]))


def flavors(params):
    """The built-in flavors ``params`` select, and the page they asked
    for."""
    min_ram = _minimum(params, 'minRam')
    min_disk = _minimum(params, 'minDisk')
    # Every built-in flavor is public, so only is_public=false (private
    # flavors only) leaves none; is_public=none asks for all.
    wants_private = (params.get('is_public', '').lower() not in ('', 'none')
                     and not _bool(params, 'is_public'))
    selected = [f for f in flavors_mod.FLAVORS
                if f.memory_mb >= min_ram and f.disk_gb >= min_disk
                and not wants_private]
    sort = _sort(params, FLAVOR_SORT_KEYS, 'flavorid', 'asc')
    selected = _sorted(selected, sort, getattr)
    page = _page(params)
    return _paginate(selected, page, lambda f: f.id), page
