"""Configuration for every snapvol process.

Each option group is declared in one module of this package; everyone else
does ``from snapvol_api.conf import CONF``.
"""

from oslo_config import cfg

from snapvol_api.conf import backup
from snapvol_api.conf import compute
from snapvol_api.conf import compute_api
from snapvol_api.conf import compute_quota
from snapvol_api.conf import coordination
from snapvol_api.conf import database
from snapvol_api.conf import default
from snapvol_api.conf import export
from snapvol_api.conf import libvirt
from snapvol_api.conf import nova
from snapvol_api.conf import quota
from snapvol_api.conf import volume
from snapvol_api.conf import volume_api

CONF = cfg.CONF

default.register_opts(CONF)
database.register_opts(CONF)
volume.register_opts(CONF)
volume_api.register_opts(CONF)
compute.register_opts(CONF)
compute_api.register_opts(CONF)
compute_quota.register_opts(CONF)
coordination.register_opts(CONF)
libvirt.register_opts(CONF)
nova.register_opts(CONF)
quota.register_opts(CONF)
backup.register_opts(CONF)
export.register_opts(CONF)
