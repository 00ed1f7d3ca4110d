from oslo_config import cfg

group = cfg.OptGroup('database', title='Database options')

opts = [
    cfg.StrOpt('connection',
               default='sqlite:///$state_path/snapvol.sqlite',
               secret=True,
               help='SQLAlchemy URL of the database, for example '
                    'postgresql+psycopg2://user:pass@host/snapvol or '
                    'mysql+pymysql://user:pass@host/snapvol.'),
    cfg.BoolOpt('connection_debug',
                default=False,
                help='Log every SQL statement.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
