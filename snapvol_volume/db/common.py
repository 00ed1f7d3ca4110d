"""What the volume database's modules share: the session, and the
generic lookups, listings, creates and guarded transitions each kind of
row goes through."""

import datetime
import operator

from oslo_db.sqlalchemy import utils as db_utils
import sqlalchemy as sa

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_api.runtime import database
from snapvol_volume.db import models

_DB = database.Database(lambda: CONF.database.connection)
session = _DB.session
transaction = _DB.transaction
retrying = database.retrying
dispose = _DB.dispose


def live(model):
    return sa.select(model).where(model.deleted.is_(False))


def get(session, model, resource_id, project_id, not_found):
    query = live(model).where(model.id == resource_id)
    if project_id is not None:
        query = query.where(model.project_id == project_id)
    row = session.scalars(query).first()
    if row is None:
        raise not_found
    return row


def _like(column, text):
    """``column`` holds ``text``, in any case (Cinder 3.34's "key~"
    filters), with LIKE's wildcards in ``text`` taken literally."""
    escaped = (text.replace('\\', '\\\\').replace('%', '\\%')
               .replace('_', '\\_'))
    return column.ilike('%' + escaped + '%', escape='\\')


_OPERATORS = {'gt': operator.gt, 'gte': operator.ge, 'eq': operator.eq,
              'neq': operator.ne, 'lt': operator.lt, 'lte': operator.le}


def _compare(column, comparisons):
    """``column`` against each {operator: ISO 8601 UTC time} (Cinder
    3.60's time filters; ``neq`` also keeps rows with no time)."""
    conditions = []
    for name, text in comparisons.items():
        if name not in _OPERATORS:
            raise exception.InvalidInput(
                reason='unknown comparison %r' % name)
        moment = datetime.datetime.fromisoformat(text)
        condition = _OPERATORS[name](column, moment)
        if name == 'neq':
            condition = sa.or_(condition, column.is_(None))
        conditions.append(condition)
    return conditions


def get_all(model, sort_keys_allowed, filters, marker, limit, sort,
            offset, where=()):
    """Live rows of ``model`` matching ``filters`` (column values; a key
    ending in "~" matches a part of the column's text; ``project_id``, a
    ``metadata`` dict) and the SQL conditions ``where``, sorted by
    ``sort`` ([key, dir] pairs of ``sort_keys_allowed``; newest first by
    default), after the row with id ``marker`` (else InvalidInput)."""
    filters = dict(filters or {})
    with _DB.session() as session:
        query = session.query(model).filter(model.deleted.is_(False),
                                             *where)
        project_id = filters.pop('project_id', None)
        if project_id is not None:
            query = query.filter(model.project_id == project_id)
        metadata = filters.pop('metadata', None) or {}
        if metadata and not hasattr(model, 'metadata_items'):
            raise exception.InvalidInput(
                reason='%ss have no metadata' % model.__name__.lower())
        for key, value in metadata.items():
            meta_model = model.metadata_items.property.mapper.class_
            query = query.filter(model.metadata_items.any(
                sa.and_(meta_model.key == key, meta_model.value == value)))
        for key, value in filters.items():
            if key.endswith('~'):
                query = query.filter(_like(getattr(model, key[:-1]), value))
            elif isinstance(value, dict):
                query = query.filter(*_compare(getattr(model, key), value))
            else:
                query = query.filter(getattr(model, key) == value)

        keys, dirs = [], []
        for key, direction in sort or [('created_at', 'desc')]:
            if key not in sort_keys_allowed:
                raise exception.InvalidInput(
                    reason='cannot sort on %r; choose from %s'
                    % (key, ', '.join(sort_keys_allowed)))
            if direction not in ('asc', 'desc'):
                raise exception.InvalidInput(
                    reason='sort direction must be asc or desc, not %r'
                    % direction)
            keys.append(key)
            dirs.append(direction)
        if 'id' not in keys:
            # paginate_query needs a unique last key.
            keys.append('id')
            dirs.append(dirs[0])

        marker_row = None
        if marker is not None:
            marker_row = session.query(model).filter(
                model.id == marker).first()
            if marker_row is None:
                raise exception.InvalidInput(
                    reason='marker %s not found' % marker)
        query = db_utils.paginate_query(query, model, limit, keys,
                                        marker=marker_row, sort_dirs=dirs)
        if offset:
            query = query.offset(offset)
        return query.all()


def transition(session, machine, model, resource_id, target, expected,
                values, owner, reset, conflict):
    """One compare-and-swap: the row becomes ``target`` (with ``values``)
    only if its status now is one ``machine`` allows ``target`` from (and
    one of ``expected`` when given) and, when ``owner`` is given, that is
    its recorded owner. ``reset``: an administrator's os-reset_status,
    allowed from any status to ``machine.reset_to``."""
    if reset:
        if target not in machine.reset_to:
            raise exception.InvalidInput(
                reason='status must be one of %s'
                       % ', '.join(machine.reset_to))
        sources = [s for s in machine.statuses
                   if s not in machine.terminal]
    else:
        sources = list(machine.sources(target))
    if expected is not None:
        sources = [s for s in sources if s in expected]
    values = dict(values or {}, status=target)
    if target in machine.terminal:
        values.update(deleted=True, deleted_at=models.utcnow())
    stmt = sa.update(model).where(model.id == resource_id,
                                  model.deleted.is_(False),
                                  model.status.in_(sources))
    if owner is not None:
        stmt = stmt.where(model.owner == owner)
    if session.execute(stmt.values(**values)).rowcount != 1:
        current = get(session, model, resource_id, None,
                       conflict(None, None))
        expected_text = ', '.join(sources) or 'none'
        if owner is not None and current.status in sources:
            expected_text += ' (as the work of %s, not %s)' % (
                owner, current.owner)
        raise conflict(current.status, expected_text)


def conflict(not_found, invalid, **resource_id):
    """The error of a refused transition: ``not_found`` when the row is
    not live, else ``invalid`` with its status and what was expected."""
    def conflict(status, expected):
        if status is None:
            return not_found(**resource_id)
        return invalid(status=status, expected=expected, **resource_id)
    return conflict


def claim(session, model, resource_id, status, owner_from, owner_to):
    owned = (model.owner.is_(None) if owner_from is None
             else model.owner == owner_from)
    return session.execute(
        sa.update(model).where(model.id == resource_id,
                               model.deleted.is_(False),
                               model.status == status, owned)
        .values(owner=owner_to)).rowcount == 1


@retrying
def update(model, resource_id, values, not_found, protected=()):
    """Changes columns of a live row other than its status and owner (and
    the ``protected`` ones)."""
    if {'status', 'owner', 'deleted'} & set(values):
        raise ValueError('statuses change only through a transition')
    if set(protected) & set(values):
        raise ValueError('%s change only through their own functions'
                         % ', '.join(sorted(set(protected) & set(values))))
    with _DB.session() as session:
        get(session, model, resource_id, None, not_found)
        session.execute(sa.update(model).where(model.id == resource_id)
                        .values(**values))


def delete_metadata_key(session, meta_model, fk_name, owner_id, key):
    row = session.get(meta_model, {fk_name: owner_id, 'key': key})
    if row is None:
        raise exception.MetadataKeyNotFound(key=key)
    session.delete(row)

def add(session, machine, model, values, meta_model=None, metadata=None):
    """A new row of ``model`` in ``session``, in ``machine``'s initial
    status (else ValueError), with its metadata when it has any."""
    if values.get('status') != machine.initial:
        raise ValueError('a new %s is %s' % (machine.kind, machine.initial))
    row = model(**values)
    if meta_model is not None:
        row.metadata_items = [meta_model(key=k, value=v)
                              for k, v in (metadata or {}).items()]
    session.add(row)
    return row


@retrying
def create(model, meta_model, values, metadata, check):
    """A new row in its initial status, with its metadata; its id.
    ``check(session)`` runs first in the same transaction (a quota
    check) and may refuse it."""
    machine = states.VOLUME if model is models.Volume else states.SNAPSHOT
    with _DB.session() as session:
        check(session)
        row = add(session, machine, model, values, meta_model, metadata)
    return row.id
