"""Policy defaults of the compute API, with Nova's rule names.

The compute API is internal and admin-only (seed 000): every rule defaults
to admin_api, and is checked before anything is looked up, against the
caller's own project. Relaxing a rule to owners would not isolate projects:
the compute manager does not. The one exception is the limits: a member
reads their own project's (the controller asks for no other), as in Nova.
"""

from snapvol_api.rest.policy import ADMIN_API
from snapvol_api.rest.policy import ADMIN_OR_OWNER
from snapvol_api.rest.policy import api_rule as _api

_SNAPSHOTS = '/os-assisted-volume-snapshots'
_IMAGES = '/images'
_FLAVORS = '/flavors'
_SERVERS = '/servers'
_SERVER = '/servers/{server_id}'
_METADATA = _SERVER + '/metadata'
_ACTION = _SERVER + '/action'
_ATTACHMENTS = _SERVER + '/os-volume_attachments'
_LIMITS = '/limits'
_SERVICES = '/os-services'

RULES = [
    _api('os_compute_api:limits', ADMIN_OR_OWNER,
         "Show the caller's project's absolute limits and usage.",
         ('GET', _LIMITS)),
    _api('os_compute_api:limits:other_project', ADMIN_API,
         "Show another project's limits and usage (?tenant_id=; Nova's "
         'os_compute_api:os-used-limits before Ussuri).',
         ('GET', _LIMITS)),

    _api('os_compute_api:os-services:list', ADMIN_API,
         'List the compute services and their state (os-services).',
         ('GET', _SERVICES)),

    _api('os_compute_api:os-assisted-volume-snapshots:create', ADMIN_API,
         'Create an assisted volume snapshot (called by the volume '
         'service).',
         ('POST', _SNAPSHOTS)),
    _api('os_compute_api:os-assisted-volume-snapshots:delete', ADMIN_API,
         'Delete an assisted volume snapshot (called by the volume '
         'service).',
         ('DELETE', _SNAPSHOTS + '/{snapshot_id}')),

    _api('os_compute_api:flavors', ADMIN_API, 'List and show flavors.',
         ('GET', _FLAVORS), ('GET', _FLAVORS + '/detail'),
         ('GET', _FLAVORS + '/{flavor_id}')),

    _api('os_compute_api:servers:index', ADMIN_API, 'List servers.',
         ('GET', _SERVERS)),
    _api('os_compute_api:servers:detail', ADMIN_API,
         'List servers with details.',
         ('GET', _SERVERS + '/detail')),
    _api('os_compute_api:servers:index:get_all_tenants', ADMIN_API,
         'List the servers of every project (all_tenants).',
         ('GET', _SERVERS)),
    _api('os_compute_api:servers:detail:get_all_tenants', ADMIN_API,
         'List the servers of every project with details (all_tenants).',
         ('GET', _SERVERS + '/detail')),
    _api('os_compute_api:servers:show', ADMIN_API, 'Show a server.',
         ('GET', _SERVER)),
    _api('os_compute_api:servers:create', ADMIN_API,
         'Create a server (booted from a volume).',
         ('POST', _SERVERS)),
    _api('os_compute_api:servers:delete', ADMIN_API, 'Delete a server.',
         ('DELETE', _SERVER)),
    _api('os_compute_api:servers:stop', ADMIN_API,
         'Stop a server (os-stop).',
         ('POST', _ACTION)),
    _api('os_compute_api:servers:start', ADMIN_API,
         'Start a stopped server (os-start).',
         ('POST', _ACTION)),
    _api('os_compute_api:servers:reboot', ADMIN_API,
         'Reboot a server, soft or hard (reboot).',
         ('POST', _ACTION)),
    _api('os_compute_api:servers:create_image', ADMIN_API,
         'Snapshot every volume of a volume-backed server as one image '
         '(createImage).',
         ('POST', _ACTION)),
    _api('os_compute_api:images', ADMIN_API,
         'List, show and delete the images of volume-backed servers.',
         ('GET', _IMAGES), ('GET', _IMAGES + '/detail'),
         ('GET', _IMAGES + '/{image_id}'),
         ('DELETE', _IMAGES + '/{image_id}')),
    _api('os_compute_api:os-extended-server-attributes', ADMIN_API,
         'Show the OS-EXT-SRV-ATTR:* fields (the host) of servers.',
         ('GET', _SERVER), ('GET', _SERVERS + '/detail')),

    _api('os_compute_api:server-metadata:index', ADMIN_API,
         'List the metadata of a server.',
         ('GET', _METADATA)),
    _api('os_compute_api:server-metadata:show', ADMIN_API,
         'Show a metadata item of a server.',
         ('GET', _METADATA + '/{key}')),
    _api('os_compute_api:server-metadata:create', ADMIN_API,
         'Merge items into the metadata of a server.',
         ('POST', _METADATA)),
    _api('os_compute_api:server-metadata:update_all', ADMIN_API,
         'Replace the metadata of a server.',
         ('PUT', _METADATA)),
    _api('os_compute_api:server-metadata:update', ADMIN_API,
         'Set a metadata item of a server.',
         ('PUT', _METADATA + '/{key}')),
    _api('os_compute_api:server-metadata:delete', ADMIN_API,
         'Delete a metadata item of a server.',
         ('DELETE', _METADATA + '/{key}')),

    _api('os_compute_api:os-volumes-attachments:index', ADMIN_API,
         'List the volumes attached to a server.',
         ('GET', _ATTACHMENTS)),
    _api('os_compute_api:os-volumes-attachments:show', ADMIN_API,
         'Show a volume attachment of a server.',
         ('GET', _ATTACHMENTS + '/{volume_id}')),
    _api('os_compute_api:os-volumes-attachments:create', ADMIN_API,
         'Attach a volume to a server.',
         ('POST', _ATTACHMENTS)),
    _api('os_compute_api:os-volumes-attachments:delete', ADMIN_API,
         'Detach a volume from a server.',
         ('DELETE', _ATTACHMENTS + '/{volume_id}')),
]
