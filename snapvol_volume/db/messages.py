"""User messages (Cinder 3.3) in the volume database."""

import datetime

from snapvol_api import exception
from snapvol_volume.db import common
from snapvol_volume.db import models

MESSAGE_SORT_KEYS = ('id', 'created_at', 'event_id', 'resource_type',
                     'resource_uuid', 'message_level', 'request_id')


def _unexpired():
    return models.Message.expires_at > models.utcnow()


def _not_found(message_id):
    return exception.MessageNotFound(message_id=message_id)


def message_get(message_id, project_id=None):
    """A message that has not expired, of ``project_id`` when given;
    else MessageNotFound."""
    with common.session() as session:
        message = common.get(session, models.Message, message_id, project_id,
                             _not_found(message_id))
        if message.expires_at <= models.utcnow():
            raise _not_found(message_id)
        return message


def message_get_all(filters=None, marker=None, limit=None, sort=None,
                    offset=None):
    return common.get_all(models.Message, MESSAGE_SORT_KEYS, filters,
                          marker, limit, sort, offset,
                          where=[_unexpired()])


@common.retrying
def message_create(values, ttl):
    """A new message that expires after ``ttl`` seconds; the expired ones
    go at the same time."""
    now = models.utcnow()
    with common.session() as session:
        session.query(models.Message).filter(
            models.Message.expires_at <= now).delete()
        message = models.Message(
            expires_at=now + datetime.timedelta(seconds=ttl),
            created_at=now, **values)
        session.add(message)
    return message


def message_delete(message_id, project_id=None):
    with common.session() as session:
        message = common.get(session, models.Message, message_id, project_id,
                             _not_found(message_id))
        message.deleted = True
        message.deleted_at = models.utcnow()
