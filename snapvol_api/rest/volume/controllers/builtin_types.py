"""The base of /group_types: types the volume service declares in code,
so there is nothing to create, change or delete. An administrator
asking to is told so with a 405; anyone else gets the 403 Cinder's
admin-only rule gives. Anyone may list and show them, as in Cinder."""

import pecan
import webob.exc

from snapvol_api.rest import controller
from snapvol_api.rest.volume.controllers import current


class BuiltInTypesController(controller.Controller):

    # Set by each subclass: the body keys, the RPC calls, the admin rule
    # of changes and what an administrator is told.
    collection_key = member_key = list_call = get_call = None
    manage_rule = read_only = None

    def view(self, built_in_type):
        raise NotImplementedError

    def _refuse_change(self):
        current.authorize(self.manage_rule)
        raise webob.exc.HTTPMethodNotAllowed(detail=self.read_only,
                                             headers=[('Allow', 'GET')])

    @pecan.expose('json')
    def get_all(self):
        # Clients send is_public (cinderclient even "None"); every type is.
        return {self.collection_key: [
            self.view(t) for t in current.call(self.list_call)
            if t['is_public'] or current.context().is_admin]}

    @pecan.expose('json')
    def get_one(self, type_id):
        """By id (or name), or "default" for the default type."""
        return {self.member_key: self.view(current.call(self.get_call,
                                                        type_id))}

    @pecan.expose('json')
    def post(self):
        self._refuse_change()

    @pecan.expose('json')
    def put(self, type_id):
        self._refuse_change()

    @pecan.expose('json')
    def delete(self, type_id):
        self._refuse_change()
