"""The OpenAPI documents that a running snapvol-all serves, checked
against the answers of its real services. The unit tests check the
answers built from fakes; here the bodies come from the real managers and
databases."""

import openapi_spec_validator
import requests

from tests.unit.api import openapi_check

from . import harness

LATEST = {'OpenStack-API-Version': 'volume latest'}


def _checked(session, document):
    """``session``, each answer checked against ``document``."""
    def check(response, *args, **kwargs):
        request = response.request
        document.check(request.method, requests.utils.urlparse(
            request.url).path, request.body or b'', response.status_code,
            response.headers, response.content)
    session.hooks['response'].append(check)
    return session


def _served_document(url):
    response = requests.get(url + '/openapi.json', timeout=30)
    assert response.status_code == 200, response.text
    served = response.json()
    openapi_spec_validator.validate(served)
    assert served['servers'] == [{'url': url}]
    return openapi_check.Document(served)


def _wait(http, kind, resource_id, status):
    path = '%ss/%s' % (kind, resource_id)
    harness.wait_for(lambda: http.get(path).json()[kind]['status'] == status,
                     180, what='%s %s' % (path, status))


def test_the_volume_api_answers_as_its_document_says(services):
    document = _served_document(services.url)
    http = _checked(services.http('alice'), document)
    http.headers.update(LATEST)
    admin = _checked(services.http('admin'), document)
    admin.headers.update(LATEST)
    anonymous = _checked(services.http(None), document)
    assert anonymous.get('/').status_code == 300
    assert anonymous.get('/v3/').status_code == 200

    volume = http.post('volumes', json={'volume': {
        'size': 1, 'name': 'data', 'metadata': {'tier': 'gold'}}}).json()[
            'volume']
    _wait(http, 'volume', volume['id'], 'available')
    for path in ('volumes', 'volumes/detail?with_count=true',
                 'volumes/summary', 'volumes/%s/metadata' % volume['id'],
                 'volumes/%s/metadata/tier' % volume['id']):
        assert http.get(path).status_code == 200, path
    http.put('volumes/%s/metadata/tier' % volume['id'],
             json={'meta': {'tier': 'silver'}})
    http.post('volumes/%s/metadata' % volume['id'],
              json={'metadata': {'owner': 'alice'}})
    http.delete('volumes/%s/metadata/owner' % volume['id'])
    http.put('volumes/%s' % volume['id'],
             json={'volume': {'description': 'mine'}})

    snapshot = http.post('snapshots', json={'snapshot': {
        'volume_id': volume['id'], 'name': 'before'}}).json()['snapshot']
    _wait(http, 'snapshot', snapshot['id'], 'available')
    for path in ('snapshots', 'snapshots/detail',
                 'snapshots/%s' % snapshot['id']):
        assert http.get(path).status_code == 200, path
    http.post('volumes/%s/action' % volume['id'],
              json={'revert': {'snapshot_id': snapshot['id']}})
    _wait(http, 'volume', volume['id'], 'available')
    http.post('volumes/%s/action' % volume['id'],
              json={'os-extend': {'new_size': 2}})
    _wait(http, 'volume', volume['id'], 'available')

    refused = http.post('volume-transfers', json={'transfer': {
        'volume_id': volume['id'], 'no_snapshots': True}})
    assert refused.status_code == 400   # it has a snapshot
    transfer = http.post('volume-transfers', json={'transfer': {
        'volume_id': volume['id'], 'name': 'gift'}}).json()['transfer']
    for path in ('os-volume-transfer/detail', 'volume-transfers',
                 'volume-transfers/%s' % transfer['id']):
        assert http.get(path).status_code == 200, path
    http.delete('volume-transfers/%s' % transfer['id'])

    for path in ('types', 'types/default', 'os-availability-zone',
                 'extensions', 'limits', 'messages', 'resource_filters',
                 'group_types', 'groups/detail', 'group_snapshots/detail',
                 'os-quota-sets/%s?usage=true' % services.user(
                     'alice').project):
        assert http.get(path).status_code == 200, path
    for path in ('default-types', 'types?is_public=None'):
        assert admin.get(path).status_code == 200, path

    http.delete('snapshots/%s' % snapshot['id'])
    harness.wait_for(lambda: http.get(
        'snapshots/%s' % snapshot['id']).status_code == 404, 300,
        what='the snapshot deleted')
    http.delete('volumes/%s' % volume['id'])


def test_the_compute_api_answers_as_its_document_says(services):
    document = _served_document(services.compute_url)
    admin = services.users['admin']
    http = _checked(requests.Session(), document)
    http.auth = (admin.name, admin.password)
    for path in ('/', '/v2.1/', '/v2.1/servers/detail', '/v2.1/servers',
                 '/v2.1/flavors/detail', '/v2.1/flavors/1',
                 '/v2.1/images/detail'):
        response = http.get(services.compute_url + path, timeout=30)
        assert response.status_code == 200, (path, response.text)
