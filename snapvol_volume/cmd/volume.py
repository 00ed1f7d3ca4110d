"""snapvol-volume: the volume manager."""

import sys

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api.runtime import service
from snapvol_volume import compute
from snapvol_volume import service as volume_service

LOG = logging.getLogger(__name__)


def main():
    service.prepare(sys.argv)
    try:
        compute.check_startup()
        server = volume_service.VolumeService()
        server.start()
    except exception.ConfigInvalid as exc:
        LOG.error('snapvol-volume cannot start: %s', exc)
        # The log may be a file; whoever started the process reads this.
        print('snapvol-volume cannot start: %s' % exc, file=sys.stderr)
        return 1
    service.wait_for_signal(server.stop)
    return 0
