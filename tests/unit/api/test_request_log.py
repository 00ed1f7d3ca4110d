import logging

from oslo_context import context

from snapvol_api.rest import request_log


def test_each_request_is_logged_with_its_id(app, alice, caplog):
    caplog.set_level(logging.INFO, logger='snapvol_api.rest.request_log')
    response = alice.get('volumes?limit=1')
    (record,) = [r for r in caplog.records
                 if r.name == 'snapvol_api.rest.request_log']
    line = record.getMessage()
    assert '"GET /v3/p1/volumes?limit=1"' in line
    assert 'status: 200' in line
    assert response.headers['X-OpenStack-Request-Id'] in line


def test_failed_authentication_is_logged_too(app, caplog):
    caplog.set_level(logging.INFO, logger='snapvol_api.rest.request_log')
    app.get('/v3/p1/volumes', status=401)
    assert 'status: 401' in caplog.text


def test_json_whatever_the_client_accepts(alice):
    response = alice.app.get('/v3/p1/volumes', headers=dict(
        alice.headers, Accept='text/plain'))
    assert response.content_type == 'application/json'


def test_log_context_is_reset_for_each_request(app, alice):
    alice.get('volumes')
    assert context.get_current().user_id == 'alice'
    response = app.get('/v3/p1/volumes', status=401)
    current = context.get_current()
    assert current.user_id is None
    assert current.request_id == response.headers['X-OpenStack-Request-Id']


def test_a_clients_own_request_id_becomes_the_global_one(alice):
    """A client's id keys the ledger of writes (a retry with it gets the
    first answer); an echo of one of ours does not: cinderclient and
    novaclient send their first answer's id with every later request."""
    own = context.generate_request_id()
    alice.app.get('/v3/p1/volumes', headers=dict(
        alice.headers, **{'X-OpenStack-Request-ID': own}))
    assert context.get_current().global_request_id == own

    ours = alice.get('volumes').headers['X-OpenStack-Request-Id']
    assert request_log.GLOBAL_REQUEST_ID.match(ours)
    for sent in (ours, 'req-not-a-uuid', 'x' * 5000):
        alice.app.get('/v3/p1/volumes', headers=dict(
            alice.headers, **{'X-OpenStack-Request-ID': sent}))
        assert context.get_current().global_request_id is None
