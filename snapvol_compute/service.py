"""The compute manager as an RPC server: on its topic, with the host name
as server, so calls can reach any compute manager or this one. Its
heartbeat records the host's capacity for the scheduler."""

from oslo_log import log as logging
import oslo_messaging as messaging

from snapvol_api import rpc
from snapvol_api.conf import CONF
from snapvol_api.rpc import compute_rpcapi
from snapvol_api.runtime import heartbeat as heartbeat_mod
from snapvol_compute import bootstrap
from snapvol_compute import services
from snapvol_compute.db import api as db_api

LOG = logging.getLogger(__name__)


class ComputeService:

    def __init__(self):
        self.manager = bootstrap.compute_manager(CONF.host)
        target = messaging.Target(topic=compute_rpcapi.TOPIC,
                                  server=CONF.host)
        self.server = rpc.get_server(target, [self.manager])
        self.heartbeat = services.heartbeat(
            db_api, CONF.host, services.MANAGER_BINARY,
            heartbeat_mod.new_run_id(), topic=compute_rpcapi.TOPIC,
            zone=services.COMPUTE_ZONE, capacity=self.manager.capacity)

    def start(self):
        """ConfigInvalid when the compute manager of another host is up
        on a deployment that can have one compute host only (see
        services.single_host_reason)."""
        services.refuse_other_hosts(
            db_api, CONF.host, services.single_host_reason(
                CONF.compute.connection, CONF.transport_url))
        self.heartbeat.start()
        self.manager.init_host()
        self.server.start()
        LOG.info('Compute service of host %s started (%s, %s)', CONF.host,
                 CONF.libvirt.connection_uri, CONF.libvirt.virt_type)

    def stop(self):
        self.server.stop()
        self.server.wait()
        self.manager.stop()
        self.heartbeat.stop()
