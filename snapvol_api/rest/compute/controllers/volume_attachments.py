"""/v2.1/servers/{server_id}/os-volume_attachments[/{volume_id}]."""

import uuid

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest.compute import schemas
from snapvol_api.rest.compute import views
from snapvol_api.rest.compute.controllers import current

_RULE = 'os_compute_api:os-volumes-attachments:%s'


def _attachment(instance, volume_id):
    """The instance's attachment of ``volume_id`` (from the URL); 404 as
    Nova's if there is none."""
    try:
        volume_id = str(uuid.UUID(volume_id))
    except ValueError:
        pass
    for attachment in instance['attachments']:
        if attachment['volume_id'] == volume_id:
            return attachment
    raise exception.NotFound('Volume %s is not attached to the instance %s.'
                             % (volume_id, instance['id']))


class VolumeAttachmentsController(controller.Controller):

    @pecan.expose('json')
    def get_all(self, server_id):
        current.authorize(_RULE % 'index')
        instance = current.instance(server_id)
        return {'volumeAttachments': [
            views.volume_attachment(a, instance['id'])
            for a in instance['attachments']]}

    @pecan.expose('json')
    def get_one(self, server_id, volume_id):
        current.authorize(_RULE % 'show')
        instance = current.instance(server_id)
        return {'volumeAttachment': views.volume_attachment(
            _attachment(instance, volume_id), instance['id'])}

    @pecan.expose('json')
    def post(self, server_id):
        current.authorize(_RULE % 'create')
        fields = schemas.parse(
            pecan.request, schemas.volume_attachment_create)[
                'volumeAttachment']
        instance = current.instance(server_id)
        attachment = current.call(
            'attach_volume', current.live_host(instance), instance['id'],
            fields['volumeId'].lower(), device=fields.get('device'))
        return {'volumeAttachment': views.volume_attachment(
            attachment, instance['id'])}

    @pecan.expose('json')
    def delete(self, server_id, volume_id):
        current.authorize(_RULE % 'delete')
        instance = current.instance(server_id)
        attachment = _attachment(instance, volume_id)
        if attachment.get('boot_index') == 0:
            raise exception.Invalid('Cannot detach a root device volume')
        current.call('detach_volume', current.live_host(instance),
                     instance['id'], attachment['volume_id'])
        return current.empty_response(202)
