"""snapvol-nfs-fuse HOST:/EXPORT MOUNTPOINT [-o OPTIONS]: mounts an NFSv3
export with the user-space client and serves it until it is unmounted."""

import argparse
import logging
import logging.handlers
import os
import sys

from snapvol_api.runtime import nfsfuse
from snapvol_api.runtime import nfspool


def _log_to(log_file):
    if log_file == 'syslog':
        handler = logging.handlers.SysLogHandler(address='/dev/log')
        fmt = 'snapvol-nfs-fuse[%(process)d]: %(levelname)s %(message)s'
    elif log_file:
        handler = logging.FileHandler(log_file)
        fmt = '%(asctime)s %(process)d %(levelname)s %(name)s %(message)s'
    else:
        handler = logging.StreamHandler()
        fmt = '%(asctime)s %(levelname)s %(message)s'
    handler.setFormatter(logging.Formatter(fmt))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='snapvol-nfs-fuse', description=__doc__.split(':', 1)[1])
    parser.add_argument('location', help='HOST:/EXPORT')
    parser.add_argument('mount_point')
    parser.add_argument(
        '-o', dest='options', default='',
        help='comma-separated mount options: libfuse options (defaults: '
             'default_permissions,allow_other,attr_timeout=0,'
             'entry_timeout=0,negative_timeout=0; noNAME drops a default) '
             'and retry_timeout=S (300), operation_timeout=S (30), '
             'connections=N (4)')
    parser.add_argument('--log-file',
                        help="log here ('syslog' for syslog; default stderr)")
    parser.add_argument('--pid-file', help='write the pid here')
    parser.add_argument('--debug', action='store_true')
    args = parser.parse_args(argv)
    _log_to(args.log_file)
    if args.debug:
        logging.getLogger().setLevel(logging.DEBUG)
    try:
        nfspool.parse_location(args.location)
    except ValueError as e:
        parser.error(str(e))
    if args.pid_file:
        with open(args.pid_file, 'w', encoding='utf-8') as f:
            f.write('%d\n' % os.getpid())
    try:
        nfsfuse.serve(args.location, args.mount_point, args.options)
    except Exception as e:
        logging.getLogger(__name__).exception('%s at %s failed',
                                              args.location, args.mount_point)
        print('snapvol-nfs-fuse: %s' % e, file=sys.stderr)
        return 1
    finally:
        if args.pid_file:
            try:
                os.unlink(args.pid_file)
            except FileNotFoundError:
                pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
