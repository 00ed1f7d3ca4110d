"""Share drivers: where a share's files are and how to reach them."""

import os

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_volume.drivers import base
from snapvol_volume.drivers import glusterfs
from snapvol_volume.drivers import local
from snapvol_volume.drivers import nfs

DRIVERS = {
    'local': local.LocalShareDriver,
    'glusterfs': glusterfs.GlusterfsShareDriver,
    'nfs': nfs.NfsShareDriver,
}


def parse_shares(path):
    """[(kind, location)] from a shares file; see [volume] shares_config."""
    shares = []
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            kind, sep, location = line.partition(':')
            if not sep or kind not in DRIVERS:
                raise exception.InvalidShareConfig(
                    path=path, line=number,
                    reason='expected KIND:LOCATION with KIND one of %s'
                           % ', '.join(sorted(DRIVERS)))
            reason = DRIVERS[kind].check_location(location)
            if reason:
                raise exception.InvalidShareConfig(path=path, line=number,
                                                   reason=reason)
            shares.append((kind, location))
    if not shares:
        raise exception.InvalidShareConfig(path=path, line=0,
                                           reason='no share is listed')
    return shares


def load_shares():
    """{share name: driver} of the configured shares, not yet mounted."""
    base.file_owner(CONF.volume.file_owner)     # a bad one stops start-up
    if CONF.volume.shares_config:
        specs = parse_shares(CONF.volume.shares_config)
    else:
        specs = [('local', os.path.join(CONF.state_path, 'volumes'))]
    drivers = (DRIVERS[kind](location) for kind, location in specs)
    return {driver.name: driver for driver in drivers}
