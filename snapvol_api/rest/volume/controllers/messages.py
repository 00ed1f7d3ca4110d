"""/v3/{project_id}/messages: user messages (3.3, which ``root``
checks); from 3.5 the list takes Cinder's filters, sorts and pages."""

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest.volume import versions
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import current
from snapvol_api.rest.volume.controllers import listing

FILTERS = ('event_id', 'resource_type', 'resource_uuid', 'message_level',
           'request_id')


def _not_found(message_id):
    return exception.MessageNotFound(message_id=message_id)


class MessagesController(controller.Controller):

    @pecan.expose('json')
    def get_all(self):
        current.authorize('message:get_all')
        params = pecan.request.GET
        if not current.version_at_least(versions.MESSAGES_PAGINATION):
            params = {k: v for k, v in params.items() if k == 'all_tenants'}
        query = listing.parse(params, FILTERS, 'admin_api')
        messages = current.call('list_messages', **query.rpc_kwargs())
        links = current.links()
        return views.collection(
            'messages', [views.message(m, links) for m in messages],
            listing.next_page_href(messages, query, 'messages'))

    @pecan.expose('json')
    def get_one(self, message_id):
        message_id = current.canonical_id(message_id, _not_found)
        current.authorize('message:get')
        return {'message': views.message(
            current.call('get_message', message_id), current.links())}

    @pecan.expose('json')
    def delete(self, message_id):
        message_id = current.canonical_id(message_id, _not_found)
        current.authorize('message:delete')
        current.call('delete_message', message_id)
        return current.empty_response(204)
