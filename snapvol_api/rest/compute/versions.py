"""The microversions the compute API speaks."""

from snapvol_api.rest.microversion import Microversions
from snapvol_api.rest.microversion import Version

SERVICE_TYPE = 'compute'
PREFIX = '/v2.1'
# What novaclient sends below 2.27 (and so at every version we speak).
LEGACY_HEADER = 'X-OpenStack-Nova-API-Version'
MIN_VERSION = Version((2, 1))
# 2.3 is the first microversion that changes a response served here: it
# adds server fields (reservation_id, launch_index, kernel_id, user_data...)
# that the compute manager does not keep. Raise this only with the shapes.
MAX_VERSION = Version((2, 1))
# Nova's date for v2.1, which clients show and never parse.
UPDATED = '2013-07-23T11:33:21Z'

MICROVERSIONS = Microversions(SERVICE_TYPE, MIN_VERSION, MAX_VERSION,
                              legacy_header=LEGACY_HEADER)
