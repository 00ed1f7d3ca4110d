"""The WSGI server: bound first, answering once told to."""

import socket

from snapvol_api.runtime import wsgi


def _app(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'ok']


def test_connections_wait_until_the_server_serves():
    server = wsgi.Server(_app, '127.0.0.1', 0, 1).bind()
    try:
        client = socket.create_connection(('127.0.0.1', server.port),
                                          timeout=10)
        client.sendall(b'GET / HTTP/1.0\r\n\r\n')
        server.serve()
        assert client.recv(100).startswith(b'HTTP/1.1 200')
        client.close()
    finally:
        server.stop()


def test_local_url():
    for listen, url in (('0.0.0.0', 'http://127.0.0.1:%d'),
                        ('127.0.0.1', 'http://127.0.0.1:%d'),
                        ('::', 'http://[::1]:%d')):
        server = wsgi.Server(_app, listen, 0, 1)
        try:
            server.bind()
        except OSError:
            continue    # no IPv6 here
        try:
            assert server.local_url == url % server.port
        finally:
            server.stop()
