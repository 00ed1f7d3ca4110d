"""The volume manager's RPC surface: each method loads what the request
names (within the caller's project, ``scope``) and hands it to the module
whose job it is; results travel as the dicts of ``snapvol_volume.views``.

The jobs: ``volumes`` and ``snapshots`` (requests and the file work, in
workers), ``assisted`` (snapshots of attached volumes, through the
compute service, and its reports), ``attachments`` (what the compute
service asks when attaching), ``recovery`` (start-up). ``service`` wires
them together.
"""

import oslo_messaging as messaging

from snapvol_volume import scope
from snapvol_volume import views


class VolumeManager:

    RPC_API_VERSION = '1.1'
    target = messaging.Target(version=RPC_API_VERSION)

    def __init__(self, db, shares, volumes, snapshots, assisted, attachments,
                 recovery, workers):
        self._db = db
        self.shares = shares
        self.volumes = volumes
        self.snapshots = snapshots
        self.assisted = assisted
        self.attachments = attachments
        self.recovery = recovery
        self._workers = workers

    def init_host(self):
        """Mounts the shares and decides what recovery resumes: call it
        before serving RPC."""
        self.shares.mount_all()
        self.recovery.start()

    def stop(self):
        self.recovery.stop()
        self._workers.stop(wait=True)

    # Volumes ----------------------------------------------------------------

    def get_volume(self, ctxt, volume_id):
        return views.volume(scope.volume(self._db, ctxt, volume_id))

    def list_volumes(self, ctxt, filters, marker, limit, sort, offset):
        filters = scope.list_filters(ctxt, filters, scope.VOLUME_FILTERS)
        return [views.volume(v) for v in self._db.volume_get_all(
            filters, marker, limit, sort, offset)]

    def create_volume(self, ctxt, size, name, description, metadata,
                      snapshot_id):
        return views.volume(self.volumes.create(
            ctxt, size, name, description, metadata, snapshot_id))

    def update_volume(self, ctxt, volume_id, values):
        return views.volume(self.volumes.update(ctxt, volume_id, values))

    def delete_volume(self, ctxt, volume_id):
        return views.volume(self.volumes.delete(ctxt, volume_id))

    def reset_volume_status(self, ctxt, volume_id, status):
        return views.volume(self.volumes.reset_status(ctxt, volume_id,
                                                      status))

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
                        force):
        return views.snapshot(self.snapshots.create(
            ctxt, volume_id, name, description, metadata, force))

    def update_snapshot(self, ctxt, snapshot_id, values):
        return views.snapshot(self.snapshots.update(ctxt, snapshot_id,
                                                    values))

    def delete_snapshot(self, ctxt, snapshot_id):
        return views.snapshot(self.snapshots.delete(ctxt, snapshot_id))

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
