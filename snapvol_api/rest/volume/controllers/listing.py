"""Query parameters of list requests, read as Cinder 3.0 reads them.

Unknown parameters are ignored, as Cinder ignores them before 3.31.
"""

import ast
import dataclasses
import json

from oslo_utils import strutils

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_api.rest.volume.controllers import current

DEFAULT_SORT = [['created_at', 'desc']]
# Cinder's column names, which cinderclient sends for sort=name and
# find(display_name=...).
_ALIASES = {'display_name': 'name', 'display_description': 'description'}
_MAX_METADATA_FILTER = 4096


@dataclasses.dataclass
class ListQuery:
    filters: dict
    marker: str
    limit: int
    sort: list
    offset: int

    def rpc_kwargs(self):
        return dataclasses.asdict(self)


def _non_negative_int(params, name, default):
    value = params.get(name, default)
    try:
        value = int(value)
    except ValueError:
        raise exception.Invalid('%s param must be an integer' % name)
    if value < 0:
        raise exception.Invalid('%s param must be positive' % name)
    return value


def _flag(params, name):
    value = params.get(name, '').strip()
    if not value:
        return False
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError:
        raise exception.Invalid('%s param must be a boolean, not %s'
                                % (name, value))


def _sort(params):
    """Cinder's ``sort=key[:dir],...`` or the older sort_key/sort_dir."""
    if 'sort' in params and ('sort_key' in params or 'sort_dir' in params):
        raise exception.Invalid("The 'sort_key' and 'sort_dir' parameters "
                                "cannot be used with the 'sort' parameter.")
    if 'sort' in params:
        pairs = [item.partition(':')[::2]
                 for item in params['sort'].split(',')]
    elif 'sort_key' in params or 'sort_dir' in params:
        pairs = [(params.get('sort_key', 'created_at'),
                  params.get('sort_dir', ''))]
    else:
        return DEFAULT_SORT
    sort = []
    for key, direction in pairs:
        key, direction = key.strip(), direction.strip().lower() or 'desc'
        if not key:
            raise exception.Invalid('Empty sort key in %s.'
                                    % params.get('sort'))
        if direction not in ('asc', 'desc'):
            raise exception.Invalid('Sort direction %s is neither asc nor '
                                    'desc.' % direction)
        sort.append([_ALIASES.get(key, key), direction])
    return sort


def dict_filter(text, name='metadata'):
    """A metadata-like filter as JSON or, as cinderclient sends it, a
    Python dict literal: "{'key': 'value'}"."""
    if len(text) > _MAX_METADATA_FILTER:
        raise exception.Invalid('%s filter is too long' % name)
    try:
        value = json.loads(text)
    except ValueError:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = None
    if not (isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str)
            for k, v in value.items())):
        raise exception.Invalid('%s filter must be a dict of strings, '
                                'such as {"key": "value"}' % name)
    return value


def parse(params, filter_names, all_projects_rule):
    """A ``ListQuery`` from the query ``params`` (a webob MultiDict).

    ``all_tenants`` counts when ``all_projects_rule`` allows it; an
    administrator working in another project's URL lists that project.
    """
    filters = {_ALIASES.get(key, key): value for key, value in params.items()
               if _ALIASES.get(key, key) in filter_names}
    if 'metadata' in params:
        filters['metadata'] = dict_filter(params['metadata'])
    # Like Cinder, all_tenants is ignored for those not allowed it, not
    # refused: cinderclient's find() sends it on behalf of everyone.
    if _flag(params, 'all_tenants') and current.allowed(all_projects_rule):
        filters['all_tenants'] = True
        if 'project_id' in params:
            filters['project_id'] = params['project_id']
    elif current.project_id() != current.context().project_id:
        filters['project_id'] = current.project_id()
    max_limit = CONF.volume_api.max_limit
    return ListQuery(
        filters=filters,
        marker=params.get('marker'),
        limit=min(_non_negative_int(params, 'limit', max_limit), max_limit),
        sort=_sort(params),
        offset=_non_negative_int(params, 'offset', 0))


def next_page_href(items, query, collection_path):
    """The ``next`` link when the page is full, as Cinder gives it."""
    if items and len(items) >= query.limit:
        return current.links().next_page(collection_path, items[-1]['id'])
    return None
