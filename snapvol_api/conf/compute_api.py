from oslo_config import cfg

group = cfg.OptGroup('compute_api', title='Compute admin API options')

opts = [
    cfg.HostAddressOpt('listen',
                       default='0.0.0.0',
                       help='Address the compute admin API listens on. It '
                            'is an internal API: keep it off public '
                            'networks.'),
    cfg.PortOpt('port',
                default=8774,
                help='Port the compute admin API listens on.'),
    cfg.IntOpt('threads',
               default=16,
               min=1,
               help='Threads serving API requests.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
