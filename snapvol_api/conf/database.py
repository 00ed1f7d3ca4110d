"""[database]: oslo.db's own options, those snapvol honours.

The volume service's database is ``[database] connection``; the compute
service's is ``[compute] connection``, with the same pool and retry
settings from here (they are per process, not per database).
"""

import copy

from oslo_config import cfg
from oslo_db import options as oslo_db_options

group = cfg.OptGroup('database', title='Database options')

_USED = (
    'connection', 'connection_debug', 'connection_trace',
    'connection_parameters', 'mysql_sql_mode',
    # The pool of a database server, and the connection at start-up.
    'max_pool_size', 'max_overflow', 'pool_timeout',
    'connection_recycle_time', 'max_retries', 'retry_interval',
    # A transaction that met a deadlock or lost its connection.
    'db_max_retries', 'db_retry_interval', 'db_inc_retry_interval',
    'db_max_retry_interval',
)

# Copies: our default for ``connection`` must not change the library's
# objects (nor a default set with ConfigOpts.set_default, which every
# CONF.reset() forgets).
opts = [copy.deepcopy(opt) for opt in oslo_db_options.database_opts
        if opt.name in _USED]
cfg.set_defaults(opts, connection='sqlite:///$state_path/snapvol.sqlite')
for _opt in opts:
    if _opt.name == 'connection':
        _opt.help = ('SQLAlchemy URL of the volume database, for example '
                     'postgresql+psycopg2://user:pass@host/snapvol or '
                     'mysql+pymysql://user:pass@host/snapvol.')


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
