"""The volume types of the fake volume manager (``fakes.FakeVolumeAPI``):
the manager's contract for types, extra specs and projects' default
types, kept in memory."""

import copy
import uuid

from snapvol_api import exception
from snapvol_volume import volume_types

DEFAULT = {'id': volume_types.DEFAULT_ID, 'name': volume_types.DEFAULT_NAME,
           'description': 'Default Volume Type', 'is_public': True,
           'extra_specs': {}, 'qos_specs_id': None}


class FakeVolumeTypes:

    def __init__(self):
        self.types = {DEFAULT['id']: copy.deepcopy(DEFAULT)}
        self.default_types = {}
        # {type id: {project ids}} of private types.
        self.access = {}

    def _record(self, method, ctxt, **kwargs):
        raise NotImplementedError

    def _type(self, ctxt, ref):
        for vtype in self.types.values():
            if ref in (vtype['id'], vtype['name']) and (
                    vtype['is_public'] or ctxt.is_admin
                    or ctxt.project_id in self.access.get(vtype['id'], ())):
                return vtype
        raise exception.VolumeTypeNotFound(volume_type=ref)

    def _project_default(self, ctxt):
        type_id = self.default_types.get(ctxt.project_id, DEFAULT['id'])
        return self.types[type_id]

    def type_of_new_volume(self, ctxt, ref):
        """{volume_type, volume_type_id} of a volume created with
        ``ref``."""
        vtype = (self._type(ctxt, ref) if ref is not None
                 else self._project_default(ctxt))
        return {'volume_type': vtype['name'], 'volume_type_id': vtype['id']}

    def list_volume_types(self, ctxt, is_public=True, extra_specs=None):
        self._record('list_volume_types', ctxt, is_public=is_public,
                     extra_specs=extra_specs)
        shared = set()
        if not ctxt.is_admin:
            is_public = True
            shared = {t for t, projects in self.access.items()
                      if ctxt.project_id in projects}
        return [copy.deepcopy(t) for t in self.types.values()
                if (is_public in (None, t['is_public']) or t['id'] in shared)
                and all(t['extra_specs'].get(k) == v
                        for k, v in (extra_specs or {}).items())]

    def get_volume_type(self, ctxt, volume_type_id):
        self._record('get_volume_type', ctxt, volume_type_id=volume_type_id)
        if volume_type_id == 'default':
            return copy.deepcopy(self._project_default(ctxt))
        return copy.deepcopy(self._type(ctxt, volume_type_id))

    def create_volume_type(self, ctxt, name, description=None,
                           is_public=True, extra_specs=None):
        self._record('create_volume_type', ctxt, name=name,
                     description=description, is_public=is_public,
                     extra_specs=extra_specs)
        if any(t['name'] == name for t in self.types.values()):
            raise exception.VolumeTypeExists(id=name)
        vtype = {'id': str(uuid.uuid4()), 'name': name,
                 'description': description, 'is_public': is_public,
                 'extra_specs': dict(extra_specs or {}),
                 'qos_specs_id': None}
        self.types[vtype['id']] = vtype
        return copy.deepcopy(vtype)

    def update_volume_type(self, ctxt, volume_type_id, values):
        self._record('update_volume_type', ctxt,
                     volume_type_id=volume_type_id, values=values)
        vtype = self._type(ctxt, volume_type_id)
        vtype.update({k: v for k, v in values.items() if v is not None})
        return copy.deepcopy(vtype)

    def delete_volume_type(self, ctxt, volume_type_id):
        self._record('delete_volume_type', ctxt,
                     volume_type_id=volume_type_id)
        vtype = self._type(ctxt, volume_type_id)
        if vtype['id'] == DEFAULT['id'] or (
                vtype['id'] in self.default_types.values()):
            raise exception.VolumeTypeDefaultDeletionError(
                volume_type_id=vtype['id'])
        if any(v.get('volume_type_id') == vtype['id']
               for v in self.volumes.values()):
            raise exception.VolumeTypeInUse(volume_type_id=vtype['id'])
        del self.types[vtype['id']]

    def set_volume_type_extra_specs(self, ctxt, volume_type_id,
                                    extra_specs):
        self._record('set_volume_type_extra_specs', ctxt,
                     volume_type_id=volume_type_id, extra_specs=extra_specs)
        vtype = self._type(ctxt, volume_type_id)
        vtype['extra_specs'].update(extra_specs)
        return dict(vtype['extra_specs'])

    def delete_volume_type_extra_spec(self, ctxt, volume_type_id, key):
        self._record('delete_volume_type_extra_spec', ctxt,
                     volume_type_id=volume_type_id, key=key)
        vtype = self._type(ctxt, volume_type_id)
        if key not in vtype['extra_specs']:
            raise exception.VolumeTypeExtraSpecsNotFound(
                volume_type_id=vtype['id'], extra_specs_key=key)
        del vtype['extra_specs'][key]

    def set_default_type(self, ctxt, project_id, volume_type):
        self._record('set_default_type', ctxt, project_id=project_id,
                     volume_type=volume_type)
        self.default_types[project_id] = self._type(ctxt, volume_type)['id']
        return {'project_id': project_id,
                'volume_type_id': self.default_types[project_id]}

    def get_default_type(self, ctxt, project_id):
        self._record('get_default_type', ctxt, project_id=project_id)
        if project_id not in self.default_types:
            raise exception.VolumeTypeProjectDefaultNotFound(
                project_id=project_id)
        return {'project_id': project_id,
                'volume_type_id': self.default_types[project_id]}

    def list_default_types(self, ctxt):
        self._record('list_default_types', ctxt)
        return [{'project_id': p, 'volume_type_id': t}
                for p, t in sorted(self.default_types.items())]

    def unset_default_type(self, ctxt, project_id):
        self._record('unset_default_type', ctxt, project_id=project_id)
        self.default_types.pop(project_id, None)

    def _private(self, ctxt, volume_type_id):
        vtype = self._type(ctxt, volume_type_id)
        if vtype['is_public']:
            raise exception.InvalidInput(reason='public type')
        return vtype

    def list_volume_type_access(self, ctxt, volume_type_id):
        self._record('list_volume_type_access', ctxt,
                     volume_type_id=volume_type_id)
        vtype = self._private(ctxt, volume_type_id)
        return [{'volume_type_id': vtype['id'], 'project_id': p}
                for p in sorted(self.access.get(vtype['id'], ()))]

    def add_volume_type_access(self, ctxt, volume_type_id, project_id):
        self._record('add_volume_type_access', ctxt,
                     volume_type_id=volume_type_id, project_id=project_id)
        vtype = self._private(ctxt, volume_type_id)
        projects = self.access.setdefault(vtype['id'], set())
        if project_id in projects:
            raise exception.VolumeTypeAccessExists(
                volume_type_id=vtype['id'], project_id=project_id)
        projects.add(project_id)

    def remove_volume_type_access(self, ctxt, volume_type_id, project_id):
        self._record('remove_volume_type_access', ctxt,
                     volume_type_id=volume_type_id, project_id=project_id)
        vtype = self._private(ctxt, volume_type_id)
        if project_id not in self.access.get(vtype['id'], ()):
            raise exception.VolumeTypeAccessNotFound(
                volume_type_id=vtype['id'], project_id=project_id)
        self.access[vtype['id']].discard(project_id)
