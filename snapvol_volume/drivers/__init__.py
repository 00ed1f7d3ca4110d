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
    """[(kind, location, options)] from a shares file; see [volume]
    shares_config. ``options`` is None unless the line ends with
    ``-o OPTIONS`` (nfs only, as Cinder's nfs_shares_config)."""
    shares = []
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            words = line.split()
            if not words or words[0].startswith('#'):
                continue
            try:
                shares.append(_parse_line(words))
            except ValueError as e:
                raise exception.InvalidShareConfig(path=path, line=number,
                                                   reason=str(e))
    if not shares:
        raise exception.InvalidShareConfig(path=path, line=0,
                                           reason='no share is listed')
    return shares


def _parse_line(words):
    kind, sep, location = words[0].partition(':')
    if not sep or kind not in DRIVERS:
        raise ValueError('expected KIND:LOCATION with KIND one of %s'
                         % ', '.join(sorted(DRIVERS)))
    reason = DRIVERS[kind].check_location(location)
    if reason:
        raise ValueError(reason)
    options = None
    if len(words) > 1:
        if not DRIVERS[kind].takes_options:
            raise ValueError('a %s share takes no mount options' % kind)
        if len(words) != 3 or words[1] != '-o':
            raise ValueError('expected KIND:LOCATION [-o OPTIONS], not %r'
                             % ' '.join(words))
        options = words[2]
    return kind, location, options


def load_shares():
    """{share name: driver} of the configured shares, not yet mounted."""
    base.file_owner(CONF.volume.file_owner)     # a bad one stops start-up
    if CONF.volume.shares_config:
        specs = parse_shares(CONF.volume.shares_config)
    else:
        specs = [('local', os.path.join(CONF.state_path, 'volumes'), None)]
    drivers = (DRIVERS[kind](location, options)
               for kind, location, options in specs)
    return {driver.name: driver for driver in drivers}
