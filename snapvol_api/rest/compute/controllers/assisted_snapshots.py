"""/v2.1/os-assisted-volume-snapshots: the volume service asks for a
snapshot of an attached volume to be taken or merged (seed 000, step 3),
or for snapshots of several volumes of one instance to be taken in one
transaction (our list form, seed 002: {"group_snapshot_id", "snapshots":
[{"volume_id", "create_info"}]}).

Both are casts: the compute manager reports the outcome to the volume
manager over RPC, so these answer as soon as the request is on its way.
"""

import pecan

from snapvol_api import exception
from snapvol_api.rest import controller
from snapvol_api.rest import jsonbody
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


def _one_instance(members):
    """The attachment all the set's volumes share; 400 when they are not
    all attached to one instance: one transaction cannot span domains."""
    attachments = [_attachment(m['volume_id']) for m in members]
    instances = sorted({a['instance_id'] for a in attachments})
    if len(instances) > 1:
        raise exception.Invalid(
            'The volumes of a snapshot set must be attached to one '
            'instance; these are attached to %s.' % ', '.join(instances))
    return attachments[0]


def _unique(values, what):
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise exception.Invalid('A snapshot set names %s %s more than once.'
                                % (what, ', '.join(duplicates)))


class AssistedSnapshotsController(controller.Controller):

    @pecan.expose('json')
    def post(self):
        current.authorize(_RULE % 'create')
        body = schemas.parse(pecan.request, schemas.any_object)
        if 'snapshots' in body:
            return self._create_set(body)
        jsonbody.validate(schemas.snapshot_create, body)
        fields = body['snapshot']
        volume_id = fields['volume_id'].lower()
        create_info = schemas.create_info(fields['create_info'])
        attachment = _attachment(volume_id)
        current.call('volume_snapshot_create', current.live_host(attachment),
                     attachment['instance_id'], volume_id, create_info)
        return views.assisted_snapshot(create_info['snapshot_id'],
                                       volume_id)

    def _create_set(self, body):
        jsonbody.validate(schemas.snapshot_set_create, body)
        group_snapshot_id = body['group_snapshot_id'].lower()
        members = [{'volume_id': m['volume_id'].lower(),
                    'create_info': schemas.create_info(m['create_info'])}
                   for m in body['snapshots']]
        _unique([m['volume_id'] for m in members], 'volume')
        _unique([m['create_info']['snapshot_id'] for m in members],
                'snapshot')
        attachment = _one_instance(members)
        current.call('volume_snapshot_create_set',
                     current.live_host(attachment),
                     attachment['instance_id'], group_snapshot_id, members)
        return views.assisted_snapshot_set(group_snapshot_id, members)

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
        current.call('volume_snapshot_delete', current.live_host(attachment),
                     attachment['instance_id'], volume_id, snapshot_id,
                     delete_info)
        return current.empty_response(204)
