"""snapvol-all as a newcomer runs it: SQLite, in-process messaging, no
[nova] section. Its volume manager reaches its own compute API with the
secret the process made at start, under noauth and http_basic, while any
other caller of that API still needs an administrator's credentials; and
no request gets a 5xx while the process starts.
"""

import configparser
import threading
import time
import uuid

from cinderclient import client as cinder_client
from cinderclient import exceptions as cinder_exc
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from novaclient import client as nova_client
import pytest
import requests

from .test_end_to_end import Attached


def _without_nova_section(svc):
    """The harness configures [nova] for the separate processes; a
    newcomer's snapvol-all has none."""
    parser = configparser.RawConfigParser()
    parser.optionxform = str
    parser.read(svc.config_file)
    parser.remove_section('nova')
    with open(svc.config_file, 'w') as f:
        parser.write(f)


def embedded(service_factory, share_dir, auth_strategy, start=True):
    svc = service_factory(
        embedded=True, start=False, shares=['local:%s' % share_dir],
        extra_config={'DEFAULT': {'auth_strategy': auth_strategy}})
    _without_nova_section(svc)
    svc.auth_strategy = auth_strategy
    if start:
        svc.start()
    return svc


class NoAuthClients:
    """What ``ServiceProcesses.client()``/``.nova()`` hand out, for
    auth_strategy noauth: X-Auth-Token "user:project"."""

    def __init__(self, svc):
        self.svc = svc

    def _session(self, endpoint, token):
        return ks_session.Session(
            auth=token_endpoint.Token(endpoint, token), timeout=60)

    def client(self, user='alice', version='3.0'):
        u = self.svc.user(user)
        return cinder_client.Client(version, session=self._session(
            f'{self.svc.url}/v3/{u.project}', f'{u.name}:{u.project}'))

    def nova(self, user='admin', version='2.1'):
        u = self.svc.user(user)
        return nova_client.Client(version, session=self._session(
            f'{self.svc.compute_url}/v2.1', f'{u.name}:{u.project}'))


def clients(svc):
    return NoAuthClients(svc) if svc.auth_strategy == 'noauth' else svc


def assert_compute_api_refuses_outsiders(svc):
    """Admin-only as ever: no credentials, a member's, or a made-up
    token get 401 or 403, and reach no manager."""
    url = f'{svc.compute_url}/v2.1/os-assisted-volume-snapshots'
    body = {'snapshot': {'volume_id': str(uuid.uuid4()), 'create_info': {
        'snapshot_id': str(uuid.uuid4()), 'type': 'qcow2',
        'new_file': 'x'}}}
    alice = svc.user('alice')
    guesses = [{}, {'headers': {'X-Auth-Token': 'x' * 43}},
               {'headers': {'X-Auth-Token': uuid.uuid4().hex * 2}}]
    if svc.auth_strategy == 'noauth':
        attempts = [({}, 401),
                    ({'headers': {'X-Auth-Token': alice.name}}, 403)]
        # Any other token is a member (noauth trusts the user name).
        attempts += [(kwargs, 403) for kwargs in guesses[1:]]
    else:
        attempts = [(kwargs, 401) for kwargs in guesses]
        attempts.append(({'auth': (alice.name, alice.password)}, 403))
    for kwargs, status in attempts:
        for method, path in (('POST', url),
                             ('GET', f'{svc.compute_url}/v2.1/servers')):
            r = requests.request(method, path, json=body, timeout=30,
                                 **kwargs)
            assert r.status_code == status, (method, path, kwargs, r.text)


@pytest.mark.parametrize('auth_strategy', ['noauth', 'http_basic'])
def test_live_snapshots_without_nova_options(service_factory, share_dir,
                                             tmp_path, auth_strategy):
    svc = embedded(service_factory, share_dir, auth_strategy)
    vol = Attached(clients(svc), share_dir, tmp_path)
    try:
        vol.write(0x11)
        first = vol.snapshot()
        vol.write(0x22)
        second = vol.snapshot()
        vol.write(0x33)
        vol.verify()
        assert vol.domain_chain()[0] == vol.overlay(second)
        listed = {s.id: s.status for s in vol.cinder.volume_snapshots.list()}
        assert listed == {first: 'available', second: 'available'}

        assert_compute_api_refuses_outsiders(svc)

        vol.delete(first)
        vol.verify()
        vol.write(0x44)
        vol.delete(second)
        vol.verify()
        assert list(vol.info) == ['active']
        for snapshot_id in (first, second):
            with pytest.raises(cinder_exc.NotFound):
                vol.cinder.volume_snapshots.get(snapshot_id)
            assert svc.query('SELECT deleted FROM snapshots WHERE id = :id',
                             id=snapshot_id) == [(True,)]
    finally:
        vol.nova.servers.delete(vol.server_id)


# Start-up -------------------------------------------------------------------

# Before the fix, one start in several of snapvol-all answered a few of
# these with a 500 (a request in flight while the second pecan app was
# built).
STARTS = 3
REQUESTS_PER_START = 300
THREADS = 8


def _credentials(svc, user):
    u = svc.user(user)
    if svc.auth_strategy == 'noauth':
        return {'headers': {'X-Auth-Token': f'{u.name}:{u.project}'}}
    return {'auth': (u.name, u.password)}


def _requests(svc):
    alice, admin = _credentials(svc, 'alice'), _credentials(svc, 'admin')
    project = svc.user('alice').project
    # Mostly requests that go to a manager: they stay in flight longest.
    return [
        (f'{svc.url}/v3/{project}/volumes', alice),
        (f'{svc.url}/v3/{project}/snapshots/detail', alice),
        (svc.compute_url + '/v2.1/servers', admin),
        (f'{svc.url}/v3/{project}/volumes/detail', alice),
        (svc.url + '/', {}),
        (f'{svc.url}/v3/{project}/snapshots', alice),
        (svc.compute_url + '/v2.1/', {}),
        (svc.compute_url + '/v2.1/flavors', admin),
    ]


def _hammer(svc, deadline):
    """Requests to both APIs from several threads, each retrying until its
    port accepts; returns [(url, status)] of the first
    REQUESTS_PER_START answers."""
    paths = _requests(svc)
    answers = []
    lock = threading.Lock()

    def worker(offset):
        session = requests.Session()
        i = offset
        while time.monotonic() < deadline:
            with lock:
                if len(answers) >= REQUESTS_PER_START:
                    return
            url, kwargs = paths[i % len(paths)]
            i += 1
            try:
                r = session.get(url, timeout=30, **kwargs)
            except requests.ConnectionError:
                # Not bound yet: again within 5 ms (eight threads spinning
                # on refused connects took a core from the start itself).
                time.sleep(0.005)
                continue
            with lock:
                answers.append((url, r.status_code, r.text[:200]))

    threads = [threading.Thread(target=worker, args=(n,))
               for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.parametrize('auth_strategy', ['noauth', 'http_basic'])
def test_no_5xx_while_starting(service_factory, share_dir, auth_strategy):
    svc = embedded(service_factory, share_dir, auth_strategy, start=False)
    for start in range(STARTS):
        svc.spawn('snapvol-all')
        answers = _hammer(svc, time.monotonic() + 60)
        svc.wait_ready()
        assert len(answers) >= REQUESTS_PER_START, (start, len(answers))
        errors = [a for a in answers if a[1] >= 400]
        assert not errors, (start, errors[:5])
        # Both APIs answered.
        assert {url.startswith(svc.compute_url)
                for url, _status, _text in answers} == {True, False}
        assert svc.stop('snapvol-all') == 0


# A separate volume manager needs [nova] -------------------------------------

def _set_option(svc, section, option, value):
    parser = configparser.RawConfigParser()
    parser.optionxform = str
    parser.read(svc.config_file)
    parser.set(section, option, value)
    with open(svc.config_file, 'w') as f:
        parser.write(f)


def test_snapvol_volume_without_nova_options(service_factory):
    svc = service_factory(mode='split', start=False)
    _without_nova_section(svc)
    svc.db_sync()
    svc.spawn('snapvol-volume')
    svc.procs['snapvol-volume'].wait(timeout=60)
    assert svc.stop('snapvol-volume') == 1
    output = svc.out_path('snapvol-volume').read_text()
    for words in ('[nova] auth_type is not set', 'endpoint', 'username',
                  'password', 'compute_api_required = false'):
        assert words in output

    _set_option(svc, 'volume', 'compute_api_required', 'false')
    svc.start(['snapvol-volume'])
    assert ('snapshots of attached volumes will fail'
            in svc.log_path('snapvol-volume').read_text())
