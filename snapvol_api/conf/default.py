import socket

from oslo_concurrency import lockutils
from oslo_config import cfg

AUTH_STRATEGIES = ('http_basic', 'noauth', 'keystone')

opts = [
    cfg.StrOpt('host',
               default=socket.gethostname(),
               sample_default='localhost',
               help='Name of this node: the RPC server name of its '
                    'services and the host recorded on its volumes.'),
    cfg.StrOpt('state_path',
               default='/var/lib/snapvol',
               help='Directory for the state of this node: the default '
                    'SQLite database, the embedded local share, share '
                    'mount points and lock files.'),
    cfg.StrOpt('storage_availability_zone',
               default='nova',
               help='The availability zone of this node\'s volumes, as '
                    'Cinder\'s option of that name; a create asking for '
                    'another one is refused.'),
    cfg.StrOpt('cluster',
               help='Name of the cluster of volume managers this one '
                    'belongs to, as Cinder\'s option of that name: the '
                    'managers of one cluster serve the same shares and '
                    'share the work of its volumes. Unset: this manager '
                    'alone, its cluster named after its host.'),
    cfg.IntOpt('report_interval',
               default=10,
               min=1,
               help='Seconds between two heartbeats of a snapvol process '
                    'in the services table (os-services), as Cinder\'s '
                    'option of that name.'),
    cfg.IntOpt('service_down_time',
               default=60,
               min=1,
               help='Seconds since its last heartbeat after which a '
                    'service is down, as Cinder\'s option of that name: '
                    'os-services shows it "down", and the work in flight '
                    'of a volume manager that is down may be taken over '
                    'by another member of its cluster. Keep it well above '
                    'report_interval.'),
    cfg.IntOpt('message_ttl',
               default=2592000,
               min=1,
               help='Seconds a user message (GET /messages) is kept, as '
                    'Cinder\'s option of that name: 30 days.'),
    cfg.StrOpt('auth_strategy',
               default='http_basic',
               choices=AUTH_STRATEGIES,
               help='How API requests are authenticated. "http_basic": '
                    'users in the htpasswd file named by '
                    'http_basic_auth_user_file; "noauth": development '
                    'only, the X-Auth-Token "user:project" is trusted, '
                    'the user "admin" is an administrator; "keystone": '
                    'keystonemiddleware validates tokens.'),
    cfg.StrOpt('http_basic_auth_user_file',
               default='/etc/snapvol/htpasswd',
               help='htpasswd file of the http_basic auth strategy. Each '
                    'line is "user:bcrypt-hash[:project[:roles]]" as '
                    'written by "htpasswd -B" with two optional fields '
                    'appended: the project of the user (default: the user '
                    'name) and a comma-separated list of roles ("admin" '
                    'makes the user an administrator).'),
]


def register_opts(conf):
    conf.register_opts(opts)
    lockutils.set_defaults('$state_path/locks')


def list_opts():
    return {'DEFAULT': opts}
