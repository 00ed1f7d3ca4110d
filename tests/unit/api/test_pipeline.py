"""Apps built while another serves: pecan's request state stays put."""

import threading

import pecan.core
import webtest

from snapvol_api.rest.compute import app as compute_app
from snapvol_api.rest.volume import app as volume_app
from tests.unit.api import fakes


def test_building_an_app_keeps_the_request_state(make_app):
    make_app()
    state = pecan.core.state
    compute_app.setup_app(rpcapi=object())
    volume_app.setup_app(rpcapi=object())
    assert pecan.core.state is state


def test_requests_in_flight_survive_apps_being_built(config, htpasswd):
    # What snapvol-all did at start: the volume API served while the
    # compute API's app was built, and ~1% of requests got a 500.
    config.config(auth_strategy='noauth')
    app = webtest.TestApp(volume_app.setup_app(rpcapi=fakes.FakeVolumeAPI()))
    statuses = []
    done = threading.Event()

    def hammer():
        while not done.is_set():
            statuses.append(app.get(
                '/v3/p1/volumes', headers={'X-Auth-Token': 'alice:p1'},
                expect_errors=True).status_int)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(20):
            compute_app.setup_app(rpcapi=object())
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert statuses and set(statuses) == {200}
