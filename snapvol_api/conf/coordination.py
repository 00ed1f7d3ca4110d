"""[coordination]: the tooz backend that makes the volume managers' locks
distributed, as Cinder's group of that name. Without one, locks hold in
this host only (the embedded default: one manager)."""

from oslo_config import cfg

group = cfg.OptGroup('coordination', title='Distributed coordination')

opts = [
    cfg.StrOpt('backend_url',
               # It may carry a password (redis://:secret@host:6379).
               secret=True,
               help='The backend URL to use for distributed coordination: '
                    'a tooz URL, for example etcd3+http://127.0.0.1:2379 '
                    '(its ?lock_timeout= is how long a dead member\'s locks '
                    'outlive it, 30 s by default) or '
                    'redis://127.0.0.1:6379. Every volume manager of a '
                    'cluster needs the same one. Unset: locks hold in '
                    'this host only, which is right for one manager.'),
    cfg.IntOpt('outage_tolerance',
               default=60,
               min=0,
               help='Seconds a lock that is waited for is asked again '
                    'while the backend cannot be reached (a restart of '
                    'etcd, say) before the work that waits fails. A lock '
                    'asked for without waiting fails at once.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
