from oslo_config import cfg

group = cfg.OptGroup('volume', title='Volume manager options')

opts = [
    cfg.StrOpt('shares_config',
               help='File listing the shares volumes are kept on, one a '
                    'line: "local:/path", "glusterfs:HOST:/VOLNAME" or '
                    '"nfs:HOST:/EXPORT", the last optionally followed by '
                    '"-o OPTIONS", mount options of that share alone '
                    '(they replace nfs_mount_options). Blank lines and '
                    'lines starting with "#" are ignored. When unset, a '
                    'single local share at $state_path/volumes is used.'),
    cfg.StrOpt('mount_point_base',
               default='$state_path/mnt',
               help='Directory under which network shares are mounted, '
                    'one sub-directory per share.'),
    cfg.StrOpt('glusterfs_mount_options',
               default='direct-io-mode=enable,attribute-timeout=0,'
                       'entry-timeout=0,negative-timeout=0',
               help='Options of "mount -t glusterfs". The defaults keep no '
                    'page, attribute or entry cache: QEMU writes the same '
                    'files over libgfapi, and the volume manager must read '
                    'their headers as they are now.'),
    cfg.StrOpt('nfs_mount_options',
               help='Options of NFS mounts (Cinder\'s nfs_mount_options), '
                    'e.g. "vers=4.1,hard": for the kernel client those of '
                    '"mount -t nfs", for the user-space client those of '
                    'snapvol-nfs-fuse. A share line\'s "-o OPTIONS" '
                    'replaces them for that share. Unset: the client\'s '
                    'defaults.'),
    cfg.StrOpt('nfs_client',
               default='auto',
               choices=('auto', 'kernel', 'fuse'),
               help='How NFS shares are mounted: "kernel" with "mount -t '
                    'nfs", as Cinder and Nova do; "fuse" with snapvol-nfs-'
                    'fuse, snapvol\'s user-space NFSv3 client over FUSE, '
                    'for hosts whose kernel has no NFS client (containers, '
                    'some CI machines); "auto": the kernel\'s client when '
                    'the kernel has one, else the user-space one.'),
    cfg.StrOpt('file_owner',
               help='"user[:group]" given the volume files this service '
                    'creates. QEMU opening volumes over libgfapi ([libvirt] '
                    'qemu_allowed_storage_drivers = gluster) checks access '
                    'as its own user (libvirt-qemu on Debian), and libvirt '
                    'changes the owner only of files it opens itself. '
                    'Unset: the service\'s own user keeps them.'),
    cfg.StrOpt('volume_format',
               default='raw',
               choices=('raw', 'qcow2'),
               help='Format of the base file of new volumes.'),
    cfg.IntOpt('max_volume_size',
               default=1024,
               min=1,
               help='Largest volume size accepted, in GiB.'),
    cfg.FloatOpt('max_over_subscription_ratio',
                 default=20.0,
                 min=1.0,
                 help='How far the sizes of the volumes on a share may '
                      'exceed its size (their files are thin: they take '
                      'only what is written), as Cinder\'s option of that '
                      'name: a volume is refused when the sizes on its '
                      'share would pass this many times the share\'s '
                      'size, or its free space times this.'),
    cfg.IntOpt('reserved_percentage',
               default=0,
               min=0,
               max=100,
               help='Percent of each share\'s size kept free: new volumes '
                    'see only the free space beyond it, as Cinder\'s '
                    'option of that name.'),
    cfg.IntOpt('worker_threads',
               default=8,
               min=1,
               help='Threads running long volume operations (qemu-img '
                    'create, commit, convert) in the volume manager.'),
    cfg.IntOpt('assisted_snapshot_create_timeout',
               default=600,
               min=1,
               help='Seconds the volume manager waits for the compute '
                    'service to report an attached snapshot create; then '
                    'the snapshot fails, unless the domain did switch to '
                    'the new file after all.'),
    cfg.IntOpt('assisted_snapshot_delete_timeout',
               default=7200,
               min=1,
               help='Seconds the volume manager waits for the compute '
                    'service to report the merge of an attached snapshot.'),
    cfg.BoolOpt('live_active_commit',
                default=True,
                help='Whether the newest snapshot of a volume a running '
                     'guest uses may be deleted by committing the active '
                     'file into the file below (an active block commit and '
                     'a pivot) when that moves fewer bytes than pulling '
                     'the file below up. Upstream Nova\'s libvirt driver '
                     'does no active commit: set false when the compute '
                     'service is upstream Nova.'),
    cfg.IntOpt('offline_merge_bandwidth',
               default=0,
               min=0,
               help='Bandwidth limit in MiB/s of the qemu-img commits that '
                    'delete snapshots of detached volumes and of shut-off '
                    'instances (0: unlimited), so that a merge does not '
                    'starve the guests on the share. qemu-img rebase, which '
                    'pulls, has no limit. Running guests\' merges follow '
                    '[libvirt] block_job_bandwidth.'),
    cfg.IntOpt('max_chain_depth',
               default=16,
               min=0,
               help='Most snapshots a volume may have in its chain of '
                    'files: past it, a new snapshot is refused (400) until '
                    'one is deleted. Each snapshot adds a layer that a read '
                    'of older data passes through, and QEMU\'s cost per '
                    'read grows with the square of the depth: in '
                    'tools/bench-chain-depth a random 4 KiB read costs '
                    'about 1.2 times depth 1\'s at 16 layers, 1.9 times at '
                    '32 and 3 times at 64, and deleting the newest snapshot '
                    'opens every layer below it. 0: no limit. The '
                    'snapvol:keep_snapshots volume metadata (or volume '
                    'type extra spec) deletes the oldest snapshots '
                    'instead, once a new one is available.'),
    cfg.FloatOpt('report_poll_interval',
                 default=1.0,
                 min=0.01,
                 help='Seconds between two reads of the database by a '
                      'worker waiting for a report of the compute service. '
                      'A report received by this manager wakes its worker '
                      'at once; one that another manager of the cluster '
                      'received (and stored in the database) is seen at '
                      'the next read.'),
    cfg.BoolOpt('compute_api_required',
                default=True,
                help='Whether snapvol-volume refuses to start when the '
                     '[nova] options cannot reach the compute API (no '
                     'auth_type, endpoint or credentials). The volume '
                     'manager calls that API for every snapshot of an '
                     'attached volume; set false for a deployment without '
                     'attached volumes, which then starts with a warning. '
                     'snapvol-all ignores it: it calls its own compute API.'),
    cfg.IntOpt('qemu_img_timeout',
               default=3600,
               min=1,
               help='Seconds after which a qemu-img command is killed and '
                    'its operation fails.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
