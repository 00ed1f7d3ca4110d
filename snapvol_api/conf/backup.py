"""[backup]: where and how the volume manager writes backups (Cinder's
backups API, its posix driver's chunked format). The option names after
``posix_path`` are Cinder's, so a Cinder operator finds them."""

from oslo_config import cfg

group = cfg.OptGroup('backup', title='Volume backups')

# Cinder's hash block (its backup_sha_block_size_bytes default).
SHA_BLOCK = 32768

opts = [
    cfg.StrOpt('posix_path',
               default='$state_path/backup',
               help='Directory the backups are written to (Cinder\'s '
                    'backup_posix_path), one directory per backup. Every '
                    'volume manager of a cluster must see the same one '
                    '(a shared file system), or one that takes over '
                    'another\'s work cannot read its backups.'),
    cfg.StrOpt('backup_container',
               help='Directory under posix_path for backups whose create '
                    'names no container. Unset: one of their own, '
                    '<id[0:2]>/<id[2:4]>/<id>, as Cinder\'s posix driver '
                    'makes.'),
    cfg.IntOpt('backup_file_size',
               default=1024 * SHA_BLOCK,
               min=SHA_BLOCK,
               help='Largest object of a backup in bytes, before '
                    'compression: a volume is written in objects of this '
                    'size. It is also the size of the buffers the work '
                    'holds in memory (one per object_threads, and one '
                    'more), hence smaller than Cinder\'s default '
                    '(1999994880). Must be a multiple of '
                    'backup_sha_block_size_bytes.'),
    cfg.IntOpt('backup_sha_block_size_bytes',
               default=SHA_BLOCK,
               min=512,
               help='The size in bytes of the blocks whose sha256 an '
                    'incremental backup compares with its parent\'s: only '
                    'the blocks that changed are written.'),
    cfg.StrOpt('backup_compression_algorithm',
               default='zlib',
               ignore_case=True,
               choices=[('none', 'Do not compress'),
                        ('off', "Same as 'none'"),
                        ('no', "Same as 'none'"),
                        ('zlib', 'Deflate (zlib)'),
                        ('gzip', "Same as 'zlib'"),
                        ('bz2', 'Burrows-Wheeler (bz2)'),
                        ('bzip2', "Same as 'bz2'")],
               help='How the objects of a backup are compressed. An object '
                    'that would not shrink is stored as it is (its '
                    'compression then says "none"), as Cinder does.'),
    cfg.IntOpt('compression_level',
               default=1,
               min=1,
               max=9,
               help='How hard zlib and bz2 compress (1: fastest, 9: '
                    'smallest). On disk data, level 1 makes objects '
                    'about the size level 6 (Cinder\'s) makes, in two '
                    'thirds of the time; any level restores the same.'),
    cfg.IntOpt('object_threads',
               default=2,
               min=1,
               help='Objects of one backup hashed and compressed at once, '
                    'each in a thread of its own (zlib, bz2 and sha256 run '
                    'outside Python\'s interpreter lock): about the number '
                    'of CPU cores a backup may use.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
