"""The services table of the volume database: one row per process of the
volume service (``host`` + ``binary``), with its heartbeat (Cinder's
``services``), kept by ``runtime.services_table``."""

from snapvol_api.runtime import heartbeat
from snapvol_api.runtime import services_table
from snapvol_volume.db import common
from snapvol_volume.db import models

SERVICE_FILTERS = services_table.FILTERS

_TABLE = services_table.ServicesTable(models.Service, common.session)
service_heartbeat = _TABLE.heartbeat
service_get = _TABLE.get
service_get_all = _TABLE.get_all
service_live_runs = _TABLE.live_runs
service_is_up = heartbeat.service_is_up
