"""Query parameters of list requests, read as Cinder reads them.

Unknown filters are ignored before 3.31, and refused (400) from it; from
3.34, "name~" and "status~" match a part of the text.
"""

import ast
import dataclasses
import json

from oslo_utils import strutils
from oslo_utils import timeutils

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_api.rest.volume import versions
from snapvol_api.rest.volume.controllers import current

DEFAULT_SORT = [['created_at', 'desc']]
# Cinder's column names, which cinderclient sends for sort=name and
# find(display_name=...).
_ALIASES = {'display_name': 'name', 'display_description': 'description'}
_MAX_METADATA_FILTER = 4096
# Query parameters that are not filters.
_NOT_FILTERS = ('marker', 'limit', 'sort', 'sort_key', 'sort_dir', 'offset',
                'all_tenants', 'project_id')
# Filters that match a part of the text when given as "<name>~" (3.34).
_LIKE = ('name', 'status')


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


def flag(params, name):
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


def _filter(key, value, filter_names, converters):
    """(column, value) of one query parameter, or None when it is not one
    of ``filter_names``."""
    name = _ALIASES.get(key, key)
    like = name.endswith('~')
    if like:
        name = name[:-1]
        if name not in _LIKE or not current.version_at_least(
                versions.LIKE_FILTER):
            return None
    if name not in filter_names:
        return None
    if name == 'metadata':
        return name, dict_filter(value)
    if name in converters:
        value = converters[name](value)
    return (name + '~' if like else name), value


def parse(params, filter_names, all_projects_rule, converters=None,
          strict=True):
    """A ``ListQuery`` from the query ``params`` (a webob MultiDict or a
    dict); ``converters``: {filter: function of the text}; ``strict``:
    whether unknown filters are refused from 3.31 (Cinder checks them
    for the lists its resource_filters name).

    ``all_tenants`` counts when ``all_projects_rule`` allows it; an
    administrator working in another project's URL lists that project.
    """
    filters, unknown = {}, []
    for key, value in params.items():
        if key in _NOT_FILTERS or (key == 'with_count' and with_count_known()):
            continue
        found = _filter(key, value, filter_names, converters or {})
        if found is None:
            unknown.append(key)
        else:
            filters[found[0]] = found[1]
    if unknown and strict and current.version_at_least(
            versions.RESOURCE_FILTERS):
        raise exception.Invalid('Invalid filters %s are found in query '
                                'options.' % ', '.join(
                                    sorted(k[:64] for k in unknown)))
    # Like Cinder, all_tenants is ignored for those not allowed it, not
    # refused: cinderclient's find() sends it on behalf of everyone.
    if flag(params, 'all_tenants') and current.allowed(all_projects_rule):
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


def with_count_known():
    """From 3.45 ``with_count`` asks for the total; before it, it is an
    unknown filter like any other."""
    return current.version_at_least(versions.COUNT)


def count_requested(params):
    return with_count_known() and flag(params, 'with_count')


def fetch(rpc_method, query, whole=False):
    """What ``query`` finds through ``rpc_method``: its page, or with
    ``whole`` every match (for 3.45's count). A ``consumes_quota=false``
    filter (3.65) finds nothing without asking."""
    filters = dict(query.filters)
    if not filters.pop('consumes_quota', True):
        return []
    kwargs = dict(query.rpc_kwargs(), filters=filters)
    if whole:
        kwargs.update(marker=None, limit=None, sort=[], offset=0)
    return current.call(rpc_method, **kwargs)


def consumes_quota_filter(value):
    """3.65: every snapvol volume and snapshot consumes quota."""
    return _strict_bool('consumes_quota', value)


_TIME_OPERATORS = ('gt', 'gte', 'eq', 'neq', 'lt', 'lte')


def time_filter(name):
    """3.60's converter of ``created_at`` and ``updated_at``: comma-
    separated comparisons ("gt:2026-01-01T00:00:00,lte:...", a bare time
    is "eq") into {operator: ISO 8601 UTC time}."""
    def convert(value):
        comparisons = {}
        for item in value.split(','):
            operator, _sep, text = item.strip().partition(':')
            if operator not in _TIME_OPERATORS:
                operator, text = 'eq', item.strip()
            try:
                moment = timeutils.normalize_time(timeutils.parse_isotime(
                    text))
            except ValueError:
                raise exception.Invalid(
                    'Invalid input received: %s=%s; use %s with an ISO '
                    '8601 time, such as gt:2026-01-01T00:00:00Z.' % (
                        name, value[:64], '|'.join(_TIME_OPERATORS)))
            comparisons[operator] = moment.isoformat()
        return comparisons
    return convert


def _strict_bool(name, value):
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError:
        raise exception.Invalid('Invalid input received: %s=%s'
                                % (name, value[:64]))


def size_filter(value):
    try:
        size = int(value)
    except ValueError:
        size = -1
    if size < 0:
        raise exception.Invalid('Invalid input received: size=%s'
                                % value[:64])
    return size


def bootable_filter(value):
    """From 3.2 the bootable filter is true or false, else 400; before it,
    only "false" and "False" mean false."""
    if not current.version_at_least(versions.BOOTABLE_FILTER):
        return value not in ('false', 'False')
    return _strict_bool('bootable', value)


def next_page_href(items, query, collection_path):
    """The ``next`` link when the page is full, as Cinder gives it."""
    if items and len(items) >= query.limit:
        return current.links().next_page(collection_path, items[-1]['id'])
    return None
