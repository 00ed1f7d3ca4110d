"""POST /{volumes|snapshots}/{id}/action: {"<action>": {...}}."""

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest import jsonbody
from snapvol_api.rest.volume import schemas
from snapvol_api.rest.volume import versions
from snapvol_api.rest.volume import views
from snapvol_api.rest.volume.controllers import current


class ActionController(controller.Controller):
    """The actions volumes and snapshots share; the subclasses add their
    own."""

    def __init__(self, resource):
        self._resource = resource
        self._actions = {'os-reset_status': self._reset_status,
                         'os-force_delete': self._force_delete}

    @pecan.expose('json')
    def post(self, parent_id):
        resource_id = current.canonical_id(parent_id,
                                           self._resource.not_found)
        body = schemas.parse(pecan.request, schemas.action)
        (action, args), = body.items()
        if action not in self._actions:
            raise exception.Invalid('There is no such action: %s.' % action)
        # An action answers 202, unless Cinder's answers otherwise; with
        # a body when it has one.
        answer = self._actions[action](resource_id, args)
        if isinstance(answer, dict):
            current.set_status(202)
            return answer
        return current.empty_response(answer or 202)

    def _status(self, args):
        return schemas.to_reset_status(args, self._resource.kind,
                                       self._resource.reset_statuses)

    def _reset_status(self, resource_id, args):
        # Policy first: a caller who may not reset learns nothing more.
        current.authorize(self._resource.reset_status_rule)
        jsonbody.validate(schemas.reset_status, args)
        current.call(self._resource.reset_status, resource_id,
                     self._status(args))

    def _force_delete(self, resource_id, args):
        current.authorize(self._resource.force_delete_rule)
        jsonbody.validate(schemas.no_arguments, args)
        current.call(self._resource.delete, resource_id, force=True)


class VolumeActionController(ActionController):

    def __init__(self, resource):
        super().__init__(resource)
        self._actions.update({
            'os-extend': self._extend,
            'os-extend_volume_completion': self._extend_completion,
            'os-reimage': self._reimage,
            'os-set_bootable': self._set_bootable,
            'os-volume_upload_image': self._upload_image,
            'revert': self._revert})

    def _reset_status(self, volume_id, args):
        """Cinder's volume form: ``status``, ``attach_status`` or both;
        ``migration_status`` only as "none" (nothing migrates here)."""
        current.authorize(self._resource.reset_status_rule)
        jsonbody.validate(schemas.volume_reset_status, args)
        migration = args.get('migration_status')
        if migration is not None and migration.lower() != 'none':
            raise exception.Invalid(
                'Invalid migration_status %s: volumes do not migrate in '
                'this service.' % migration)
        if args.get('status') is None and args.get('attach_status') is None:
            if migration is not None:
                return
            raise exception.Invalid(
                "Must specify 'status', 'attach_status' or "
                "'migration_status' for update.")
        status = self._status(args) if args.get('status') else None
        attach_status = args.get('attach_status')
        current.call('reset_volume_status', volume_id, status,
                     attach_status=attach_status and attach_status.lower())

    def _extend(self, volume_id, args):
        """From 3.42 an attached volume too, where policy allows it."""
        current.authorize('volume:extend')
        jsonbody.validate(schemas.extend, args)
        attached = current.version_at_least(
            versions.VOLUME_EXTEND_INUSE) and current.allowed(
                'volume:extend_attached_volume')
        current.call('extend_volume', volume_id,
                     schemas.to_size(args['new_size']), attached=attached)

    def _extend_completion(self, volume_id, args):
        """3.71: a compute service (Nova) says how the extend of the
        attached volume ended."""
        current.require_version(versions.EXTEND_COMPLETION)
        current.authorize(
            'volume_extension:volume_admin_actions:extend_volume_completion')
        jsonbody.validate(schemas.extend_volume_completion, args)
        current.call('complete_volume_extend', volume_id,
                     schemas.to_bool(args.get('error', False)))

    def _reimage(self, volume_id, args):
        """3.68: refused once the request is known to be well formed and
        the volume the caller's: there is no image to write."""
        current.require_version(versions.REIMAGE)
        current.authorize('volume:reimage')
        jsonbody.validate(schemas.reimage, args)
        current.call('get_volume', volume_id)
        raise exception.ReimageNotSupported(volume_id=volume_id,
                                            image_id=args['image_id'])

    def _revert(self, volume_id, args):
        if not current.version_at_least(versions.VOLUME_REVERT):
            raise exception.Invalid('There is no such action: revert.')
        current.authorize('volume:revert_to_snapshot')
        jsonbody.validate(schemas.revert, args)
        current.call('revert_volume', volume_id, args['snapshot_id'].lower())

    def _upload_image(self, volume_id, args):
        """The volume's data as a standalone image file under [export]
        path (no image service here); 3.1 takes visibility and
        protected, which only come back in the answer."""
        current.authorize('volume_extension:volume_actions:upload_image')
        image_attributes = current.version_at_least(
            versions.IMAGE_UPLOAD_PARAMETERS)
        jsonbody.validate(schemas.upload_image_v31 if image_attributes
                          else schemas.upload_image, args)
        upload = current.call(
            'upload_volume_image', volume_id, args['image_name'],
            args.get('disk_format', 'raw'),
            container_format=args.get('container_format', 'bare'),
            force=schemas.to_bool(args.get('force', False)))
        return views.upload_image(
            'os-volume_upload_image', upload,
            show_image_attributes=image_attributes,
            visibility=args.get('visibility', 'private'),
            protected=schemas.to_bool(args.get('protected', False)))

    def _set_bootable(self, volume_id, args):
        current.authorize('volume:update')
        jsonbody.validate(schemas.set_bootable, args)
        current.call('set_volume_bootable', volume_id,
                     schemas.to_bool(args['bootable']))
        return 200


class SnapshotActionController(ActionController):

    def __init__(self, resource):
        super().__init__(resource)
        self._actions['os-update_snapshot_status'] = self._update_status
        self._actions['snapvol-upload_image'] = self._upload_image

    def _update_status(self, snapshot_id, args):
        current.authorize(
            'snapshot_extension:snapshot_actions:update_snapshot_status')
        jsonbody.validate(schemas.update_snapshot_status, args)
        current.call('report_snapshot_status', snapshot_id, args['status'],
                     args.get('progress'))

    def _upload_image(self, snapshot_id, args):
        """snapvol's: the snapshot's point in time as a standalone image
        file, as os-volume_upload_image writes a volume's data."""
        current.authorize(
            'snapshot_extension:snapshot_actions:upload_image')
        jsonbody.validate(schemas.snapshot_upload_image, args)
        upload = current.call(
            'upload_snapshot_image', snapshot_id, args['image_name'],
            args.get('disk_format', 'raw'),
            container_format=args.get('container_format', 'bare'))
        return views.upload_image(
            'snapvol-upload_image', upload, show_image_attributes=True,
            visibility=args.get('visibility', 'private'),
            protected=schemas.to_bool(args.get('protected', False)))
