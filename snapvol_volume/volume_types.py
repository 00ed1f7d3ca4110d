"""Volume types, as in Cinder: rows of the volume database that
administrators create, change and delete, with extra specs; each project
may have a default type of its own (3.62), else Cinder's ``__DEFAULT__``
(made by migration 0007) is the default.

Two extra specs choose the shares a type's volumes are placed on:

- ``volume_backend_name``: a kind of share (``local``, ``nfs``,
  ``glusterfs``), the backend of Cinder's host@backend#pool that volume
  details show;
- ``snapvol:share``: one share, by its name (``kind:location``).

Other extra specs are kept and shown, and choose nothing. A type whose
specs leave no share is refused at create (NoShareForVolumeType), before
anything is made.

Private types (``is_public`` false) are seen and used by administrators
and by the projects an administrator shares them with (Cinder's
os-volume-type-access).
"""

from snapvol_api import exception
from snapvol_volume import scope

DEFAULT_ID = '5f2c1c6e-3b0e-4d7a-9a43-6c1f0d8e2b91'
DEFAULT_NAME = '__DEFAULT__'

BACKEND_KEY = 'volume_backend_name'
SHARE_KEY = 'snapvol:share'


def extra_specs(volume_type):
    return {s.key: s.value for s in volume_type.extra_specs_items}


class VolumeTypes:

    def __init__(self, db, shares):
        self._db = db
        self._shares = shares

    # Lookups ----------------------------------------------------------------

    def get(self, ctxt, ref):
        """A type by id or name that ``ctxt`` may use; else
        VolumeTypeNotFound."""
        volume_type = self._db.volume_type_get(ref)
        if not (volume_type.is_public or ctxt.is_admin
                or self._db.volume_type_access_allowed(volume_type.id,
                                                       ctxt.project_id)):
            raise exception.VolumeTypeNotFound(volume_type=ref)
        return volume_type

    def default(self, ctxt):
        """The default type of the caller's project: its own, else
        ``__DEFAULT__``."""
        try:
            own = self._db.project_default_type_get(ctxt.project_id)
        except exception.VolumeTypeProjectDefaultNotFound:
            return self._db.volume_type_get(DEFAULT_ID)
        return self._db.volume_type_get(own.volume_type_id)

    def show(self, ctxt, ref):
        """What GET /types/<ref> shows: by id or name, or "default"."""
        return self.default(ctxt) if ref == 'default' else self.get(ctxt,
                                                                    ref)

    def list(self, ctxt, is_public=True, extra_specs=None):
        """Cinder's list: the public types (and the private ones shared
        with the caller's project); an administrator's ``is_public`` may
        be False (the private ones) or None (all). ``extra_specs``
        (3.52): those that have all of them."""
        if ctxt.is_admin:
            return self._db.volume_type_get_all(is_public, extra_specs)
        return self._db.volume_type_get_all(True, extra_specs,
                                            ctxt.project_id)

    # For a new volume -------------------------------------------------------

    def for_new_volume(self, ctxt, ref, source_volume=None):
        """The type asked for; else the source volume's, of a volume made
        from a snapshot; else the project's default."""
        if ref is not None:
            return self.get(ctxt, ref)
        if source_volume is not None and source_volume.volume_type_id:
            return self._db.volume_type_get(source_volume.volume_type_id)
        return self.default(ctxt)

    def share_names(self, volume_type):
        """The names of the shares whose kind and name the type's extra
        specs allow; NoShareForVolumeType when none."""
        specs = extra_specs(volume_type)
        names = [name for name, share in self._shares.drivers.items()
                 if specs.get(BACKEND_KEY, share.kind) == share.kind
                 and specs.get(SHARE_KEY, name) == name]
        if not names:
            chosen = sorted({BACKEND_KEY, SHARE_KEY} & set(specs))
            raise exception.NoShareForVolumeType(
                volume_type=volume_type.name,
                reason='no share matches its extra spec(s) %s'
                       % ', '.join(chosen))
        return names

    # Administrators' changes ------------------------------------------------

    def create(self, ctxt, name, description=None, is_public=True,
               extra_specs=None):
        scope.require_admin(ctxt)
        return self._db.volume_type_create(
            {'name': name, 'description': description,
             'is_public': bool(is_public)}, extra_specs or {})

    def update(self, ctxt, ref, values):
        """``values``: name, description, is_public (those given)."""
        scope.require_admin(ctxt)
        volume_type = self._db.volume_type_get(ref)
        values = {k: v for k, v in values.items()
                  if k in ('name', 'description', 'is_public')
                  and v is not None}
        if volume_type.id == DEFAULT_ID and values.get(
                'name', DEFAULT_NAME) != DEFAULT_NAME:
            raise exception.InvalidInput(
                reason='the default volume type %s keeps its name'
                       % DEFAULT_NAME)
        return self._db.volume_type_update(volume_type.id, values)

    def delete(self, ctxt, ref):
        scope.require_admin(ctxt)
        volume_type = self._db.volume_type_get(ref)
        if volume_type.id == DEFAULT_ID:
            raise exception.VolumeTypeDefaultDeletionError(
                volume_type_id=volume_type.id)
        self._db.volume_type_destroy(volume_type.id)

    def set_extra_specs(self, ctxt, ref, specs):
        """Adds or changes ``specs``; returns all of them."""
        scope.require_admin(ctxt)
        volume_type = self._db.volume_type_get(ref)
        return self._db.volume_type_extra_specs_update(volume_type.id, specs)

    def delete_extra_spec(self, ctxt, ref, key):
        scope.require_admin(ctxt)
        volume_type = self._db.volume_type_get(ref)
        self._db.volume_type_extra_specs_delete(volume_type.id, key)

    # Sharing a private type (os-volume-type-access) -------------------------

    def _private(self, ref):
        volume_type = self._db.volume_type_get(ref)
        if volume_type.is_public:
            raise exception.InvalidInput(
                reason='volume type %s is public: every project may use it'
                       % volume_type.id)
        return volume_type

    def access(self, ctxt, ref):
        """The projects a private type is shared with."""
        scope.require_admin(ctxt)
        volume_type = self._private(ref)
        return volume_type.id, self._db.volume_type_access_get_all(
            volume_type.id)

    def add_access(self, ctxt, ref, project_id):
        scope.require_admin(ctxt)
        self._db.volume_type_access_add(self._private(ref).id, project_id)

    def remove_access(self, ctxt, ref, project_id):
        scope.require_admin(ctxt)
        self._db.volume_type_access_remove(self._private(ref).id,
                                           project_id)

    # Projects' default types (3.62) -----------------------------------------

    def set_project_default(self, ctxt, project_id, ref):
        """``ref``: a type's name or id."""
        scope.require_admin(ctxt)
        volume_type = self._db.volume_type_get(ref)
        return self._db.project_default_type_set(project_id, volume_type.id)

    def get_project_default(self, ctxt, project_id):
        scope.require_admin(ctxt)
        return self._db.project_default_type_get(project_id)

    def list_project_defaults(self, ctxt):
        scope.require_admin(ctxt)
        return self._db.project_default_type_get_all()

    def unset_project_default(self, ctxt, project_id):
        scope.require_admin(ctxt)
        self._db.project_default_type_unset(project_id)
