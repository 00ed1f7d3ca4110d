"""What every unit test shares."""

from cheroot import server as cheroot_server
import pytest


@pytest.fixture(autouse=True)
def _quick_wsgi_stops(monkeypatch):
    """A cheroot server's stop() waits for its select loop, which wakes
    every ``expiration_interval`` (0.5 s): the tests that serve over real
    sockets stop theirs at once instead of sleeping that long each."""
    monkeypatch.setattr(cheroot_server.HTTPServer, 'expiration_interval',
                        0.02)
