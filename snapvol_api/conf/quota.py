"""[quota]: each project's default limits, as Cinder's quota_* options
(which are read here under their Cinder names too). -1 is no limit."""

from oslo_config import cfg

group = cfg.OptGroup('quota', title='Per-project quotas')


def _limit(name, default, what):
    return cfg.IntOpt(name, default=default, min=-1,
                      deprecated_name='quota_' + name,
                      deprecated_group='DEFAULT',
                      help='Default number of %s a project may have '
                           '(-1: no limit); os-quota-sets changes it for '
                           'one project.' % what)


opts = [
    _limit('volumes', 10, 'volumes'),
    _limit('snapshots', 10, 'snapshots'),
    _limit('gigabytes', 1000,
           'GiB of volumes and snapshots (a snapshot counts the size of '
           'its volume, as in Cinder)'),
    _limit('groups', 10, 'groups'),
    _limit('backups', 10, 'backups'),
    _limit('backup_gigabytes', 1000, 'GiB of backups'),
    cfg.IntOpt('per_volume_gigabytes', default=-1, min=-1,
               deprecated_name='per_volume_size_limit',
               deprecated_group='DEFAULT',
               help='Largest volume a project may create, in GiB (-1: as '
                    'large as [volume] max_volume_size allows).'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
