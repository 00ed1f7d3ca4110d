"""Routing from the URL root: / and /v3/ (the version documents, public)
and /v3/{project_id}/{volumes|snapshots|types|os-availability-zone|
extensions|group_types|groups|group_snapshots|messages|
resource_filters|os-quota-sets|limits|os-volume-transfer|
volume-transfers|default-types|os-services|backups}/...

As in Cinder (the change 3.67 announces), the project id may be left out:
/v3/volumes is /v3/{the credentials' project}/volumes. Cinder serves both
forms at every microversion, and so does snapvol. A collection's name in
the project's place is taken as the collection.

Routing is explicit here: pecan's default object traversal would follow
any attribute a URL names (/__class__, /v3/_lookup).
"""

import pecan
from pecan import routing
import webob.exc

from snapvol_api import exception
from snapvol_api.rest.openapi import volume as volume_openapi
from snapvol_api.rest.volume import links
from snapvol_api.rest.volume import versions
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import availability_zones
from snapvol_api.rest.volume.controllers import backups
from snapvol_api.rest.volume.controllers import current
from snapvol_api.rest.volume.controllers import default_types
from snapvol_api.rest.volume.controllers import extensions
from snapvol_api.rest.volume.controllers import group_snapshots
from snapvol_api.rest.volume.controllers import group_types
from snapvol_api.rest.volume.controllers import limits
from snapvol_api.rest.volume.controllers import messages
from snapvol_api.rest.volume.controllers import quota_sets
from snapvol_api.rest.volume.controllers import resource_filters
from snapvol_api.rest.volume.controllers import services
from snapvol_api.rest.volume.controllers import transfers
from snapvol_api.rest.volume.controllers import volume_types
from snapvol_api.rest.volume.controllers.groups import GroupsController
from snapvol_api.rest.volume.controllers.snapshots import SnapshotsController
from snapvol_api.rest.volume.controllers.volumes import VolumesController

# Reachable without credentials, as in Cinder: clients discover versions
# before they authenticate.
PUBLIC_PATHS = ('/', '/v3', '/v3/', '/openapi.json')

COLLECTIONS = {
    'volumes': VolumesController(),
    'snapshots': SnapshotsController(),
    'types': volume_types.VolumeTypesController(),
    'os-availability-zone': availability_zones.AvailabilityZonesController(),
    'extensions': extensions.ExtensionsController(),
    'group_types': group_types.GroupTypesController(),
    'groups': GroupsController(),
    'group_snapshots': group_snapshots.GroupSnapshotsController(),
    'messages': messages.MessagesController(),
    'resource_filters': resource_filters.ResourceFiltersController(),
    'os-quota-sets': quota_sets.QuotaSetsController(),
    'limits': limits.LimitsController(),
    'os-volume-transfer': transfers.TransfersController(),
    'volume-transfers': transfers.VolumeTransfersController(),
    'default-types': default_types.DefaultTypesController(),
    'os-services': services.ServicesController(),
    'backups': backups.BackupsController(),
}
# The microversion each collection came with: below it, Cinder answers 404
# (VersionNotFoundForAPIMethod), whatever the method.
SINCE = {
    'messages': versions.MESSAGES,
    'resource_filters': versions.RESOURCE_FILTERS_API,
    'group_types': versions.GROUP_TYPES,
    'groups': versions.GROUP_VOLUME,
    'group_snapshots': versions.GROUP_SNAPSHOTS,
    'volume-transfers': versions.TRANSFER_SNAPSHOTS,
    'default-types': versions.DEFAULT_TYPES,
}


def _check_url_project(project_id):
    current.require_authenticated()
    context = pecan.request.context
    if context.is_admin or project_id == context.project_id:
        return
    if context.project_id is None:
        raise exception.Forbidden('A project-scoped token is required.')
    raise exception.Invalid(
        "Malformed request URL: the project_id '%s' in the URL does not "
        "match the project '%s' of the credentials." % (
            project_id, context.project_id))


def _credentials_project():
    """The project of a URL without one (3.67): the credentials'."""
    current.require_authenticated()
    project_id = pecan.request.context.project_id
    if project_id is None:
        raise exception.Forbidden('A project-scoped token is required.')
    return project_id


def _version_list():
    return views.version_list(links.Links(pecan.request))


def _get_only():
    raise webob.exc.HTTPMethodNotAllowed(headers=[('Allow', 'GET')])


class RootController:

    @pecan.expose()
    def _route(self, args, request):
        segments = list(args)
        if segments in ([], ['']):
            return self.versions, []
        if segments == ['openapi.json']:
            return self.openapi, []
        if segments[0] == 'v3':
            if segments[1:] in ([], ['']):
                return self.v3_version, []
            if segments[1] in COLLECTIONS:
                project_id, rest = _credentials_project(), segments[1:]
            elif len(segments) > 2 and segments[2] in COLLECTIONS:
                project_id, rest = segments[1], segments[2:]
                _check_url_project(project_id)
            else:
                raise webob.exc.HTTPNotFound()
            if rest[0] in SINCE:
                current.require_version(SINCE[rest[0]])
            request.url_project_id = project_id
            return routing.lookup_controller(COLLECTIONS[rest[0]], rest[1:],
                                             request)
        raise webob.exc.HTTPNotFound()

    @pecan.expose(generic=True, template='json')
    def versions(self):
        _get_only()

    @versions.when(method='GET', template='json')
    def versions_get(self):
        current.set_status(300)
        return _version_list()

    @pecan.expose(generic=True, template='json')
    def v3_version(self):
        _get_only()

    @v3_version.when(method='GET', template='json')
    def v3_version_get(self):
        return _version_list()

    @pecan.expose(generic=True, template='json')
    def openapi(self):
        _get_only()

    @openapi.when(method='GET', template='json')
    def openapi_get(self):
        return volume_openapi.served(links.Links(pecan.request).base)
