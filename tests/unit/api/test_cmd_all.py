"""snapvol-all's start-up order and how its volume manager reaches its
compute API."""

import pytest

from snapvol_api import exception
from snapvol_api.cmd import all as all_cmd
from snapvol_api.rest import auth


class Recorder:

    def __init__(self):
        self.events = []

    def __call__(self, event):
        self.events.append(event)


class Heartbeat:

    def __init__(self, name, record):
        self.name, self.record = name, record

    def start(self):
        self.record('beat %s' % self.name)

    def stop(self):
        self.record('no more beats of %s' % self.name)


@pytest.fixture
def run(monkeypatch, config):
    """Runs main() with every part replaced by one that records what
    happens to it; returns (exit status, events, what the parts were
    given). ``busy`` names the app whose port is taken."""
    config.config(group='compute_api', listen='0.0.0.0', port=8774)
    record = Recorder()
    given = {}
    busy = []
    refusing = []

    def setup(name):
        def setup_app(**kwargs):
            given[name + '_app'] = kwargs
            record('build %s app' % name)
            return name
        return setup_app

    class Server:
        def __init__(self, app, host, port, threads, name):
            self.app, self.host, self.port = app, host, port
            self.name = name

        @property
        def local_url(self):
            return 'http://127.0.0.1:%d' % self.port

        def bind(self):
            if self.app in busy:
                raise OSError(98, 'Address already in use')
            record('bind %s' % self.app)
            return self

        def serve(self):
            record('serve %s' % self.app)

        def stop(self):
            record('stop %s' % self.app)

    class Service:
        def __init__(self, name, **kwargs):
            self.name = name
            given[name + '_service'] = kwargs

        def start(self):
            if self.name in refusing:
                raise exception.ConfigInvalid(reason='another host is up')
            record('start %s manager' % self.name)

        def stop(self):
            record('stop %s manager' % self.name)

    monkeypatch.setattr(all_cmd.service, 'prepare', lambda *a, **k: None)
    monkeypatch.setattr(all_cmd, '_migrate', lambda: record('migrate'))
    monkeypatch.setattr(all_cmd, '_api_heartbeats', lambda: [
        Heartbeat('volume api', record), Heartbeat('compute api', record)])
    monkeypatch.setattr(all_cmd.volume_api_cmd, 'setup_app', setup('volume'))
    monkeypatch.setattr(all_cmd.compute_api_cmd, 'setup_app',
                        setup('compute'))
    monkeypatch.setattr(all_cmd.wsgi, 'Server', Server)
    monkeypatch.setattr(all_cmd.compute_service, 'ComputeService',
                        lambda **kw: Service('compute', **kw))
    monkeypatch.setattr(all_cmd.volume_service, 'VolumeService',
                        lambda **kw: Service('volume', **kw))
    monkeypatch.setattr(
        all_cmd.volume_compute.ComputeClient, 'in_process',
        lambda endpoint, token: given.setdefault('client', (endpoint, token)))
    monkeypatch.setattr(all_cmd.service, 'wait_for_signal',
                        lambda *stoppers: [stop() for stop in stoppers])

    def main(busy_app=None, refused=None):
        busy.append(busy_app)
        refusing.append(refused)
        return all_cmd.main(), record.events, given
    return main


@pytest.fixture
def started(run):
    status, events, given = run()
    assert status == 0
    return events, given


def test_nothing_answers_before_both_apps_and_its_manager(started):
    events, _given = started
    assert events == [
        'migrate',
        'build volume app', 'build compute app',
        'bind volume', 'bind compute',
        'start compute manager', 'serve compute',
        'start volume manager', 'serve volume',
        'beat volume api', 'beat compute api',
        'stop volume', 'stop compute',
        'stop volume manager', 'stop compute manager',
        'no more beats of volume api', 'no more beats of compute api',
    ]


def test_the_volume_manager_uses_the_compute_apps_secret(started):
    _events, given = started
    token = given['compute_app']['internal_token']
    assert len(token) >= auth.InternalAdmin.MIN_TOKEN_LENGTH
    assert given['volume_app'] == {}
    assert given['client'] == ('http://127.0.0.1:8774/v2.1', token)
    assert given['volume_service'] == {'compute': given['client']}


def test_a_port_in_use_stops_the_start(run):
    status, events, _given = run(busy_app='compute')
    assert status == 1
    assert events == ['migrate', 'build volume app', 'build compute app',
                      'bind volume', 'stop volume']


@pytest.mark.parametrize('refused', ['compute', 'volume'])
def test_a_manager_refused_at_start_ends_it_cleanly(run, refused):
    """A manager that must not start (another host is up on its database
    without what sharing it needs) ends snapvol-all with status 1, its
    servers stopped, never serving."""
    status, events, _given = run(refused=refused)
    assert status == 1
    assert 'serve volume' not in events
    stopped = {'compute': ['stop volume', 'stop compute'],
               'volume': ['stop volume', 'stop compute',
                          'stop compute manager']}[refused]
    assert events[-len(stopped):] == stopped
