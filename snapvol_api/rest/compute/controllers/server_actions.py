"""POST /v2.1/servers/{server_id}/action: os-stop, os-start, reboot and
createImage, as Nova serves them (202; 409 conflictingRequest in the
wrong state). createImage answers with the image's Location (and, as
Nova from 2.45, its id in the body)."""

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest import jsonbody
from snapvol_api.rest.compute import schemas
from snapvol_api.rest.compute.controllers import current

_RULE = 'os_compute_api:servers:%s'


def _stop(_body):
    current.authorize(_RULE % 'stop')
    return 'stop_instance', {}


def _start(_body):
    current.authorize(_RULE % 'start')
    return 'start_instance', {}


def _create_image(body):
    current.authorize(_RULE % 'create_image')
    jsonbody.validate(schemas.create_image, body)
    return 'create_image', {}


def _reboot(body):
    current.authorize(_RULE % 'reboot')
    jsonbody.validate(schemas.reboot, body)
    return 'reboot_instance', {'reboot_type': body['reboot']['type'].upper()}


# Each checks its policy and body; returns the manager method and its
# arguments.
ACTIONS = {'os-stop': _stop, 'os-start': _start, 'reboot': _reboot,
           'createImage': _create_image}


class ServerActionsController(controller.Controller):

    @pecan.expose('json')
    def post(self, server_id):
        body = schemas.parse(pecan.request, schemas.server_action)
        (name,) = body
        if name not in ACTIONS:
            raise exception.Invalid('There is no such action: %s' % name)
        # Policy first, before anything is looked up.
        method, kwargs = ACTIONS[name](body)
        instance = current.instance(server_id)
        if name == 'createImage':
            return self._create_image(instance, body['createImage'])
        current.call(method, current.live_host(instance), instance['id'],
                     **kwargs)
        return current.empty_response(202)

    @staticmethod
    def _create_image(instance, body):
        # Any host answers: the volume service takes the snapshots.
        image = current.call('create_image', instance['id'], body['name'],
                             body.get('metadata') or {})
        current.set_status(202)
        pecan.response.headers['Location'] = \
            current.links().resource('images', image['id'])[0]['href']
        return {'image_id': image['id']}
