"""os-services on real processes: the volume API and two volume managers
(as on two hosts, over RabbitMQ, PostgreSQL and etcd) heartbeat into the
services table; one manager killed (SIGKILL) shows down once its last
heartbeat is older than service_down_time, while the other, which now
answers the list, stays up."""

from . import harness

MANAGER = 'snapvol-volume'
API = 'snapvol-volume-api'
KILLED = 'snapvol-volume'
SURVIVOR = 'snapvol-volume@b'


def _states(admin):
    return {(s.binary, s.host): s.state for s in admin.services.list()}


def test_os_services_shows_each_process_and_a_dead_manager_down(
        service_factory, etcd_url):
    svc = service_factory(mode='cluster', extra_config={
        'DEFAULT': {'cluster': 'services-test', 'report_interval': 1,
                    'service_down_time': 10},
        'coordination': {'backend_url': etcd_url},
    })
    admin = svc.client('admin', '3.7')
    other_host = svc.host + '-b'
    everyone = {(MANAGER, svc.host): 'up', (MANAGER, other_host): 'up',
                (API, svc.host): 'up'}
    # Each process beats before it serves, but a first beat that the
    # database did not take (a loaded host) is only repeated a
    # report_interval later.
    harness.wait_for(lambda: _states(admin) == everyone, 30,
                     what='every process to be listed up')
    managers = admin.services.list(binary=MANAGER)
    assert {s.cluster for s in managers} == {'services-test'}
    assert {s.zone for s in managers} == {'nova'}

    svc.kill(KILLED)
    harness.wait_for(
        lambda: _states(admin)[(MANAGER, svc.host)] == 'down', 60,
        interval=0.5, what='the killed manager to show down')
    assert _states(admin) == {**everyone, (MANAGER, svc.host): 'down'}
    assert svc.running(SURVIVOR)
