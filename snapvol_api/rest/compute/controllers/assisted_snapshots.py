"""/v2.1/os-assisted-volume-snapshots: the volume service asks for a
snapshot of an attached volume to be taken or merged (seed 000, step 3).

Both are casts: the compute manager reports the outcome to the volume
manager over RPC, so these answer as soon as the request is on its way.
"""

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest.compute import schemas
from snapvol_api.rest.compute import views
from snapvol_api.rest.compute.controllers import current

_RULE = 'os_compute_api:os-assisted-volume-snapshots:%s'


def _attachment(volume_id):
    """Where the volume is attached: {instance_id, host, ...}."""
    try:
        return current.call('find_volume_attachment', volume_id)
    except exception.VolumeNotAttached as exc:
        # Nova answers 400 here: the request names a volume, which is not
        # a resource of this API.
        raise exception.Invalid(exc.message)


class AssistedSnapshotsController(controller.Controller):

    @pecan.expose('json')
    def post(self):
        current.authorize(_RULE % 'create')
        fields = schemas.parse(pecan.request,
                               schemas.snapshot_create)['snapshot']
        volume_id = fields['volume_id'].lower()
        create_info = schemas.create_info(fields['create_info'])
        attachment = _attachment(volume_id)
        current.call('volume_snapshot_create', attachment['host'],
                     attachment['instance_id'], volume_id, create_info)
        return views.assisted_snapshot(create_info['snapshot_id'],
                                       volume_id)

    @pecan.expose('json')
    def delete(self, snapshot_id):
        current.authorize(_RULE % 'delete')
        snapshot_id = current.canonical_id(
            snapshot_id, lambda v: exception.Invalid(
                'Snapshot id %s is not a UUID.' % v))
        delete_info = schemas.parse_delete_info(
            pecan.request.GET.get('delete_info'))
        volume_id = delete_info['volume_id']
        attachment = _attachment(volume_id)
        current.call('volume_snapshot_delete', attachment['host'],
                     attachment['instance_id'], volume_id, snapshot_id,
                     delete_info)
        return current.empty_response(204)
