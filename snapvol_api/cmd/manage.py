"""snapvol-manage: administration commands.

``db sync|version`` for the volume database ([database] connection),
``compute_db sync|version`` for the compute database ([compute]
connection).
"""

import sys

from oslo_config import cfg

from snapvol_api.conf import CONF
from snapvol_compute.db import migration as compute_migration
from snapvol_volume.db import migration as volume_migration

DATABASES = {
    'db': (volume_migration, lambda: CONF.database.connection),
    'compute_db': (compute_migration, lambda: CONF.compute.connection),
}


def _sync(migration, url):
    migration.upgrade(url)
    print('Database is at revision %s' % migration.current_revision(url))


def _version(migration, url):
    print(migration.current_revision(url) or 'none')


COMMANDS = {
    category: {
        'sync': lambda m=migration, u=url: _sync(m, u()),
        'version': lambda m=migration, u=url: _version(m, u()),
    }
    for category, (migration, url) in DATABASES.items()
}


def _add_parsers(subparsers):
    for category, actions in COMMANDS.items():
        parser = subparsers.add_parser(category)
        action = parser.add_subparsers(dest='action', required=True)
        for name, func in actions.items():
            action.add_parser(name, help=func.__doc__)


def main():
    CONF.register_cli_opt(cfg.SubCommandOpt(
        'category', title='Commands', handler=_add_parsers))
    CONF(sys.argv[1:], project='snapvol')
    COMMANDS[CONF.category.name][CONF.category.action]()
