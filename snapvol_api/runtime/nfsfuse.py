"""A user-space NFSv3 client: a FUSE file system over nfs-rs, for hosts
whose kernel cannot mount NFS (shared/testbed.md, "NFS").

Every NFS call runs on a pooled nfs-rs connection (nfspool), one caller
at a time on each, so QEMU, qemu-img and the services may use the mount
at once. NFSv3
is stateless and its file handles survive a server restart: a call that
fails on the connection reconnects and is asked again until
``retry_timeout`` runs out (then EIO), like a kernel ``hard`` mount with a
bound. Writes are FILE_SYNC, so fsync has nothing left to flush."""

import contextlib
import errno
import logging
import os
import stat
import threading
import time

import mfusepy
import nfs_rs

from snapvol_api.runtime import nfspool

LOG = logging.getLogger(__name__)

_TYPES = {
    nfs_rs.FileType.FILE: stat.S_IFREG,
    nfs_rs.FileType.DIRECTORY: stat.S_IFDIR,
    nfs_rs.FileType.SYMLINK: stat.S_IFLNK,
    nfs_rs.FileType.BLOCK_DEVICE: stat.S_IFBLK,
    nfs_rs.FileType.CHARACTER_DEVICE: stat.S_IFCHR,
    nfs_rs.FileType.FIFO: stat.S_IFIFO,
    nfs_rs.FileType.SOCKET: stat.S_IFSOCK,
}
BLOCK = 4096


def nfs_path(path):
    """FUSE's /a/b -> the export-relative a/b nfs-rs takes."""
    return path.lstrip('/')


class _Handle:
    """An open file: its nfs-rs File on each pooled client that used it."""

    def __init__(self, path, writable):
        self.path = path
        self.mode = 'r+b' if writable else 'rb'
        self.files = {}          # (id(client), generation) -> nfs_rs.File
        self.lock = threading.Lock()

    def file(self, client, generation, path):
        key = (id(client), generation)
        with self.lock:
            f = self.files.get(key)
        if f is None:
            # FUSE passes the current path, so a renamed file reopens.
            f = client.open(nfs_path(path or self.path), self.mode)
            with self.lock:
                self.files[key] = f
        return f

    def forget(self, f):
        with self.lock:
            self.files = {k: v for k, v in self.files.items() if v is not f}

    def close(self):
        with self.lock:
            files, self.files = list(self.files.values()), {}
        for f in files:
            with contextlib.suppress(Exception):
                f.close()


class NfsFS(mfusepy.Operations):
    use_ns = True

    def __init__(self, pool):
        self.pool = pool
        self._handles = {}
        self._next_fh = 1
        self._lock = threading.Lock()

    # -- helpers --------------------------------------------------------

    def _call(self, name, path, *args, replay_ok=None, **kwargs):
        return self.pool.call(
            lambda c: getattr(c, name)(nfs_path(path), *args, **kwargs),
            replay_ok=replay_ok)

    def _new_handle(self, path, writable):
        with self._lock:
            fh = self._next_fh
            self._next_fh += 1
            self._handles[fh] = _Handle(path, writable)
        return fh

    def _io(self, fh, path, fn):
        handle = self._handles[fh]

        def run(client):
            f = handle.file(client, self.pool.generation, path)
            try:
                return fn(f)
            except Exception as e:
                if nfspool.is_transient(e):
                    # The File died with its connection: reopen it.
                    handle.forget(f)
                raise
        return self.pool.call(run)

    # -- attributes -----------------------------------------------------

    def getattr(self, path, fh=None):
        info = self._call('stat', path)
        return {
            'st_mode': _TYPES.get(info.type, 0) | (info.mode & 0o7777),
            'st_ino': info.fileid, 'st_nlink': info.nlink,
            'st_uid': info.uid, 'st_gid': info.gid, 'st_size': info.size,
            'st_blocks': (info.used + 511) // 512, 'st_blksize': BLOCK,
            'st_atime': info.atime, 'st_mtime': info.mtime,
            'st_ctime': info.ctime,
        }

    def chmod(self, path, mode):
        self._call('chmod', path, mode & 0o7777)

    def chown(self, path, uid, gid):
        if uid == -1 or gid == -1 or uid == 0xFFFFFFFF or gid == 0xFFFFFFFF:
            info = self._call('stat', path)
            uid = info.uid if uid in (-1, 0xFFFFFFFF) else uid
            gid = info.gid if gid in (-1, 0xFFFFFFFF) else gid
        self._call('chown', path, uid, gid)

    def truncate(self, path, length, fh=None):
        self._call('truncate', path, length)

    def utimens(self, path, times=None):
        if times is None:
            now = time.time_ns()
            times = (now, now)
        self._call('utime', path, ns=(int(times[0]), int(times[1])))

    def statfs(self, path):
        fs = self.pool.call(lambda c: c.fs_stat())
        return {
            'f_bsize': BLOCK, 'f_frsize': BLOCK,
            'f_blocks': fs.total_bytes // BLOCK,
            'f_bfree': fs.free_bytes // BLOCK,
            'f_bavail': fs.available_bytes // BLOCK,
            'f_files': fs.total_files, 'f_ffree': fs.free_files,
            'f_favail': fs.available_files, 'f_namemax': 255,
        }

    # -- names ----------------------------------------------------------

    def readdir(self, path, fh):
        return ['.', '..', *self._call('listdir', path)]

    def mkdir(self, path, mode):
        self._call('mkdir', path, mode & 0o7777, replay_ok=errno.EEXIST)
        self._own(path)

    def rmdir(self, path):
        self._call('rmdir', path, replay_ok=errno.ENOENT)

    def unlink(self, path):
        self._call('unlink', path, replay_ok=errno.ENOENT)

    def rename(self, old, new):
        # NFSv3 RENAME replaces an existing target atomically.
        self.pool.call(lambda c: c.rename(nfs_path(old), nfs_path(new)),
                       replay_ok=errno.ENOENT)

    def symlink(self, target, source):
        self.pool.call(lambda c: c.symlink(source, nfs_path(target)))
        self._own(target)

    def readlink(self, path):
        return self._call('readlink', path)

    def link(self, target, source):
        self.pool.call(lambda c: c.link(nfs_path(source), nfs_path(target)))

    def _own(self, path):
        """New files belong to their creator, not to the uid 0 every call
        runs as (AUTH_SYS root, hence No_Root_Squash)."""
        uid, gid, _ = mfusepy.fuse_get_context()
        if uid or gid:
            self._call('chown', path, uid, gid)

    # -- files ----------------------------------------------------------

    def create(self, path, mode, fi=None):
        # nfs-rs creates files 0666: the requested mode is set at once.
        self._call('touch', path, exist_ok=True)
        self._call('chmod', path, mode & 0o7777)
        self._own(path)
        return self._new_handle(path, writable=True)

    def open(self, path, flags):
        writable = (flags & os.O_ACCMODE) != os.O_RDONLY
        fh = self._new_handle(path, writable)
        try:
            # Checks the file exists and opens it on one connection now.
            self._io(fh, path, lambda f: None)
            if flags & os.O_TRUNC and writable:
                self._call('truncate', path, 0)
        except BaseException:
            self.release(path, fh)
            raise
        return fh

    def read(self, path, size, offset, fh):
        return self._io(fh, path, lambda f: f.read_at(offset, size))

    def write(self, path, data, offset, fh):
        data = bytes(data)
        return self._io(fh, path, lambda f: f.write_at(data, offset))

    def flush(self, path, fh):
        return 0

    def fsync(self, path, datasync, fh):
        return 0      # FILE_SYNC writes: already stable

    def release(self, path, fh):
        with self._lock:
            handle = self._handles.pop(fh, None)
        if handle is not None:
            handle.close()
        return 0

    def destroy(self, path):
        LOG.info('unmounted; closing NFS connections')
        self.pool.close()


DEFAULT_OPTIONS = {
    # Permission checks in the kernel: every NFS call runs as uid 0.
    'default_permissions': True,
    'allow_other': True,
    # Other clients (QEMU in another mount, the server's own users) change
    # files: nothing is cached.
    'attr_timeout': 0, 'entry_timeout': 0, 'negative_timeout': 0,
}
# Ours, not libfuse's: taken out of -o before FUSE sees the rest.
CLIENT_OPTIONS = {'retry_timeout': float, 'connections': int,
                  'operation_timeout': float}


# mount.nfs(5) options that mean nothing to this client: a share line or
# nfs_mount_options written for the kernel's client still mounts here.
KERNEL_NFS_OPTIONS = frozenset((
    'vers', 'nfsvers', 'minorversion', 'proto', 'mountproto', 'port',
    'mountport', 'mountvers', 'mounthost', 'mountaddr', 'addr', 'clientaddr',
    'hard', 'soft', 'softreval', 'timeo', 'retrans', 'retry', 'rsize',
    'wsize', 'nconnect', 'max_connect', 'ac', 'actimeo', 'acregmin',
    'acregmax', 'acdirmin', 'acdirmax', 'cto', 'lookupcache', 'lock',
    'local_lock', 'sec', 'tcp', 'udp', 'intr', 'bg', 'fg', 'namlen',
    'rdirplus', 'sharecache', 'resvport', 'fsc', 'posix', 'acl',
    '_netdev'))


def _kernel_option(key):
    return key in KERNEL_NFS_OPTIONS or (
        key.startswith('no') and key[2:] in KERNEL_NFS_OPTIONS)


def parse_options(text):
    """-o a,b=c -> (libfuse options, our options)."""
    fuse, ours, ignored = dict(DEFAULT_OPTIONS), {}, []
    for item in filter(None, (text or '').split(',')):
        key, sep, value = item.partition('=')
        if key in CLIENT_OPTIONS:
            ours[key] = CLIENT_OPTIONS[key](value)
        elif _kernel_option(key):
            ignored.append(item)
        elif key.startswith('no') and key[2:] in DEFAULT_OPTIONS:
            fuse.pop(key[2:], None)
        else:
            fuse[key] = value if sep else True
    if ignored:
        LOG.warning('ignoring kernel NFS mount options %s: this client '
                    'speaks NFSv3 over TCP and has its own retries',
                    ','.join(ignored))
    return fuse, ours


def serve(location, mount_point, options=None):
    """Mounts location at mount_point and serves it until unmounted."""
    fuse_options, ours = parse_options(options)
    pool = nfspool.Pool(nfspool.parse_location(location),
                size=ours.get('connections', 4),
                retry_timeout=ours.get('retry_timeout', 300.0),
                operation_timeout=ours.get('operation_timeout', 30.0))
    # Fails fast, before mounting, when the export does not answer.
    pool.call(lambda c: c.fs_stat())
    fuse_options.setdefault('fsname', location)
    fuse_options.setdefault('subtype', 'snapvol-nfs')
    LOG.info('serving %s at %s (options %s)', location, mount_point,
             ','.join(k if v is True else '%s=%s' % (k, v)
                      for k, v in fuse_options.items()))
    try:
        mfusepy.FUSE(NfsFS(pool), mount_point, foreground=True,
                     **fuse_options)
    except RuntimeError as e:
        # mfusepy's message is libfuse's return code; libfuse printed why.
        raise RuntimeError('libfuse did not mount %s at %s (code %s)'
                           % (location, mount_point, e)) from None
    LOG.info('%s at %s: FUSE loop ended', location, mount_point)
