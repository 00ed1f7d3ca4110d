"""The microversions the volume API speaks."""

from snapvol_api.rest.microversion import Microversions
from snapvol_api.rest.microversion import Version

SERVICE_TYPE = 'volume'
PREFIX = '/v3'
MIN_VERSION = Version((3, 0))
# Raise with every microversion we add; clients negotiate against it.
MAX_VERSION = Version((3, 0))
UPDATED = '2025-01-01T00:00:00Z'

MICROVERSIONS = Microversions(SERVICE_TYPE, MIN_VERSION, MAX_VERSION)
