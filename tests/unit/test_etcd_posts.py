"""runtime.etcd_posts: etcd3gw's POSTs on kept http.client connections,
against a local HTTP server standing in for etcd's JSON gateway; what is
not a plain POST to it goes through requests."""

import http.server
import json
import socket
import threading

import pytest
import requests

from snapvol_api.runtime import etcd_posts


class Gateway(http.server.BaseHTTPRequestHandler):
    """Answers a POST with what it got, as JSON; /fail with a 500, /slow
    late, /close by closing the connection once it answered."""

    protocol_version = 'HTTP/1.1'
    calls = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length']))
        Gateway.calls.append((self.path, self.client_address[1], body))
        if self.path == '/slow':
            self.server.release.wait(10)
        status = 500 if self.path == '/fail' else 200
        payload = json.dumps({'path': self.path,
                              'body': body.decode()}).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        if self.path == '/close':
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    Gateway.calls = []
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Gateway)
    server.daemon_threads = True
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,),
                              daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_address[1]
    server.release.set()
    server.shutdown()
    server.server_close()


class Session(requests.Session):
    """A requests Session that records what reaches it."""

    def __init__(self):
        super().__init__()
        self.posts = []

    def post(self, url, **kwargs):
        self.posts.append((url, kwargs))
        return 'through requests'


def test_posts_go_on_one_kept_connection(gateway, monkeypatch):
    monkeypatch.delenv('http_proxy', raising=False)
    session = Session()
    lean = etcd_posts.LeanPosts(session, gateway)
    first = lean.post(gateway + '/v3/lease/grant', json={'TTL': 30},
                      timeout=5)
    second = lean.post(gateway + '/v3/kv/txn', data='{"compare": []}',
                       timeout=5)
    assert (first.status_code, first.json()) == (
        200, {'path': '/v3/lease/grant', 'body': '{"TTL": 30}'})
    assert second.json()['body'] == '{"compare": []}'
    assert session.posts == []
    # One connection (the client's port) for both.
    assert len({port for _path, port, _body in Gateway.calls}) == 1
    lean.close()


def test_an_error_status_is_the_callers_to_read(gateway):
    response = etcd_posts.LeanPosts(Session(), gateway).post(
        gateway + '/fail', json={}, timeout=5)
    assert response.status_code == 500
    assert json.loads(response.text)['path'] == '/fail'


def test_a_connection_the_server_closed_is_replaced(gateway):
    lean = etcd_posts.LeanPosts(Session(), gateway)
    assert lean.post(gateway + '/close', json={}, timeout=5).status_code \
        == 200
    assert lean.post(gateway + '/next', json={}, timeout=5).status_code \
        == 200
    ports = [port for _path, port, _body in Gateway.calls]
    assert len(ports) == 2 and ports[0] != ports[1]


def test_a_kept_connection_dropped_meanwhile_is_tried_once_more(gateway):
    lean = etcd_posts.LeanPosts(Session(), gateway)
    lean.post(gateway + '/first', json={}, timeout=5)
    # The server side of the kept connection goes away (an etcd restart).
    kept = lean._idle[0]
    kept.sock.shutdown(socket.SHUT_RDWR)
    assert lean.post(gateway + '/again', json={}, timeout=5).json()[
        'path'] == '/again'
    assert [path for path, _port, _body in Gateway.calls] == ['/first',
                                                              '/again']


def test_failures_are_requests_errors(gateway):
    lean = etcd_posts.LeanPosts(Session(), gateway)
    with pytest.raises(requests.exceptions.Timeout):
        lean.post(gateway + '/slow', json={}, timeout=0.2)
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        closed = 'http://127.0.0.1:%d' % probe.getsockname()[1]
    lean = etcd_posts.LeanPosts(Session(), closed)
    with pytest.raises(requests.exceptions.ConnectionError):
        lean.post(closed + '/v3/kv/txn', json={}, timeout=5)


@pytest.mark.parametrize('case', ['https', 'proxy', 'stream', 'other'])
def test_the_rest_goes_through_requests(gateway, monkeypatch, case):
    base = gateway
    if case == 'https':
        base = gateway.replace('http://', 'https://')
    if case == 'proxy':
        monkeypatch.setenv('http_proxy', 'http://proxy.invalid:3128')
        monkeypatch.delenv('no_proxy', raising=False)
        monkeypatch.delenv('NO_PROXY', raising=False)
    session = Session()
    lean = etcd_posts.LeanPosts(session, base)
    kwargs = {'stream': True} if case == 'stream' else {}
    url = ('http://elsewhere.invalid:2379' if case == 'other' else base) \
        + '/v3/watch'
    assert lean.post(url, json={'k': 1}, timeout=5, **kwargs) \
        == 'through requests'
    assert session.posts == [(url, dict(data=None, json={'k': 1},
                                        timeout=5, **kwargs))]
    assert Gateway.calls == []
    # The session's own settings stay readable through it.
    assert lean.verify is True


def test_install_is_for_etcd3gw_clients_only(gateway):
    class Client:
        session = requests.Session()
        base_url = gateway

    class Member:
        client = Client()

    member = Member()
    etcd_posts.install(member)
    assert isinstance(member.client.session, etcd_posts.LeanPosts)

    class Other:
        pass

    other = Other()
    etcd_posts.install(other)
    assert not hasattr(other, 'client')
