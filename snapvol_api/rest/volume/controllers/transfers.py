"""/v3/{project_id}/os-volume-transfer, and /volume-transfers (3.55, which
``root`` checks): Cinder's volume transfers.

POST makes one (the answer shows the ``auth_key``, once); GET lists the
project's own (Horizon's volume panel reads ``/detail`` with every volume
list); POST /{id}/accept with the key moves the volume and its snapshots
to the caller's project; DELETE takes the offer back.

By microversion, on both collections:

- 3.55: /volume-transfers, whose create also takes ``no_snapshots``
  (/os-volume-transfer refuses it, as Cinder's does); create and detail
  views show it. Cinder would leave the snapshots with the old project.
  Here a volume's snapshots are files of its own qcow2 chain, so they
  cannot stay behind: a ``no_snapshots`` transfer of a volume that has
  snapshots is refused (400) at create, and at accept should any have
  appeared meanwhile; of a volume without snapshots it is an ordinary
  transfer.
- 3.57: create and detail views show ``source_project_id``,
  ``destination_project_id`` and ``accepted``. An accept records the
  last two on the transfer, which is then gone (as in Cinder, lists and
  GET show only transfers still on offer).
- 3.59: lists page, sort and filter (limit, marker, offset, sort or
  sort_key/sort_dir), with a ``transfers_links`` next link; before it
  those keys are ignored and the order is Cinder's older one, oldest
  first.
- 3.70: transfers of encrypted volumes; there are none here, so nothing
  changes.
"""

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest.volume import schemas
from snapvol_api.rest.volume import versions
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import current
from snapvol_api.rest.volume.controllers import listing

FILTERS = ('name', 'volume_id')
# Read only from 3.59.
PAGE_KEYS = ('limit', 'marker', 'offset', 'sort', 'sort_key', 'sort_dir')
# Cinder's order before 3.59.
UNPAGED_SORT = [['created_at', 'asc'], ['id', 'asc']]


def _not_found(transfer_id):
    return exception.TransferNotFound(transfer_id=transfer_id)


def _detail_view(transfer, links):
    return views.transfer_detail(
        transfer, links,
        show_no_snapshots=current.version_at_least(
            versions.TRANSFER_SNAPSHOTS),
        show_history=current.version_at_least(versions.TRANSFER_DETAILS))


class TransfersController(controller.Controller):
    """/os-volume-transfer, at every microversion."""

    _custom_actions = {'detail': ['GET'], 'accept': ['POST']}
    collection = 'os-volume-transfer'
    create_schema = schemas.transfer_create

    def _list(self, collection_path, view):
        current.authorize('volume:get_all_transfers')
        params = pecan.request.GET
        paged = current.version_at_least(versions.TRANSFER_PAGINATION)
        if not paged:
            params = {k: v for k, v in params.items()
                      if k not in PAGE_KEYS}
        # Unknown filters are ignored, as Cinder's transfer lists do:
        # Horizon sends its volume filters here too.
        query = listing.parse(params, FILTERS, 'admin_api', strict=False)
        if not paged:
            query.sort = UNPAGED_SORT
        transfers = current.call('list_transfers', **query.rpc_kwargs())
        links = current.links()
        return views.collection(
            'transfers', [view(t, links) for t in transfers],
            listing.next_page_href(transfers, query, collection_path)
            if paged else None)

    @pecan.expose('json')
    def get_all(self):
        return self._list(self.collection, views.transfer_summary)

    @pecan.expose('json')
    def detail(self):
        return self._list(self.collection + '/detail', _detail_view)

    @pecan.expose('json')
    def get_one(self, transfer_id):
        transfer_id = current.canonical_id(transfer_id, _not_found)
        current.authorize('volume:get_transfer')
        return {'transfer': _detail_view(
            current.call('get_transfer', transfer_id), current.links())}

    @pecan.expose('json')
    def post(self):
        current.authorize('volume:create_transfer')
        current.require_own_project()
        fields = schemas.parse(pecan.request,
                               self.create_schema)['transfer']
        transfer = current.call(
            'create_transfer', fields['volume_id'].lower(),
            name=fields.get('name'),
            no_snapshots=schemas.to_bool(fields.get('no_snapshots', False)))
        current.set_status(202)
        return {'transfer': dict(_detail_view(transfer, current.links()),
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


class VolumeTransfersController(TransfersController):
    """/volume-transfers (3.55): the same, and create takes
    ``no_snapshots``. Self links name /os-volume-transfer, as Cinder's
    do; that collection answers at every version."""

    collection = 'volume-transfers'
    create_schema = schemas.transfer_create_v355
