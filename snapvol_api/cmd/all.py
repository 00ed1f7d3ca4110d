"""snapvol-all: every snapvol service in one process.

The embedded default: in-process messaging, SQLite databases and the local
share under state_path, so a newcomer needs no broker or database server.

The volume manager reaches the compute API of this process with a secret
made at start and kept in memory (``auth.InternalAdmin``), whatever the
auth_strategy: snapvol-all needs no [nova] options, and ignores their auth
options.

Start-up order, so that no request finds half a process: both WSGI apps
are built (building a pecan app used to break requests in flight) and both
ports bound before anything answers; connections wait in the backlog. The
compute manager starts, then the compute API answers (the volume manager's
recovery may call it); the volume manager starts, then the volume API
answers. Each manager heartbeats from its start, each API once it answers
(os-services).
"""

import secrets
import sys

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api.cmd import compute_api as compute_api_cmd
from snapvol_api.cmd import volume_api as volume_api_cmd
from snapvol_api.conf import CONF
from snapvol_api.runtime import service
from snapvol_api.runtime import wsgi
from snapvol_compute import service as compute_service
from snapvol_compute.db import migration as compute_migration
from snapvol_volume import compute as volume_compute
from snapvol_volume import service as volume_service
from snapvol_volume.db import migration as volume_migration

LOG = logging.getLogger(__name__)

# Bytes of randomness of the internal token (43 URL-safe characters).
INTERNAL_TOKEN_BYTES = 32


def _migrate():
    for migration, url in ((volume_migration, CONF.database.connection),
                           (compute_migration, CONF.compute.connection)):
        if url.startswith('sqlite'):
            # An embedded database needs no separate "db sync" step.
            migration.upgrade(url)


def _api_heartbeats():
    """The two APIs' heartbeats, each in its own service's database."""
    return [volume_api_cmd.heartbeat(), compute_api_cmd.heartbeat()]


def _server(app, group, name):
    options = CONF[group]
    return wsgi.Server(app, options.listen, options.port, options.threads,
                       name=name)


def main():
    service.prepare(sys.argv, default_transport_url='fake:')
    _migrate()
    token = secrets.token_urlsafe(INTERNAL_TOKEN_BYTES)
    try:
        volume_api = _server(volume_api_cmd.setup_app(), 'volume_api',
                             'snapvol-volume-api')
        compute_api = _server(compute_api_cmd.setup_app(internal_token=token),
                              'compute_api', 'snapvol-compute-api')
    except exception.ConfigInvalid as exc:
        LOG.error('%s', exc)
        return 1
    for server in (volume_api, compute_api):
        try:
            server.bind()
        except OSError as exc:
            LOG.error('%s cannot listen: %s', server.name, exc)
            volume_api.stop()
            return 1
    if CONF.nova.auth_type:
        LOG.info('snapvol-all ignores [nova] auth_type %s: its volume '
                 'manager calls the compute API of this process',
                 CONF.nova.auth_type)
    compute_client = volume_compute.ComputeClient.in_process(
        compute_api.local_url + '/v2.1', token)
    compute = compute_service.ComputeService()
    volume = volume_service.VolumeService(compute=compute_client)
    try:
        compute.start()
    except exception.ConfigInvalid as exc:
        LOG.error('snapvol-all cannot start its compute manager: %s', exc)
        volume_api.stop()
        compute_api.stop()
        return 1
    compute_api.serve()
    try:
        volume.start()
    except exception.ConfigInvalid as exc:
        LOG.error('snapvol-all cannot start its volume manager: %s', exc)
        for stop in (volume_api.stop, compute_api.stop, compute.stop):
            stop()
        return 1
    volume_api.serve()
    heartbeats = _api_heartbeats()
    for heartbeat in heartbeats:
        heartbeat.start()
    LOG.info('snapvol-all ready (auth_strategy %s): volume API on port %d, '
             'compute API on port %d', CONF.auth_strategy, volume_api.port,
             compute_api.port)
    service.wait_for_signal(volume_api.stop, compute_api.stop, volume.stop,
                            compute.stop, *[h.stop for h in heartbeats])
    return 0
