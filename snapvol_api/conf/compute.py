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
                    'volume attachments, block jobs in flight). Its pool '
                    'and retries are set by the [database] options.'),
    cfg.StrOpt('instances_path',
               default='$state_path/instances',
               help='Directory of per-instance files: '
                    '<instances_path>/<instance id>/console.log holds the '
                    'serial console.'),
    cfg.StrOpt('kernels_path',
               help='Directory of kernels and initramfs images that '
                    'servers may boot directly (server metadata kernel_id, '
                    'ramdisk_id and os_command_line, as the Nova image '
                    'properties; the ids are file names in this '
                    'directory). Unset: only booting from the volume.'),
    cfg.IntOpt('guest_agent_timeout',
               default=10,
               min=1,
               help='Seconds libvirt waits for the guest agent (freeze, '
                    'thaw) before the quiesced snapshot fails.'),
    cfg.FloatOpt('freeze_warn_seconds',
                 default=10.0,
                 min=0,
                 help='A snapshot that holds its guest (the freeze, the '
                      'transaction and the thaw) for longer than this is '
                      'logged as a warning, and a group snapshot records '
                      'it in its members\' metadata. 10 s is as long as '
                      'Windows VSS keeps a freeze.'),
    cfg.IntOpt('thaw_retry_timeout',
               default=600,
               min=0,
               help='After a failed quiesce, for how many seconds the '
                    'compute manager keeps asking an unanswering guest '
                    'agent to thaw: a stopped agent that wakes up runs '
                    'the freeze it was sent, and would stay frozen.'),
    cfg.IntOpt('shutdown_timeout',
               default=60,
               min=0,
               help='Seconds a stopping server is given to shut down '
                    'cleanly (ACPI power button, or its guest agent) '
                    'before it is destroyed (powered off at once). A '
                    'guest without an OS never shuts down by itself. As '
                    'Nova\'s [DEFAULT] shutdown_timeout.'),
    cfg.IntOpt('reboot_timeout',
               default=120,
               min=0,
               help='Seconds a soft reboot waits for the guest to shut '
                    'down before it falls back to a hard reboot (destroy '
                    'and start), as Nova\'s [libvirt] '
                    'wait_soft_reboot_seconds.'),
    cfg.IntOpt('block_device_allocate_retries',
               default=60,
               min=0,
               help='How many times a build checks that the volumes it '
                    'made from snapshots (booting from a server\'s image) '
                    'are available before the server goes to ERROR, as '
                    'Nova\'s option of that name.'),
    cfg.FloatOpt('block_device_allocate_retries_interval',
                 default=3.0,
                 min=0,
                 help='Seconds between those checks, as Nova\'s option of '
                      'that name.'),
    cfg.IntOpt('worker_threads',
               default=8,
               min=1,
               help='Threads running builds, server actions, snapshot '
                    'creates and block jobs.'),
    # What this host offers new servers: its heartbeat records these with
    # libvirt's vCPUs and memory, and the scheduler places a server where
    # its flavor fits in (total - reserved) x ratio, as placement counts.
    cfg.FloatOpt('cpu_allocation_ratio',
                 default=4.0,
                 min=0.0,
                 help='Virtual CPUs of servers per physical CPU of this '
                      'host. 4.0 is Nova\'s current default '
                      '(initial_cpu_allocation_ratio; 16.0 in older '
                      'releases).'),
    cfg.FloatOpt('ram_allocation_ratio',
                 default=1.0,
                 min=0.0,
                 help='Memory of servers per MiB of this host\'s memory '
                      'left after reserved_host_memory_mb. 1.0 (no '
                      'overcommit) is Nova\'s current default '
                      '(initial_ram_allocation_ratio; 1.5 in older '
                      'releases).'),
    cfg.IntOpt('reserved_host_memory_mb',
               default=512,
               min=0,
               help='MiB of this host\'s memory kept for the host itself, '
                    'never given to servers, as Nova\'s option of that '
                    'name (and its default).'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
