"""/v2.1/images: the images createImage made of volume-backed servers, in
the shape of Nova's image proxy (a volume-backed snapshot: size 0, its
disks in the ``block_device_mapping`` property)."""

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest.compute import views
from snapvol_api.rest.compute.controllers import current

RULE = 'os_compute_api:images'


def _image_id(value):
    return current.canonical_id(
        value, lambda v: exception.ImageNotFound(image_id=v))


class ImagesController(controller.Controller):

    _custom_actions = {'detail': ['GET']}

    def _list(self, view):
        current.authorize(RULE)
        links = current.links()
        return {'images': [view(i, links)
                           for i in current.call('list_images')]}

    @pecan.expose('json')
    def get_all(self):
        return self._list(views.image_summary)

    @pecan.expose('json')
    def detail(self):
        return self._list(views.image_detail)

    @pecan.expose('json')
    def get_one(self, image_id):
        current.authorize(RULE)
        return {'image': views.image_detail(
            current.call('get_image', _image_id(image_id)), current.links())}

    @pecan.expose('json')
    def delete(self, image_id):
        current.authorize(RULE)
        current.call('delete_image', _image_id(image_id))
        return current.empty_response(204)
