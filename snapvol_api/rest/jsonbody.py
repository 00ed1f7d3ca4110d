"""Request bodies: JSON parsing and jsonschema validation, as Cinder and
Nova do.

Bad bodies are 400s whose message names the field at fault. Each API keeps
its schemas in its own ``schemas`` module.
"""

import json

import jsonschema
from jsonschema import validators
import webob.exc

from snapvol_api import exception

MAX_BODY_BYTES = 112 * 1024
_MAX_MESSAGE = 300


def _is_integer(_checker, value):
    # jsonschema counts 1.0 as an integer and so would we accept a float
    # size; bool is an int in Python but true is not a size either.
    return isinstance(value, int) and not isinstance(value, bool)


_Validator = validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
        'integer', _is_integer))

uuid_string = {'type': 'string',
               'pattern': '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-'
                          '[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'}


def _describe(error):
    field = '/'.join(str(part) for part in error.absolute_path) or 'body'
    if error.validator == 'maxLength':
        # jsonschema would quote the whole over-long value.
        reason = 'longer than %d characters' % error.validator_value
    else:
        reason = error.message
    message = 'Invalid input for field/attribute %s: %s' % (field, reason)
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + '...'
    return message


def validate(schema, body):
    error = jsonschema.exceptions.best_match(
        _Validator(schema).iter_errors(body))
    if error is not None:
        raise exception.Invalid(_describe(error))


def loads(text):
    """JSON from a request (a body or a query parameter)."""
    try:
        return json.loads(text)
    except ValueError:
        raise exception.Invalid('Malformed request body.')


def parse(request, schema, content_types):
    """The JSON body of ``request``, valid against ``schema``.

    A body must come as one of ``content_types``, or with none at all.
    """
    if request.content_length and request.content_length > MAX_BODY_BYTES:
        raise webob.exc.HTTPRequestEntityTooLarge(
            detail='Request body larger than %d bytes.' % MAX_BODY_BYTES)
    raw = request.body
    if raw and request.content_type not in ('',) + tuple(content_types):
        raise webob.exc.HTTPUnsupportedMediaType(
            detail='Unsupported Content-Type %s; send application/json.'
                   % request.content_type)
    body = loads(raw) if raw.strip() else {}
    validate(schema, body)
    return body
