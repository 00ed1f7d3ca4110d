"""The OpenAPI documents against the apps: every response an API test
sees is checked against the document (``CheckedTestApp``), and the routes
the controllers serve are listed (``served_routes``) to compare with it.
"""

import inspect
import json
import re
import uuid

import jsonschema
from pecan import rest
import referencing
import referencing.jsonschema
import webtest

from snapvol_api.rest.microversion import Version
from snapvol_api.rest.openapi import builder

_BASE = 'urn:snapvol:openapi'
_PARAMETER = re.compile(r'\{[^}]*\}')
# webob's words when routing finds nothing to serve.
ROUTING_NOT_FOUND = 'The resource could not be found.'


def normalized(template):
    """A path template with its parameters unnamed: /v3/{}/volumes/{}."""
    template = _PARAMETER.sub('{}', template)
    return template.rstrip('/') or '/'


def _pointer(*parts):
    return '/'.join(str(p).replace('~', '~0').replace('/', '~1')
                    for p in parts)


class Document:
    """An OpenAPI document, to find a request's operation and to validate
    bodies against it."""

    def __init__(self, document):
        self.document = document
        resource = referencing.Resource.from_contents(
            document, default_specification=referencing.jsonschema.DRAFT202012)
        self._registry = referencing.Registry().with_resource(_BASE,
                                                              resource)
        self._routes = []
        self._validators = {}
        extension = document.get(builder.EXTENSION, {})
        prefix = (extension.get('project_prefix')
                  if extension.get('project_optional') else None)
        for template in document['paths']:
            forms = [template]
            if prefix and template.startswith(prefix + '/'):
                # The project may be left out of the URL (3.67).
                forms.append(template.replace(
                    prefix, prefix.rsplit('/', 1)[0], 1))
            self._routes += [_route(form, template) for form in forms]

    def operations(self):
        """(method, template, operation) of every documented operation."""
        for template, item in self.document['paths'].items():
            for method, operation in item.items():
                if method != 'parameters':
                    yield method, template, operation

    def find(self, path):
        """The template ``path`` is an instance of; the most literal one
        when several match (/volumes/detail, not /volumes/{id})."""
        path = path.rstrip('/') or '/'
        best = None
        for pattern, literals, template in self._routes:
            if pattern.match(path) and (best is None or literals > best[0]):
                best = (literals, template)
        return best and best[1]

    def validate(self, pointer, instance):
        """``instance`` against the schema at ``pointer`` in the
        document; the first error, or None."""
        validator = self._validators.get(pointer)
        if validator is None:
            validator = self._validators[pointer] = (
                jsonschema.Draft202012Validator(
                    {'$ref': '%s#/%s' % (_BASE, pointer)},
                    registry=self._registry,
                    format_checker=jsonschema.FormatChecker(
                        formats=['uuid'])))
        error = jsonschema.exceptions.best_match(
            validator.iter_errors(instance))
        if error is None:
            return None
        where = '/'.join(str(p) for p in error.absolute_path) or 'body'
        return '%s: %s' % (where, error.message[:500])

    def check(self, method, path, request_body, status, headers, body):
        """Fails (AssertionError) when the response is not one the
        document describes for the request."""
        method = method.lower()
        template = self.find(path)
        item = self.document['paths'].get(template, {})
        operation = item.get(method)
        if status >= 400:
            self._check_fault(status, body)
            return
        assert template is not None, (
            '%s %s answered %d but no path of the OpenAPI document matches '
            'it: document the route.' % (method.upper(), path, status))
        assert operation is not None, (
            '%s %s (%s) answered %d but the OpenAPI document has no %s '
            'there: document it.' % (method.upper(), path, template, status,
                                     method.upper()))
        where = ('paths', template, method)
        extension = operation.get(builder.EXTENSION, {})
        self._check_version(extension, headers, method, template)
        if 'actions' in extension:
            name = _action_name(request_body)
            assert name in extension['actions'], (
                'The action %s answered %d but is not among the documented '
                'actions of %s %s.' % (name, status, method.upper(),
                                       template))
            where += (builder.EXTENSION, 'actions', name)
            self._check_version(extension['actions'][name], headers,
                                method, template + ' ' + name)
        responses = _lookup(self.document, where + ('responses',))
        assert str(status) in responses, (
            '%s %s answered %d, which the OpenAPI document does not give '
            'as a response (%s).' % (method.upper(), template, status,
                                     ', '.join(sorted(responses))))
        content = responses[str(status)].get('content')
        if content is None:
            assert body == b'', (
                '%s %s answered %d with a body the OpenAPI document does not '
                'give: %r' % (method.upper(), template, status, body[:200]))
            return
        assert body, ('%s %s answered %d without the body the OpenAPI '
                      'document gives.' % (method.upper(), template, status))
        error = self.validate(_pointer(
            *where, 'responses', status, 'content', builder.JSON, 'schema'),
            json.loads(body))
        assert error is None, (
            'The answer of %s %s (%d) does not match the OpenAPI document: '
            '%s' % (method.upper(), template, status, error))

    def _check_fault(self, status, body):
        fault = json.loads(body)
        error = self.validate('components/schemas/Fault', fault)
        assert error is None, 'A %d fault of the wrong shape: %s' % (
            status, error)
        (details,) = fault.values()
        assert details['code'] == status, fault

    @staticmethod
    def _check_version(extension, headers, method, what):
        since = extension.get('min_version')
        answered = (headers.get('OpenStack-API-Version') or '').split()
        if since and answered:
            served_at = Version.parse(answered[-1])
            assert served_at >= Version.parse(since), (
                '%s %s answered at %s, below the microversion %s the '
                'OpenAPI document gives it.' % (method.upper(), what,
                                                served_at, since))


def _route(form, template):
    """(regex, number of literal segments, template) of one form of a
    path template."""
    literal = re.escape(form.rstrip('/') or '/').replace(
        r'\{', '{').replace(r'\}', '}')
    pattern = re.compile('^%s$' % _PARAMETER.sub('[^/]+', literal))
    literals = len([s for s in form.split('/')
                    if s and not _PARAMETER.fullmatch(s)])
    return pattern, literals, template


def _lookup(document, parts):
    for part in parts:
        document = document[part]
    return document


def _action_name(request_body):
    try:
        body = json.loads(request_body)
    except ValueError:
        return None
    if isinstance(body, dict) and len(body) == 1:
        return next(iter(body))
    return None


class CheckedTestApp(webtest.TestApp):
    """A webtest app whose every response is checked against ``document``
    (a ``Document``)."""

    def __init__(self, app, document, **kwargs):
        super().__init__(app, **kwargs)
        self.openapi = document

    def do_request(self, req, status=None, expect_errors=None):
        request_body = req.body
        response = super().do_request(req, status=status,
                                      expect_errors=expect_errors)
        self.openapi.check(req.method, req.path_info, request_body,
                           response.status_int, response.headers,
                           response.body)
        return response


# Routes the controllers serve ----------------------------------------------

# The handlers pecan's RestController routes by HTTP method.
_STANDARD = {'get_all': 'get', 'get_one': 'get', 'post': 'post',
             'put': 'put', 'delete': 'delete'}
# Handlers RestController would also route, which no controller here has:
# the enumeration below would miss their routes.
_UNLISTED = ('get', 'new', 'edit', 'get_delete', '_lookup', '_default')


def _segment_counts(handler, depth):
    """How many URL segments (ids) ``handler`` takes after its parents'
    ``depth`` ones."""
    parameters = list(inspect.signature(handler).parameters.values())
    positional = [p for p in parameters
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = len([p for p in positional if p.default is p.empty])
    more = any(p.kind == p.VAR_POSITIONAL for p in parameters)
    lowest = required - depth
    return range(lowest, len(positional) - depth + (1 if more else 0) + 1)


def served_routes(controller, path, depth=0):
    """{(method, normalized path)} of ``controller`` mounted at ``path``
    with ``depth`` ids taken by its parents; and {normalized path:
    action names} of the action controllers (a ``_actions`` table)."""
    routes, actions = set(), {}
    cls = type(controller)
    for name in _UNLISTED:
        assert not callable(getattr(cls, name, None)) or not hasattr(
            getattr(cls, name), '_pecan'), (
            '%s.%s is routed too: teach served_routes about it'
            % (cls.__name__, name))
    custom = dict(getattr(controller, '_custom_actions', {}))
    for name, method in _STANDARD.items():
        handler = getattr(controller, name, None)
        if handler is None or not hasattr(handler, '_pecan'):
            continue
        counts = [0] if name == 'get_all' else _segment_counts(handler,
                                                               depth)
        for count in counts:
            routes.add((method, normalized(path + '/{}' * count)))
    for name, methods in custom.items():
        handler = getattr(controller, name)
        for count in _segment_counts(handler, depth):
            for method in methods:
                routes.add((method.lower(), normalized(
                    path + '/{}' * count + '/' + name)))
    if isinstance(getattr(controller, '_actions', None), dict):
        actions[normalized(path)] = set(controller._actions)
    for name in dir(controller):
        if name.startswith('_'):
            continue
        child = getattr(controller, name)
        if isinstance(child, rest.RestController):
            child_routes, child_actions = served_routes(
                child, '%s/{}/%s' % (path, name), depth + 1)
            routes |= child_routes
            actions.update(child_actions)
        elif (hasattr(child, '_pecan') and name not in _STANDARD
              and name not in custom):
            raise AssertionError('%s.%s is exposed but not routed as '
                                 'served_routes knows' % (cls.__name__,
                                                          name))
    return routes, actions


def documented_routes(document):
    return {(method, normalized(template))
            for method, template, _operation in document.operations()}


def probe_url(template, values):
    """A URL of ``template``, its parameters from ``values`` (by name) or
    new UUIDs."""
    return re.sub(r'\{([^}]*)\}',
                  lambda m: values.get(m.group(1), str(uuid.uuid4())),
                  template)


def is_routing_refusal(response):
    """Whether pecan found nothing there (rather than a controller
    answering 404 or 405 itself)."""
    if response.status_int not in (404, 405):
        return False
    (fault,) = response.json.values()
    if response.status_int == 404:
        return fault['message'] == ROUTING_NOT_FOUND
    return fault['message'].startswith('The method ')
