"""From a volume's connection info to the disk source libvirt opens.

The volume service describes where the active file is (seed 000 "Volume
Attach"); this host decides how QEMU reaches it: the file itself (on a
GlusterFS volume or an NFS export, through this host's mount of it), or,
for GlusterFS when
[libvirt] qemu_allowed_storage_drivers has "gluster", a libgfapi network
source (seed 003).
"""

import os

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_api.runtime import glusterfs
from snapvol_api.runtime import nfs
from snapvol_compute.virt import config

GLUSTERD_PORT = 24007


def connector():
    """What the volume service needs to know about this host."""
    return {'host': CONF.host,
            'allowed_protocols':
                list(CONF.libvirt.qemu_allowed_storage_drivers)}


def disk_source(connection_info):
    kind = connection_info.get('driver_volume_type')
    data = connection_info.get('data') or {}
    name, fmt = data.get('name'), data.get('format')
    if not name or '/' in name or fmt not in ('raw', 'qcow2'):
        raise exception.InvalidInput(
            reason='connection info names no plain file and format: %r'
                   % connection_info)
    if kind == 'local':
        return config.DiskSource('file', fmt,
                                 path=os.path.join(data['export'], name))
    if kind == 'glusterfs':
        host, _, volume = data['export'].partition(':/')
        if 'gluster' in CONF.libvirt.qemu_allowed_storage_drivers:
            return config.DiskSource('network', fmt, protocol='gluster',
                                     name='%s/%s' % (volume, name),
                                     hosts=[(host, GLUSTERD_PORT)])
        mount = glusterfs.Mount(data['export'],
                                CONF.libvirt.glusterfs_mount_point_base)
        mount.ensure_mounted()
        return config.DiskSource('file', fmt,
                                 path=os.path.join(mount.path, name))
    if kind == 'nfs':
        # Never QEMU's nfs:// disks: QEMU 7.2 resolves relative backing
        # names there against the overlay's full path, which breaks every
        # chain (tests and Nova alike mount the export on the host).
        options = (data.get('options') or CONF.libvirt.nfs_mount_options
                   or None)
        mount = nfs.Mount(data['export'], CONF.libvirt.nfs_mount_point_base,
                          options, CONF.libvirt.nfs_client)
        mount.ensure_mounted()
        return config.DiskSource('file', fmt,
                                 path=os.path.join(mount.path, name))
    raise exception.InvalidInput(
        reason='unknown volume driver type %r' % kind)
