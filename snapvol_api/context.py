"""The request context carried from the API through RPC to the managers."""

from oslo_context import context


class RequestContext(context.RequestContext):
    """oslo.context's context; ``is_admin`` follows the admin role."""

    def __init__(self, is_admin=None, roles=None, **kwargs):
        roles = list(roles or [])
        if is_admin is None:
            is_admin = 'admin' in roles
        super().__init__(is_admin=is_admin, roles=roles, **kwargs)

    @classmethod
    def from_dict(cls, values, **kwargs):
        return super().from_dict(values, is_admin=values.get('is_admin'),
                                 **kwargs)

    def can_see(self, project_id):
        return self.is_admin or project_id == self.project_id


def get_admin_context():
    return RequestContext(user_id='snapvol', project_id=None, is_admin=True,
                          roles=['admin'], overwrite=False)
