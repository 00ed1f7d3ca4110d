"""[export]: where os-volume_upload_image (and a snapshot's export)
writes a volume's data as a standalone image, in place of an image
service."""

from oslo_config import cfg

group = cfg.OptGroup('export', title='Volume and snapshot exports')

opts = [
    cfg.StrOpt('path',
               default='$state_path/export',
               help='Directory exports are written to: '
                    '<path>/<project id>/<image_name>, each a raw or qcow2 '
                    'file with no backing file, readable by this '
                    'service\'s user only. Every volume manager of a '
                    'cluster must see the same one.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
