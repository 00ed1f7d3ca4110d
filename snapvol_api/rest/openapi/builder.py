"""What both OpenAPI documents are made of: schema shorthands, the fault
bodies, and ``Document``, which collects operations into paths."""

import copy
import re

OPENAPI_VERSION = '3.1.0'
JSON = 'application/json'
# Where each operation keeps the OpenStack facts OpenAPI has no field for:
# the microversion it came with and, for "action" operations, each action.
EXTENSION = 'x-openstack'

_PATH_PARAMETER = re.compile(r'\{([^}]+)\}')

# Schemas ---------------------------------------------------------------------

string = {'type': 'string'}
nullable_string = {'type': ['string', 'null']}
integer = {'type': 'integer'}
number = {'type': 'number'}
boolean = {'type': 'boolean'}
nullable_boolean = {'type': ['boolean', 'null']}
uuid = {'type': 'string', 'format': 'uuid'}
nullable_uuid = {'type': ['string', 'null'], 'format': 'uuid'}
timestamp = {'type': 'string', 'format': 'date-time'}
nullable_timestamp = {'type': ['string', 'null'], 'format': 'date-time'}
string_map = {'type': 'object', 'additionalProperties': {'type': 'string'}}
anything = {}


def obj(properties, required=(), extra=True):
    """An object of ``properties``; other properties are allowed unless
    ``extra`` is false, so that a field a later microversion adds does not
    make an older description wrong."""
    schema = {'type': 'object', 'properties': dict(properties)}
    if required:
        schema['required'] = list(required)
    if not extra:
        schema['additionalProperties'] = False
    return schema


def array(items):
    return {'type': 'array', 'items': items}


def ref(name):
    return {'$ref': '#/components/schemas/%s' % name}


def envelope(key, schema):
    """{key: schema}, as every OpenStack body wraps its resource."""
    return obj({key: schema}, required=[key])


link = obj({'rel': string, 'href': string, 'type': string},
           required=['rel', 'href'])
links = array(link)


def fault(names, default_name):
    """{"<name>": {"code", "message"}}: the one key names the fault of
    the status code (``names``, the API's ``faults`` table). A 401 of
    keystonemiddleware (auth_strategy = keystone) is its own
    {"error": {"code", "title", "message"}}, as in front of Cinder and
    Nova."""
    return {'anyOf': [_openstack_fault(names, default_name),
                      envelope('error', obj({
                          'code': integer, 'title': string,
                          'message': string},
                          required=['code', 'message']))]}


def _openstack_fault(names, default_name):
    return {
        'type': 'object',
        'minProperties': 1,
        'maxProperties': 1,
        'propertyNames': {
            'enum': sorted(set(names.values()) | {default_name})},
        'additionalProperties': obj({
            'code': integer,
            'message': string,
            # 413 and 429: when to try again.
            'retryAfter': string,
        }, required=['code', 'message']),
    }


# Operations ------------------------------------------------------------------

def action(arguments, min_version=None, responses=None):
    """One action of a POST .../action operation: ``arguments`` is the
    schema of the value under the action's name; ``responses`` as for
    ``Document.add`` (default: an empty 202; {}: it always fails)."""
    entry = {'arguments': arguments,
             'responses': _responses({202: None} if responses is None
                                     else responses)}
    if min_version is not None:
        entry['min_version'] = str(min_version)
    return entry


def action_body(actions):
    """The request body of an action operation: exactly one of
    ``actions``, by name."""
    return {'oneOf': [
        obj({name: entry['arguments']}, required=[name], extra=False)
        for name, entry in actions.items()]}


def _responses(responses):
    """{status: body schema or None (no body)} as OpenAPI responses."""
    answers = {}
    for status, schema in responses.items():
        answer = {'description': _STATUS_WORDS.get(status, str(status))}
        if schema is not None:
            answer['content'] = {JSON: {'schema': schema}}
        answers[str(status)] = answer
    return answers


_STATUS_WORDS = {200: 'OK', 202: 'Accepted', 204: 'No Content',
                 300: 'Multiple Choices'}


class Document:
    """An OpenAPI document being built: ``add`` each operation, then
    ``build``. ``extension``: the document's x-openstack, with at least
    the API's ``min_version``."""

    def __init__(self, title, version, description, microversion_headers,
                 faults, security_schemes, extension):
        self.info = {'title': title, 'version': version,
                     'description': description}
        self.microversion_headers = microversion_headers
        self.faults = faults
        self.security_schemes = security_schemes
        self.extension = extension
        self.paths = {}
        self.schemas = {}

    def schema(self, name, schema):
        """A named schema under components; returns its $ref."""
        self.schemas[name] = schema
        return ref(name)

    def add(self, method, path, summary, responses, request=None,
            min_version=None, actions=None, public=False, versioned=True,
            query=()):
        """One operation.

        ``responses``: {status: schema, or None for no body}; errors are
        faults whatever the status. ``request``: the body's schema.
        ``min_version``: the microversion it came with (default: the
        API's first, the document's ``x-openstack.min_version``). ``actions``:
        {name: ``action(...)``} of a POST .../action. ``public``: served
        without credentials. ``versioned``: reads the microversion
        headers. ``query``: the names of its query parameters.
        """
        operation = {
            'operationId': _operation_id(method, path),
            'summary': summary,
            'responses': dict(_responses(responses), default={
                '$ref': '#/components/responses/Fault'}),
        }
        parameters = [{'$ref': '#/components/parameters/%s' % name}
                      for name in self.microversion_headers if versioned]
        parameters += [{'name': name, 'in': 'query', 'required': False,
                        'schema': string} for name in query]
        if parameters:
            operation['parameters'] = parameters
        openstack = {}
        if versioned:
            # The API's first microversion unless a later one is given.
            openstack['min_version'] = str(
                min_version or self.extension['min_version'])
        if actions:
            openstack['actions'] = actions
            request = action_body(actions)
        if openstack:
            operation[EXTENSION] = openstack
        if request is not None:
            operation['requestBody'] = {
                'required': True,
                'content': {JSON: {'schema': copy.deepcopy(request)}}}
        if public:
            operation['security'] = []
        item = self.paths.setdefault(path, _path_item(path))
        if method in item:
            raise ValueError('%s %s is declared twice' % (method, path))
        item[method] = operation

    def build(self):
        parameters = {
            name: {'name': header, 'in': 'header', 'required': False,
                   'description': description, 'schema': string}
            for name, (header, description)
            in self.microversion_headers.items()}
        document = {
            'openapi': OPENAPI_VERSION,
            'info': self.info,
            'paths': self.paths,
            'components': {
                'schemas': dict(self.schemas, Fault=self.faults),
                'responses': {'Fault': {
                    'description': 'An error, as an OpenStack fault.',
                    'content': {JSON: {'schema': ref('Fault')}}}},
                'parameters': parameters,
                'securitySchemes': self.security_schemes,
            },
            'security': [{name: []} for name in self.security_schemes],
        }
        document[EXTENSION] = self.extension
        return document


def _path_item(path):
    names = _PATH_PARAMETER.findall(path)
    if not names:
        return {}
    return {'parameters': [{'name': name, 'in': 'path', 'required': True,
                            'schema': string} for name in names]}


def _operation_id(method, path):
    words = [part.strip('{}') for part in path.split('/') if part]
    return '_'.join([method] + words)


SECURITY_SCHEMES = {
    # auth_strategy = keystone
    'keystone': {'type': 'apiKey', 'in': 'header', 'name': 'X-Auth-Token'},
    # auth_strategy = http_basic
    'http_basic': {'type': 'http', 'scheme': 'basic'},
}


def served(document, base_url):
    """The document as served at ``base_url``."""
    return dict(document, servers=[{'url': base_url}])
