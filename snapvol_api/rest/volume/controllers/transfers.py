"""/v3/{project_id}/os-volume-transfer: Cinder's volume transfers.

POST makes one (the answer shows the ``auth_key``, once); GET lists the
project's own (Horizon's volume panel reads ``/detail`` with every volume
list); POST /{id}/accept with the key moves the volume and its snapshots
to the caller's project; DELETE takes the offer back.
"""

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest.volume import schemas
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import current
from snapvol_api.rest.volume.controllers import listing

FILTERS = ('name', 'volume_id')


def _not_found(transfer_id):
    return exception.TransferNotFound(transfer_id=transfer_id)


class TransfersController(controller.Controller):

    _custom_actions = {'detail': ['GET'], 'accept': ['POST']}

    def _list(self, view):
        current.authorize('volume:get_all_transfers')
        # Unknown filters are ignored, as Cinder's transfer lists do:
        # Horizon sends its volume filters here too.
        query = listing.parse(pecan.request.GET, FILTERS, 'admin_api',
                              strict=False)
        transfers = current.call('list_transfers', **query.rpc_kwargs())
        links = current.links()
        return {'transfers': [view(t, links) for t in transfers]}

    @pecan.expose('json')
    def get_all(self):
        return self._list(views.transfer_summary)

    @pecan.expose('json')
    def detail(self):
        return self._list(views.transfer_detail)

    @pecan.expose('json')
    def get_one(self, transfer_id):
        transfer_id = current.canonical_id(transfer_id, _not_found)
        current.authorize('volume:get_transfer')
        return {'transfer': views.transfer_detail(
            current.call('get_transfer', transfer_id), current.links())}

    @pecan.expose('json')
    def post(self):
        current.authorize('volume:create_transfer')
        current.require_own_project()
        fields = schemas.parse(pecan.request,
                               schemas.transfer_create)['transfer']
        transfer = current.call('create_transfer',
                                fields['volume_id'].lower(),
                                name=fields.get('name'))
        current.set_status(202)
        return {'transfer': dict(
            views.transfer_detail(transfer, current.links()),
            auth_key=transfer['auth_key'])}

    @pecan.expose('json')
    def accept(self, transfer_id):
        transfer_id = current.canonical_id(transfer_id, _not_found)
        current.authorize('volume:accept_transfer')
        current.require_own_project()
        body = schemas.parse(pecan.request, schemas.transfer_accept)
        transfer = current.call('accept_transfer', transfer_id,
                                body['accept']['auth_key'])
        current.set_status(202)
        return {'transfer': views.transfer_summary(transfer,
                                                   current.links())}

    @pecan.expose('json')
    def delete(self, transfer_id):
        transfer_id = current.canonical_id(transfer_id, _not_found)
        current.authorize('volume:delete_transfer')
        current.call('delete_transfer', transfer_id)
        return current.empty_response(202)
