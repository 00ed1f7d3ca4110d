"""snapvol-volume: the volume manager."""

import sys

from snapvol_api.runtime import service
from snapvol_volume import service as volume_service


def main():
    service.prepare(sys.argv)
    server = volume_service.VolumeService()
    server.start()
    service.wait_for_signal(server.stop)
