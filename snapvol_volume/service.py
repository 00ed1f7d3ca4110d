"""The volume manager as an RPC server."""

from oslo_log import log as logging
import oslo_messaging as messaging

from snapvol_api import rpc
from snapvol_api.conf import CONF
from snapvol_api.rpc import volume_rpcapi
from snapvol_volume import manager

LOG = logging.getLogger(__name__)


class VolumeService:

    def __init__(self):
        self.manager = manager.VolumeManager(CONF.host)
        target = messaging.Target(topic=volume_rpcapi.TOPIC, server=CONF.host)
        self.server = rpc.get_server(target, [self.manager])

    def start(self):
        self.manager.init_host()
        self.server.start()
        LOG.info('Volume service of host %s started', CONF.host)

    def stop(self):
        self.server.stop()
        self.server.wait()
        self.manager.stop()
