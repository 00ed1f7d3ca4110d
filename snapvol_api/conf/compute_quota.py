"""[compute_quota]: each project's compute limits, as Nova's [quota]
options of the same names and defaults. GET /v2.1/limits shows them with
the project's usage; -1 is no limit."""

from oslo_config import cfg

group = cfg.OptGroup('compute_quota', title='Per-project compute quotas')


def _limit(name, default, what):
    return cfg.IntOpt(name, default=default, min=-1,
                      help='%s (-1: no limit), as Nova\'s [quota] %s.'
                           % (what, name))


opts = [
    _limit('instances', 10, 'Servers a project may have'),
    _limit('cores', 20, 'vCPUs of the servers of a project'),
    _limit('ram', 51200, 'MiB of memory of the servers of a project'),
    _limit('metadata_items', 128, 'Metadata items of a server (or image)'),
    _limit('injected_files', 5,
           'Files injected into a server (snapvol injects none)'),
    _limit('injected_file_content_bytes', 10240,
           'Bytes of an injected file'),
    _limit('key_pairs', 100, 'Key pairs of a user (snapvol keeps none)'),
    _limit('server_groups', 10,
           'Server groups of a project (snapvol keeps none)'),
    _limit('server_group_members', 10, 'Servers of a server group'),
    # Nova shows these nova-network limits below 2.36; snapvol has no
    # networks, and no usage of them to count.
    _limit('floating_ips', 10, 'Floating IPs of a project'),
    _limit('security_groups', 10, 'Security groups of a project'),
    _limit('security_group_rules', 20, 'Rules of a security group'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
