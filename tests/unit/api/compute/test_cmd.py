"""snapvol-compute-api: serves the app on [compute_api] until a signal."""

import functools
import pathlib
import tomllib

import requests

from snapvol_api.cmd import compute_api
from snapvol_api.rest.compute import app
from snapvol_api.runtime import service
from snapvol_compute.db import api as db
from snapvol_compute.db import migration


def test_console_script_is_declared():
    pyproject = pathlib.Path(__file__).parents[4] / 'pyproject.toml'
    scripts = tomllib.loads(pyproject.read_text())['project']['scripts']
    assert scripts['snapvol-compute-api'] == (
        'snapvol_api.cmd.compute_api:main')


def _without_process_setup(monkeypatch, backend):
    # The test's configuration and the fake manager stand in for the
    # command line, the config files and the broker.
    monkeypatch.setattr(service, 'prepare', lambda argv: None)
    monkeypatch.setattr(compute_api, 'setup_app', functools.partial(
        app.setup_app, rpcapi=backend))


def test_main_serves_until_a_signal(monkeypatch, config, htpasswd, backend,
                                    tmp_path):
    config.config(http_basic_auth_user_file=str(htpasswd), host='api-host')
    config.config(group='compute_api', listen='127.0.0.1', port=0)
    url = 'sqlite:///%s' % (tmp_path / 'compute.sqlite')
    config.config(group='compute', connection=url)
    migration.upgrade(url)
    db.dispose()
    _without_process_setup(monkeypatch, backend)
    answers = []

    def wait_for_signal(*stoppers):
        stop = stoppers[0]
        port = stop.__self__.port
        answers.append(requests.get('http://127.0.0.1:%d/v2.1/' % port,
                                    timeout=10).json())
        # Serving, it has beaten once into the compute database.
        answers.append(db.service_get('api-host', 'snapvol-compute-api'))
        for stopper in stoppers:
            stopper()

    monkeypatch.setattr(service, 'wait_for_signal', wait_for_signal)
    try:
        assert compute_api.main() == 0
    finally:
        db.dispose()
    assert answers[0]['version']['id'] == 'v2.1'
    assert (answers[1].availability_zone, answers[1].report_count) == (
        'internal', 1)


def test_main_fails_on_bad_configuration(monkeypatch, config, tmp_path,
                                         backend):
    config.config(http_basic_auth_user_file=str(tmp_path / 'missing'))
    _without_process_setup(monkeypatch, backend)
    assert compute_api.main() == 1
