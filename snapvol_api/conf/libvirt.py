from oslo_config import cfg

group = cfg.OptGroup('libvirt', title='libvirt options of the compute '
                                      'service')

opts = [
    cfg.StrOpt('connection_uri',
               default='qemu:///system',
               help='libvirt connection URI.'),
    cfg.StrOpt('virt_type',
               default='kvm',
               choices=('kvm', 'qemu'),
               help='Domain type: "kvm" (hardware virtualization) or "qemu" '
                    '(TCG emulation, for hosts whose KVM cannot run a '
                    'guest).'),
    cfg.ListOpt('qemu_allowed_storage_drivers',
                default=[],
                help='Storage protocols QEMU may open directly instead of a '
                     'file on a mounted share; "gluster" attaches GlusterFS '
                     'volumes through libgfapi (network disks).'),
    cfg.StrOpt('glusterfs_mount_point_base',
               default='${volume.mount_point_base}',
               help='Where GlusterFS volumes are mounted with FUSE for '
                    'QEMU to open as files, when qemu_allowed_storage_'
                    'drivers lacks "gluster". By default the volume '
                    'service\'s [volume] mount_point_base: one host, one '
                    'mount.'),
    cfg.StrOpt('nfs_mount_point_base',
               default='${volume.mount_point_base}',
               help='Where NFS shares are mounted for QEMU to open their '
                    'volumes as files (QEMU\'s own nfs:// driver is never '
                    'used). By default the volume service\'s [volume] '
                    'mount_point_base: one host, one mount.'),
    cfg.StrOpt('nfs_mount_options',
               default='${volume.nfs_mount_options}',
               help='Options of the NFS mounts of this compute host; by '
                    'default the volume service\'s. Options the volume '
                    'service gives for one share replace them.'),
    cfg.StrOpt('nfs_client',
               default='${volume.nfs_client}',
               choices=('auto', 'kernel', 'fuse'),
               help='How this compute host mounts NFS shares: "kernel", '
                    '"fuse" (snapvol-nfs-fuse) or "auto"; by default as the '
                    '[volume] nfs_client option says.'),
    cfg.IntOpt('block_job_timeout',
               default=3600,
               min=1,
               help='Seconds a block commit or pull may run before it is '
                    'aborted and the snapshot delete reported as failed.'),
    cfg.IntOpt('block_job_bandwidth',
               default=0,
               min=0,
               help='Bandwidth limit of block commit and pull jobs in MiB/s '
                    '(0: unlimited).'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
