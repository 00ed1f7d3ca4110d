from oslo_config import cfg

group = cfg.OptGroup('volume_api', title='Volume API options')

opts = [
    cfg.HostAddressOpt('listen',
                       default='0.0.0.0',
                       help='Address the volume API listens on.'),
    cfg.PortOpt('port',
                default=8776,
                help='Port the volume API listens on.'),
    cfg.IntOpt('threads',
               default=16,
               min=1,
               help='Threads serving API requests.'),
    cfg.IntOpt('max_limit',
               default=1000,
               min=1,
               help='Most items one list request returns.'),
    cfg.StrOpt('public_endpoint',
               help='Base URL used in links of API responses, when the '
                    'API sits behind a proxy. Defaults to the request '
                    'URL.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
