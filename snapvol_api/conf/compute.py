from oslo_config import cfg

group = cfg.OptGroup('compute', title='Compute manager options')

opts = [
    cfg.BoolOpt('require_quiesce',
                default=False,
                help='Fail every volume snapshot whose guest filesystems '
                     'cannot be frozen, as if every instance had '
                     'hw_qemu_guest_agent=yes. Otherwise only such instances '
                     'require quiescing, and the others fall back to a '
                     'crash-consistent snapshot.'),
    cfg.StrOpt('connection',
               default='sqlite:///$state_path/compute.sqlite',
               secret=True,
               help='SQLAlchemy URL of the compute database (instances, '
                    'volume attachments, block jobs in flight).'),
    cfg.IntOpt('worker_threads',
               default=8,
               min=1,
               help='Threads running snapshot creates and block jobs.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
