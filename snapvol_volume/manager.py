"""The volume manager's RPC surface: each method loads what the request
names (within the caller's project, ``scope``) and hands it to the module
whose job it is; results travel as the dicts of ``snapvol_volume.views``.

The jobs: ``volumes`` and ``snapshots`` (requests and the file work, in
workers), ``groups`` and ``group_snapshots`` (sets of volumes, seed 002),
``assisted`` (snapshots of attached volumes, through the compute service,
and its reports), ``attachments`` (what the compute
service asks when attaching), ``recovery`` (start-up), ``volume_types``
(types, their extra specs, projects' default types), ``services`` (the
services table, os-services), ``backups`` (backups, their restores and
the recovery of both) and ``exports`` (os-volume_upload_image).
``service`` wires them together.
"""

import datetime

import oslo_messaging as messaging

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_volume import group_types
from snapvol_volume import scope
from snapvol_volume import services
from snapvol_volume import views

# How long the ledger answers a retried request with its first answer.
REQUESTS_KEPT = datetime.timedelta(days=1)


class VolumeManager:

    RPC_API_VERSION = '1.10'
    target = messaging.Target(version=RPC_API_VERSION)

    def __init__(self, db, shares, volumes, snapshots, assisted, attachments,
                 recovery, workers, groups, group_snapshots, quotas,
                 transfers, types, backups=None, exports=None):
        self._db = db
        self.backups = backups
        self.exports = exports
        self.types = types
        self.quotas = quotas
        self.transfers = transfers
        self.shares = shares
        self.volumes = volumes
        self.snapshots = snapshots
        self.groups = groups
        self.group_snapshots = group_snapshots
        self.assisted = assisted
        self.attachments = attachments
        self.recovery = recovery
        self._workers = workers

    def init_host(self):
        """Mounts the shares and decides what recovery resumes: call it
        before serving RPC."""
        self.shares.mount_all()
        self.recovery.start()
        if self.backups is not None:
            self.backups.recover()

    def stop(self):
        self.recovery.stop()
        self._workers.stop(wait=True)

    def periodic_tasks(self):
        """Every report_interval: takes over the work of members of its
        cluster that died, and forgets requests too old to be retried."""
        self.recovery.takeover()
        if self.backups is not None:
            self.backups.recover()
        self._db.request_purge(REQUESTS_KEPT)

    # Volumes ----------------------------------------------------------------

    def get_volume(self, ctxt, volume_id):
        return views.volume(scope.volume(self._db, ctxt, volume_id))

    def list_volumes(self, ctxt, filters, marker, limit, sort, offset):
        filters = scope.list_filters(ctxt, filters, scope.VOLUME_FILTERS)
        return [views.volume(v) for v in self._db.volume_get_all(
            filters, marker, limit, sort, offset)]

    def create_volume(self, ctxt, size, name, description, metadata,
                      snapshot_id, volume_type=None, request_id=None):
        return views.volume(self.volumes.create(
            ctxt, size, name, description, metadata, snapshot_id,
            volume_type=volume_type, request_id=request_id))

    def update_volume(self, ctxt, volume_id, values):
        return views.volume(self.volumes.update(ctxt, volume_id, values))

    def delete_volume(self, ctxt, volume_id, cascade=False, force=False,
                      request_id=None):
        return views.volume(self.volumes.delete(ctxt, volume_id,
                                                cascade=cascade, force=force,
                                                request_id=request_id))

    def extend_volume(self, ctxt, volume_id, new_size, attached=False):
        return views.volume(self.volumes.extend(ctxt, volume_id, new_size,
                                                attached=attached))

    def complete_volume_extend(self, ctxt, volume_id, error):
        return views.volume(self.volumes.complete_extend(ctxt, volume_id,
                                                         error))

    def revert_volume(self, ctxt, volume_id, snapshot_id):
        return views.volume(self.volumes.revert(ctxt, volume_id,
                                                snapshot_id))

    def reset_volume_status(self, ctxt, volume_id, status,
                            attach_status=None):
        return views.volume(self.volumes.reset_status(
            ctxt, volume_id, status, attach_status=attach_status))

    def set_volume_bootable(self, ctxt, volume_id, bootable):
        return views.volume(self.volumes.set_bootable(ctxt, volume_id,
                                                      bootable))

    def set_volume_metadata(self, ctxt, volume_id, metadata, replace):
        volume = scope.volume(self._db, ctxt, volume_id)
        return views.volume(self._db.volume_metadata_set(
            volume.id, metadata, replace))['metadata']

    def delete_volume_metadata(self, ctxt, volume_id, key):
        volume = scope.volume(self._db, ctxt, volume_id)
        self._db.volume_metadata_delete(volume.id, key)

    # Snapshots --------------------------------------------------------------

    def get_snapshot(self, ctxt, snapshot_id):
        return views.snapshot(scope.snapshot(self._db, ctxt, snapshot_id))

    def list_snapshots(self, ctxt, filters, marker, limit, sort, offset):
        filters = scope.list_filters(ctxt, filters, scope.SNAPSHOT_FILTERS)
        return [views.snapshot(s) for s in self._db.snapshot_get_all(
            filters, marker, limit, sort, offset)]

    def create_snapshot(self, ctxt, volume_id, name, description, metadata,
                        force, request_id=None):
        return views.snapshot(self.snapshots.create(
            ctxt, volume_id, name, description, metadata, force,
            request_id=request_id))

    def update_snapshot(self, ctxt, snapshot_id, values):
        return views.snapshot(self.snapshots.update(ctxt, snapshot_id,
                                                    values))

    def delete_snapshot(self, ctxt, snapshot_id, force=False,
                        request_id=None):
        return views.snapshot(self.snapshots.delete(ctxt, snapshot_id,
                                                    force=force,
                                                    request_id=request_id))

    def report_snapshot_status(self, ctxt, snapshot_id, status, progress):
        return views.snapshot(self.snapshots.report(ctxt, snapshot_id,
                                                    status, progress))

    def reset_snapshot_status(self, ctxt, snapshot_id, status):
        return views.snapshot(self.snapshots.reset_status(ctxt, snapshot_id,
                                                          status))

    def set_snapshot_metadata(self, ctxt, snapshot_id, metadata, replace):
        snapshot = scope.snapshot(self._db, ctxt, snapshot_id)
        return views.snapshot(self._db.snapshot_metadata_set(
            snapshot.id, metadata, replace))['metadata']

    def delete_snapshot_metadata(self, ctxt, snapshot_id, key):
        snapshot = scope.snapshot(self._db, ctxt, snapshot_id)
        self._db.snapshot_metadata_delete(snapshot.id, key)

    # Backups and exports (1.10) ---------------------------------------------

    def create_backup(self, ctxt, volume_id, name, description, snapshot_id,
                      incremental, force, container, metadata,
                      availability_zone):
        return views.backup(self.backups.create(
            ctxt, volume_id, name=name, description=description,
            snapshot_id=snapshot_id, incremental=incremental, force=force,
            container=container, metadata=metadata,
            availability_zone=availability_zone))

    def get_backup(self, ctxt, backup_id):
        return views.backup(self._db.backup_get(backup_id,
                                                scope.project(ctxt)))

    def list_backups(self, ctxt, filters, marker, limit, sort, offset):
        filters = scope.list_filters(ctxt, filters, scope.BACKUP_FILTERS)
        return [views.backup(b) for b in self._db.backup_get_all(
            filters, marker, limit, sort, offset)]

    def update_backup(self, ctxt, backup_id, values):
        return views.backup(self.backups.update(ctxt, backup_id, values))

    def delete_backup(self, ctxt, backup_id, force):
        return views.backup(self.backups.delete(ctxt, backup_id,
                                                force=force))

    def restore_backup(self, ctxt, backup_id, volume_id, name):
        """{backup_id, volume_id, volume_name}."""
        return self.backups.restore(ctxt, backup_id, volume_id=volume_id,
                                    name=name)

    def reset_backup_status(self, ctxt, backup_id, status):
        return views.backup(self.backups.reset_status(ctxt, backup_id,
                                                      status))

    def upload_volume_image(self, ctxt, volume_id, image_name, disk_format,
                            container_format, force):
        return self.exports.upload_volume(
            ctxt, volume_id, image_name, disk_format,
            container_format=container_format, force=force)

    def upload_snapshot_image(self, ctxt, snapshot_id, image_name,
                              disk_format, container_format):
        return self.exports.upload_snapshot(
            ctxt, snapshot_id, image_name, disk_format,
            container_format=container_format)

    # User messages (1.4) ----------------------------------------------------

    def list_messages(self, ctxt, filters, marker, limit, sort, offset):
        filters = scope.list_filters(ctxt, filters, scope.MESSAGE_FILTERS)
        return [views.message(m) for m in self._db.message_get_all(
            filters, marker, limit, sort, offset)]

    def get_message(self, ctxt, message_id):
        return views.message(self._db.message_get(message_id,
                                                  scope.project(ctxt)))

    def delete_message(self, ctxt, message_id):
        self._db.message_delete(message_id, scope.project(ctxt))

    # Transfers (1.4) ---------------------------------------------------------

    def create_transfer(self, ctxt, volume_id, name, no_snapshots):
        """The transfer with its ``auth_key``, shown only here."""
        transfer, auth_key = self.transfers.create(ctxt, volume_id, name,
                                                   no_snapshots)
        return dict(views.transfer(transfer), auth_key=auth_key)

    def get_transfer(self, ctxt, transfer_id):
        return views.transfer(self._db.transfer_get(transfer_id,
                                                    scope.project(ctxt)))

    def list_transfers(self, ctxt, filters, marker, limit, sort, offset):
        filters = scope.list_filters(ctxt, filters, scope.TRANSFER_FILTERS)
        return [views.transfer(t) for t in self._db.transfer_get_all(
            filters, marker, limit, sort, offset)]

    def accept_transfer(self, ctxt, transfer_id, auth_key):
        return views.transfer(self.transfers.accept(ctxt, transfer_id,
                                                    auth_key))

    def delete_transfer(self, ctxt, transfer_id):
        self.transfers.delete(ctxt, transfer_id)

    # Quotas and limits (1.4) -------------------------------------------------

    def get_quotas(self, ctxt, project_id, usage):
        return self.quotas.show(ctxt, project_id, usage=usage)

    def get_quota_defaults(self, ctxt):
        return self.quotas.defaults()

    def update_quotas(self, ctxt, project_id, values):
        return self.quotas.update(ctxt, project_id, values)

    def delete_quotas(self, ctxt, project_id):
        self.quotas.delete(ctxt, project_id)

    def get_absolute_limits(self, ctxt, project_id):
        return self.quotas.absolute_limits(ctxt, project_id)

    # Volume types (1.3; changes, extra specs and defaults 1.5) -------------

    def list_volume_types(self, ctxt, is_public=True, extra_specs=None):
        return [views.volume_type(t) for t in self.types.list(
            ctxt, is_public=is_public, extra_specs=extra_specs)]

    def get_volume_type(self, ctxt, volume_type_id):
        return views.volume_type(self.types.show(ctxt, volume_type_id))

    def create_volume_type(self, ctxt, name, description, is_public,
                           extra_specs):
        return views.volume_type(self.types.create(
            ctxt, name, description, is_public, extra_specs))

    def update_volume_type(self, ctxt, volume_type_id, values):
        return views.volume_type(self.types.update(ctxt, volume_type_id,
                                                   values))

    def delete_volume_type(self, ctxt, volume_type_id):
        self.types.delete(ctxt, volume_type_id)

    def set_volume_type_extra_specs(self, ctxt, volume_type_id,
                                    extra_specs):
        return self.types.set_extra_specs(ctxt, volume_type_id, extra_specs)

    def delete_volume_type_extra_spec(self, ctxt, volume_type_id, key):
        self.types.delete_extra_spec(ctxt, volume_type_id, key)

    def list_volume_type_access(self, ctxt, volume_type_id):
        type_id, projects = self.types.access(ctxt, volume_type_id)
        return [{'volume_type_id': type_id, 'project_id': p}
                for p in projects]

    def add_volume_type_access(self, ctxt, volume_type_id, project_id):
        self.types.add_access(ctxt, volume_type_id, project_id)

    def remove_volume_type_access(self, ctxt, volume_type_id, project_id):
        self.types.remove_access(ctxt, volume_type_id, project_id)

    def set_default_type(self, ctxt, project_id, volume_type):
        return views.default_type(self.types.set_project_default(
            ctxt, project_id, volume_type))

    def get_default_type(self, ctxt, project_id):
        return views.default_type(self.types.get_project_default(
            ctxt, project_id))

    def list_default_types(self, ctxt):
        return [views.default_type(d)
                for d in self.types.list_project_defaults(ctxt)]

    def unset_default_type(self, ctxt, project_id):
        self.types.unset_project_default(ctxt, project_id)

    # Availability zones (1.3) -----------------------------------------------

    def list_availability_zones(self, ctxt):
        return [{'name': CONF.storage_availability_zone, 'available': True}]

    def list_services(self, ctxt, filters):
        scope.require_admin(ctxt)
        return services.list_services(self._db, filters)

    # Group types, groups and group snapshots (1.2) --------------------------

    def list_group_types(self, ctxt):
        return group_types.get_all()

    def get_group_type(self, ctxt, group_type_id):
        return group_types.CATALOG.show(group_type_id)

    def get_group(self, ctxt, group_id):
        return views.group(self._db.group_get(group_id,
                                              scope.project(ctxt)))

    def list_groups(self, ctxt, filters, marker, limit, sort, offset):
        filters = scope.list_filters(ctxt, filters, scope.GROUP_FILTERS)
        return [views.group(g) for g in self._db.group_get_all(
            filters, marker, limit, sort, offset)]

    def create_group(self, ctxt, group_type, volume_types, name,
                     description, availability_zone):
        return views.group(self.groups.create(
            ctxt, group_type, volume_types, name, description,
            availability_zone))

    def create_group_from_src(self, ctxt, name, description,
                              group_snapshot_id, source_group_id):
        if source_group_id is not None or group_snapshot_id is None:
            raise exception.InvalidInput(
                reason='a group is made from a group snapshot '
                       '(group_snapshot_id); cloning a group '
                       '(source_group_id) is not supported')
        return views.group(self.groups.create_from_src(
            ctxt, name, description, group_snapshot_id))

    def update_group(self, ctxt, group_id, values, add_volumes,
                     remove_volumes):
        return views.group(self.groups.update(
            ctxt, group_id, values, add_volumes, remove_volumes))

    def delete_group(self, ctxt, group_id, delete_volumes):
        group = self.groups.delete(ctxt, group_id, delete_volumes)
        return views.group(group) if group is not None else None

    def reset_group_status(self, ctxt, group_id, status):
        return views.group(self.groups.reset_status(ctxt, group_id, status))

    def reset_group_snapshot_status(self, ctxt, group_snapshot_id, status):
        return views.group_snapshot(self.group_snapshots.reset_status(
            ctxt, group_snapshot_id, status))

    def get_group_snapshot(self, ctxt, group_snapshot_id):
        return views.group_snapshot(self._db.group_snapshot_get(
            group_snapshot_id, scope.project(ctxt)))

    def list_group_snapshots(self, ctxt, filters, marker, limit, sort,
                             offset):
        filters = scope.list_filters(ctxt, filters,
                                     scope.GROUP_SNAPSHOT_FILTERS)
        return [views.group_snapshot(g) for g in
                self._db.group_snapshot_get_all(filters, marker, limit, sort,
                                                offset)]

    def create_group_snapshot(self, ctxt, group_id, name, description):
        return views.group_snapshot(self.group_snapshots.create(
            ctxt, group_id, name, description))

    def create_instance_snapshot(self, ctxt, instance_id, disks, name,
                                 description):
        """The group snapshot, with its ``members`` as snapshots."""
        group_snapshot = self.group_snapshots.create_for_instance(
            ctxt, instance_id, disks, name, description)
        return dict(views.group_snapshot(group_snapshot),
                    members=[views.snapshot(s)
                             for s in group_snapshot.snapshots])

    def delete_group_snapshot(self, ctxt, group_snapshot_id):
        return views.group_snapshot(self.group_snapshots.delete(
            ctxt, group_snapshot_id))

    # For the compute service ------------------------------------------------

    def initialize_connection(self, ctxt, volume_id, connector):
        return self.attachments.connection(ctxt, volume_id, connector)

    def attach_volume(self, ctxt, volume_id, instance_id, host, device):
        return views.volume(self.attachments.attach(
            ctxt, volume_id, instance_id, host, device))

    def detach_volume(self, ctxt, volume_id, instance_id):
        return views.volume(self.attachments.detach(ctxt, volume_id,
                                                    instance_id))

    def update_snapshot_status(self, ctxt, snapshot_id, status, progress,
                               file_format, reason=None, quiesced=None):
        """The compute service's report on an assisted snapshot (a cast)."""
        self.assisted.receive(snapshot_id, status, progress, file_format,
                              reason=reason, quiesced=quiesced)

    def update_group_snapshot_status(self, ctxt, group_snapshot_id, status,
                                     members, quiesced=None,
                                     freeze_seconds=None,
                                     freeze_warning=False, reason=None):
        """The compute service's one report on a group snapshot (a
        cast)."""
        self.assisted.receive_set(group_snapshot_id, status, members,
                                  quiesced=quiesced,
                                  freeze_seconds=freeze_seconds,
                                  freeze_warning=freeze_warning,
                                  reason=reason)
