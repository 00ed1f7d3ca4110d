"""/v2.1/servers: instances booted from volumes."""

import pecan

from snapvol_api.rest import controller
from snapvol_api.rest.compute import listing
from snapvol_api.rest.compute import schemas
from snapvol_api.rest.compute import server_create
from snapvol_api.rest.compute import views
from snapvol_api.rest.compute.controllers import current
from snapvol_api.rest.compute.controllers.server_actions import (
    ServerActionsController,
)
from snapvol_api.rest.compute.controllers.server_metadata import (
    ServerMetadataController,
)
from snapvol_api.rest.compute.controllers.volume_attachments import (
    VolumeAttachmentsController,
)

_RULE = 'os_compute_api:servers:%s'


def detail_view(instance, links):
    return views.server_detail(instance, links, show_host=current.allowed(
        'os_compute_api:os-extended-server-attributes'))


class ServersController(controller.Controller):

    _custom_actions = {'detail': ['GET']}

    metadata = ServerMetadataController()
    action = ServerActionsController()

    def _list(self, action, view):
        current.authorize(_RULE % action)
        query = listing.server_query(pecan.request.GET,
                                     current.context().project_id)
        if query.all_tenants:
            current.authorize(_RULE % (action + ':get_all_tenants'))
        instances = query.apply(current.call('list_instances',
                                             query.filters))
        links = current.links()
        marker = listing.next_marker(instances, query.page,
                                     lambda i: i['id'])
        path = 'servers' if action == 'index' else 'servers/detail'
        return views.collection(
            'servers', [view(i, links) for i in instances],
            marker and links.next_page(path, marker))

    @pecan.expose('json')
    def get_all(self):
        return self._list('index', views.server_summary)

    @pecan.expose('json')
    def detail(self):
        return self._list('detail', detail_view)

    @pecan.expose('json')
    def get_one(self, server_id):
        current.authorize(_RULE % 'show')
        return {'server': detail_view(current.instance(server_id),
                                      current.links())}

    @pecan.expose('json')
    def post(self):
        current.authorize(_RULE % 'create')
        body = schemas.parse(pecan.request, schemas.server_create)
        instance = current.call('create_instance',
                                **server_create.parse(body))
        links = current.links()
        current.set_status(202)
        pecan.response.location = links.resource(
            'servers', instance['id'])[0]['href']
        return {'server': views.server_created(instance, links)}

    @pecan.expose('json')
    def delete(self, server_id):
        current.authorize(_RULE % 'delete')
        instance = current.instance(server_id)
        current.call('delete_instance', current.live_host(instance),
                     instance['id'])
        return current.empty_response(204)


# Not a Python name, so set here rather than in the class body.
setattr(ServersController, 'os-volume_attachments',
        VolumeAttachmentsController())
