"""snapvol-manage: administration commands (``db sync``, ``db version``)."""

import sys

from oslo_config import cfg

from snapvol_api.conf import CONF
from snapvol_volume.db import migration


def db_sync():
    migration.upgrade(CONF.database.connection)
    print('Database is at revision %s'
          % migration.current_revision(CONF.database.connection))


def db_version():
    print(migration.current_revision(CONF.database.connection) or 'none')


COMMANDS = {'db': {'sync': db_sync, 'version': db_version}}


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
