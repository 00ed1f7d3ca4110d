"""Client side of the volume manager's RPC API."""

import oslo_messaging as messaging

from snapvol_api import rpc

TOPIC = 'snapvol-volume'


class VolumeAPI:
    """Client side of the volume manager RPC API.

    Every method returns plain data: a volume or snapshot is a dict as
    ``snapvol_volume.views`` makes; errors arrive as
    ``snapvol_api.exception`` classes.

    API version history:

    * 1.0 - Initial version.
    * 1.1 - Adds initialize_connection, attach_volume, detach_volume (for
      the compute service) and update_snapshot_status (its report of an
      assisted snapshot, seed 001).
    * 1.2 - Adds group types, groups and group snapshots (Cinder 3.11 to
      3.14, seed 002) and update_group_snapshot_status (the compute
      service's one report on a group snapshot).
    * 1.3 - Adds list_volume_types, get_volume_type,
      list_availability_zones and extend_volume.
    * 1.4 - Adds cascade and force to delete_volume, force to
      delete_snapshot, attach_status to reset_volume_status,
      set_volume_bootable, report_snapshot_status (Cinder's
      os-update_snapshot_status), reset_group_status,
      reset_group_snapshot_status, and user messages (list_messages,
      get_message, delete_message), quotas (get_quotas,
      get_quota_defaults, update_quotas, delete_quotas),
      get_absolute_limits, and volume transfers (create_transfer,
      get_transfer, list_transfers, accept_transfer, delete_transfer),
      revert_volume, and attached to extend_volume.
    * 1.5 - Adds volume_type to create_volume, is_public and extra_specs
      to list_volume_types, create_volume_type, update_volume_type,
      delete_volume_type, set_volume_type_extra_specs,
      delete_volume_type_extra_spec, and projects' default types
      (set_default_type, get_default_type, list_default_types,
      unset_default_type).
    * 1.6 - Adds complete_volume_extend (Cinder's
      os-extend_volume_completion).
    * 1.7 - Adds list_volume_type_access, add_volume_type_access and
      remove_volume_type_access (Cinder's os-volume-type-access).
    * 1.8 - Adds list_services (Cinder's os-services).
    * 1.9 - Adds request_id to create_volume, delete_volume,
      create_snapshot and delete_snapshot: the key of the request in the
      ledger, recorded with the change.
    * 1.10 - Adds backups (create_backup, get_backup, list_backups,
      update_backup, delete_backup, restore_backup, reset_backup_status:
      Cinder's backups API) and exports (upload_volume_image: Cinder's
      os-volume_upload_image; upload_snapshot_image: a snapshot's).
    """

    RPC_API_VERSION = '1.10'

    def __init__(self, server=None, client=None):
        """Calls go to any volume manager, or with ``server`` to those
        that serve that name: a host, or a cluster (see ``at``)."""
        target = messaging.Target(topic=TOPIC, version=self.RPC_API_VERSION)
        self.client = client or rpc.get_client(
            target, version_cap=self.RPC_API_VERSION)
        self.server = server

    def at(self, server):
        """This client for the managers of ``server`` (a volume's cluster,
        or its host when it has none): any live member takes the call."""
        return VolumeAPI(server, self.client)

    def _call(self, ctxt, method, version='1.0', **kwargs):
        cctxt = self.client.prepare(version=version, server=self.server)
        return cctxt.call(ctxt, method, **kwargs)

    # Volumes

    def get_volume(self, ctxt, volume_id):
        return self._call(ctxt, 'get_volume', volume_id=volume_id)

    def list_volumes(self, ctxt, filters=None, marker=None, limit=None,
                     sort=None, offset=None):
        """``sort`` is a list of [key, direction] pairs."""
        return self._call(ctxt, 'list_volumes', filters=filters or {},
                          marker=marker, limit=limit, sort=sort or [],
                          offset=offset)

    def create_volume(self, ctxt, size, name=None, description=None,
                      metadata=None, snapshot_id=None, volume_type=None,
                      request_id=None):
        """Returns the new volume at once, status 'creating'.
        ``volume_type`` (1.5): a name or id; None: the project's
        default. ``request_id`` (1.9): recorded in the ledger with the
        volume (see snapvol_volume.front); a known one gives the volume
        it made."""
        return self._call(ctxt, 'create_volume', version='1.9', size=size,
                          name=name, description=description,
                          metadata=metadata or {}, snapshot_id=snapshot_id,
                          volume_type=volume_type, request_id=request_id)

    def update_volume(self, ctxt, volume_id, values):
        """``values`` may hold name, description and metadata."""
        return self._call(ctxt, 'update_volume', volume_id=volume_id,
                          values=values)

    def delete_volume(self, ctxt, volume_id, cascade=False, force=False,
                      request_id=None):
        """Returns the volume at once, status 'deleting'. ``cascade``:
        with its snapshots; ``force``: whatever its status (admin);
        ``request_id``: as for create_volume."""
        return self._call(ctxt, 'delete_volume', version='1.9',
                          volume_id=volume_id, cascade=cascade, force=force,
                          request_id=request_id)

    def extend_volume(self, ctxt, volume_id, new_size, attached=False):
        """os-extend; ``attached`` (1.4, Cinder 3.42): an in-use volume
        too. Returns it at once, ``extending``."""
        return self._call(ctxt, 'extend_volume', version='1.4',
                          volume_id=volume_id, new_size=new_size,
                          attached=attached)

    def complete_volume_extend(self, ctxt, volume_id, error):
        """Cinder 3.71: a compute service says how the extend of the
        attached volume ended (``error``); returns the volume."""
        return self._call(ctxt, 'complete_volume_extend', version='1.6',
                          volume_id=volume_id, error=error)

    def revert_volume(self, ctxt, volume_id, snapshot_id):
        """Cinder 3.40: back to its latest snapshot; returns the volume at
        once, reverting."""
        return self._call(ctxt, 'revert_volume', version='1.4',
                          volume_id=volume_id, snapshot_id=snapshot_id)

    def reset_volume_status(self, ctxt, volume_id, status,
                            attach_status=None):
        """``status`` (or None) and/or ``attach_status`` (attached,
        detached)."""
        return self._call(ctxt, 'reset_volume_status', version='1.4',
                          volume_id=volume_id, status=status,
                          attach_status=attach_status)

    def set_volume_bootable(self, ctxt, volume_id, bootable):
        return self._call(ctxt, 'set_volume_bootable', version='1.4',
                          volume_id=volume_id, bootable=bootable)

    def set_volume_metadata(self, ctxt, volume_id, metadata, replace=False):
        """Merges (or with ``replace`` replaces) metadata; returns it all."""
        return self._call(ctxt, 'set_volume_metadata', volume_id=volume_id,
                          metadata=metadata, replace=replace)

    def delete_volume_metadata(self, ctxt, volume_id, key):
        return self._call(ctxt, 'delete_volume_metadata',
                          volume_id=volume_id, key=key)

    # Snapshots

    def get_snapshot(self, ctxt, snapshot_id):
        return self._call(ctxt, 'get_snapshot', snapshot_id=snapshot_id)

    def list_snapshots(self, ctxt, filters=None, marker=None, limit=None,
                       sort=None, offset=None):
        return self._call(ctxt, 'list_snapshots', filters=filters or {},
                          marker=marker, limit=limit, sort=sort or [],
                          offset=offset)

    def create_snapshot(self, ctxt, volume_id, name=None, description=None,
                        metadata=None, force=False, request_id=None):
        """Returns the new snapshot at once, status 'creating'.
        ``request_id``: as for create_volume."""
        return self._call(ctxt, 'create_snapshot', version='1.9',
                          volume_id=volume_id, name=name,
                          description=description, metadata=metadata or {},
                          force=force, request_id=request_id)

    def update_snapshot(self, ctxt, snapshot_id, values):
        return self._call(ctxt, 'update_snapshot', snapshot_id=snapshot_id,
                          values=values)

    def delete_snapshot(self, ctxt, snapshot_id, force=False,
                        request_id=None):
        """Returns the snapshot at once, status 'deleting'. ``force``:
        whatever its status (admin); ``request_id``: as for
        create_volume."""
        return self._call(ctxt, 'delete_snapshot', version='1.9',
                          snapshot_id=snapshot_id, force=force,
                          request_id=request_id)

    def report_snapshot_status(self, ctxt, snapshot_id, status, progress):
        """Cinder's os-update_snapshot_status (upstream Nova's report);
        returns the snapshot."""
        return self._call(ctxt, 'report_snapshot_status', version='1.4',
                          snapshot_id=snapshot_id, status=status,
                          progress=progress)

    def reset_snapshot_status(self, ctxt, snapshot_id, status):
        return self._call(ctxt, 'reset_snapshot_status',
                          snapshot_id=snapshot_id, status=status)

    def set_snapshot_metadata(self, ctxt, snapshot_id, metadata,
                              replace=False):
        return self._call(ctxt, 'set_snapshot_metadata',
                          snapshot_id=snapshot_id, metadata=metadata,
                          replace=replace)

    def delete_snapshot_metadata(self, ctxt, snapshot_id, key):
        return self._call(ctxt, 'delete_snapshot_metadata',
                          snapshot_id=snapshot_id, key=key)

    # Backups and exports (1.10)

    def create_backup(self, ctxt, volume_id, name=None, description=None,
                      snapshot_id=None, incremental=False, force=False,
                      container=None, metadata=None,
                      availability_zone=None):
        """A backup of the volume's data, or with ``snapshot_id`` of the
        snapshot's; returns it at once, creating (the snapshot, or the
        volume, backing-up meanwhile)."""
        return self._call(ctxt, 'create_backup', version='1.10',
                          volume_id=volume_id, name=name,
                          description=description, snapshot_id=snapshot_id,
                          incremental=incremental, force=force,
                          container=container, metadata=metadata or {},
                          availability_zone=availability_zone)

    def get_backup(self, ctxt, backup_id):
        return self._call(ctxt, 'get_backup', version='1.10',
                          backup_id=backup_id)

    def list_backups(self, ctxt, filters=None, marker=None, limit=None,
                     sort=None, offset=None):
        return self._call(ctxt, 'list_backups', version='1.10',
                          filters=filters or {}, marker=marker, limit=limit,
                          sort=sort or [], offset=offset)

    def update_backup(self, ctxt, backup_id, values):
        """``values`` may hold name, description and metadata."""
        return self._call(ctxt, 'update_backup', version='1.10',
                          backup_id=backup_id, values=values)

    def delete_backup(self, ctxt, backup_id, force=False):
        """Returns the backup at once, deleting; ``force`` (admin): also
        one being made."""
        return self._call(ctxt, 'delete_backup', version='1.10',
                          backup_id=backup_id, force=force)

    def restore_backup(self, ctxt, backup_id, volume_id=None, name=None):
        """Into the available ``volume_id``, or a new volume named
        ``name``: {backup_id, volume_id, volume_name} at once."""
        return self._call(ctxt, 'restore_backup', version='1.10',
                          backup_id=backup_id, volume_id=volume_id,
                          name=name)

    def reset_backup_status(self, ctxt, backup_id, status):
        return self._call(ctxt, 'reset_backup_status', version='1.10',
                          backup_id=backup_id, status=status)

    def upload_volume_image(self, ctxt, volume_id, image_name, disk_format,
                            container_format='bare', force=False):
        """os-volume_upload_image: the volume's data as a standalone
        image file; returns at once, the volume uploading."""
        return self._call(ctxt, 'upload_volume_image', version='1.10',
                          volume_id=volume_id, image_name=image_name,
                          disk_format=disk_format,
                          container_format=container_format, force=force)

    def upload_snapshot_image(self, ctxt, snapshot_id, image_name,
                              disk_format, container_format='bare'):
        """The same for a snapshot's point in time (the snapshot
        backing-up meanwhile)."""
        return self._call(ctxt, 'upload_snapshot_image', version='1.10',
                          snapshot_id=snapshot_id, image_name=image_name,
                          disk_format=disk_format,
                          container_format=container_format)

    # Transfers (1.4)

    def create_transfer(self, ctxt, volume_id, name=None,
                        no_snapshots=False):
        """The transfer, with the ``auth_key`` the acceptor presents."""
        return self._call(ctxt, 'create_transfer', version='1.4',
                          volume_id=volume_id, name=name,
                          no_snapshots=no_snapshots)

    def get_transfer(self, ctxt, transfer_id):
        return self._call(ctxt, 'get_transfer', version='1.4',
                          transfer_id=transfer_id)

    def list_transfers(self, ctxt, filters=None, marker=None, limit=None,
                       sort=None, offset=None):
        return self._call(ctxt, 'list_transfers', version='1.4',
                          filters=filters or {}, marker=marker, limit=limit,
                          sort=sort or [], offset=offset)

    def accept_transfer(self, ctxt, transfer_id, auth_key):
        """The volume and its snapshots become the caller's project's."""
        return self._call(ctxt, 'accept_transfer', version='1.4',
                          transfer_id=transfer_id, auth_key=auth_key)

    def delete_transfer(self, ctxt, transfer_id):
        return self._call(ctxt, 'delete_transfer', version='1.4',
                          transfer_id=transfer_id)

    # Quotas and limits (1.4)

    def get_quotas(self, ctxt, project_id, usage=False):
        """{resource: limit}, or with ``usage`` {resource: {limit, in_use,
        reserved, allocated}}."""
        return self._call(ctxt, 'get_quotas', version='1.4',
                          project_id=project_id, usage=usage)

    def get_quota_defaults(self, ctxt):
        return self._call(ctxt, 'get_quota_defaults', version='1.4')

    def update_quotas(self, ctxt, project_id, values):
        """Sets the project's limits (admin); returns them all."""
        return self._call(ctxt, 'update_quotas', version='1.4',
                          project_id=project_id, values=values)

    def delete_quotas(self, ctxt, project_id):
        return self._call(ctxt, 'delete_quotas', version='1.4',
                          project_id=project_id)

    def get_absolute_limits(self, ctxt, project_id):
        """The absolute limits of Cinder's GET /limits."""
        return self._call(ctxt, 'get_absolute_limits', version='1.4',
                          project_id=project_id)

    # User messages (1.4)

    def list_messages(self, ctxt, filters=None, marker=None, limit=None,
                      sort=None, offset=None):
        return self._call(ctxt, 'list_messages', version='1.4',
                          filters=filters or {}, marker=marker, limit=limit,
                          sort=sort or [], offset=offset)

    def get_message(self, ctxt, message_id):
        return self._call(ctxt, 'get_message', version='1.4',
                          message_id=message_id)

    def delete_message(self, ctxt, message_id):
        return self._call(ctxt, 'delete_message', version='1.4',
                          message_id=message_id)

    # Volume types (1.3; changes, extra specs and defaults 1.5)

    def list_volume_types(self, ctxt, is_public=True, extra_specs=None):
        """[{id, name, description, is_public, extra_specs,
        qos_specs_id}]; ``is_public`` (administrators): False for the
        private ones, None for all; ``extra_specs``: those having them."""
        return self._call(ctxt, 'list_volume_types', version='1.5',
                          is_public=is_public, extra_specs=extra_specs)

    def get_volume_type(self, ctxt, volume_type_id):
        """By id or name, or "default" (the caller's project's);
        VolumeTypeNotFound."""
        return self._call(ctxt, 'get_volume_type', version='1.3',
                          volume_type_id=volume_type_id)

    def create_volume_type(self, ctxt, name, description=None,
                           is_public=True, extra_specs=None):
        """VolumeTypeExists when the name is taken."""
        return self._call(ctxt, 'create_volume_type', version='1.5',
                          name=name, description=description,
                          is_public=is_public, extra_specs=extra_specs or {})

    def update_volume_type(self, ctxt, volume_type_id, values):
        """``values``: name, description, is_public."""
        return self._call(ctxt, 'update_volume_type', version='1.5',
                          volume_type_id=volume_type_id, values=values)

    def delete_volume_type(self, ctxt, volume_type_id):
        """VolumeTypeInUse, VolumeTypeDefaultDeletionError."""
        return self._call(ctxt, 'delete_volume_type', version='1.5',
                          volume_type_id=volume_type_id)

    def set_volume_type_extra_specs(self, ctxt, volume_type_id,
                                    extra_specs):
        """Adds or changes them; returns all the type's extra specs."""
        return self._call(ctxt, 'set_volume_type_extra_specs',
                          version='1.5', volume_type_id=volume_type_id,
                          extra_specs=extra_specs)

    def delete_volume_type_extra_spec(self, ctxt, volume_type_id, key):
        return self._call(ctxt, 'delete_volume_type_extra_spec',
                          version='1.5', volume_type_id=volume_type_id,
                          key=key)

    def list_volume_type_access(self, ctxt, volume_type_id):
        """[{volume_type_id, project_id}] of a private type (else
        InvalidInput)."""
        return self._call(ctxt, 'list_volume_type_access', version='1.7',
                          volume_type_id=volume_type_id)

    def add_volume_type_access(self, ctxt, volume_type_id, project_id):
        """VolumeTypeAccessExists when the project has it already."""
        return self._call(ctxt, 'add_volume_type_access', version='1.7',
                          volume_type_id=volume_type_id,
                          project_id=project_id)

    def remove_volume_type_access(self, ctxt, volume_type_id, project_id):
        """VolumeTypeAccessNotFound when the project has none."""
        return self._call(ctxt, 'remove_volume_type_access', version='1.7',
                          volume_type_id=volume_type_id,
                          project_id=project_id)

    def set_default_type(self, ctxt, project_id, volume_type):
        """``volume_type``: a name or id; {project_id, volume_type_id}."""
        return self._call(ctxt, 'set_default_type', version='1.5',
                          project_id=project_id, volume_type=volume_type)

    def get_default_type(self, ctxt, project_id):
        """VolumeTypeProjectDefaultNotFound when the project has none."""
        return self._call(ctxt, 'get_default_type', version='1.5',
                          project_id=project_id)

    def list_default_types(self, ctxt):
        return self._call(ctxt, 'list_default_types', version='1.5')

    def unset_default_type(self, ctxt, project_id):
        return self._call(ctxt, 'unset_default_type', version='1.5',
                          project_id=project_id)

    # Availability zones (1.3)

    def list_availability_zones(self, ctxt):
        """[{name, available}] of the volume service."""
        return self._call(ctxt, 'list_availability_zones', version='1.3')

    def list_services(self, ctxt, filters=None):
        """The processes of the volume service in its services table
        (administrators): [{id, host, binary, topic, cluster_name,
        availability_zone, disabled, disabled_reason, state ("up" or
        "down": heartbeat within service_down_time), report_count,
        created_at, updated_at}], filtered on ``host`` and ``binary``."""
        return self._call(ctxt, 'list_services', version='1.8',
                          filters=filters or {})

    # Group types, groups and group snapshots (1.2)

    def _call12(self, ctxt, method, **kwargs):
        return self._call(ctxt, method, version='1.2', **kwargs)

    def list_group_types(self, ctxt):
        """[{id, name, description, is_public, group_specs}]."""
        return self._call12(ctxt, 'list_group_types')

    def get_group_type(self, ctxt, group_type_id):
        """By id or name, or 'default'; GroupTypeNotFound."""
        return self._call12(ctxt, 'get_group_type',
                            group_type_id=group_type_id)

    def get_group(self, ctxt, group_id):
        return self._call12(ctxt, 'get_group', group_id=group_id)

    def list_groups(self, ctxt, filters=None, marker=None, limit=None,
                    sort=None, offset=None):
        return self._call12(ctxt, 'list_groups', filters=filters or {},
                            marker=marker, limit=limit, sort=sort or [],
                            offset=offset)

    def create_group(self, ctxt, group_type, volume_types, name=None,
                     description=None, availability_zone=None):
        """A group of ``group_type`` (id or name); returns it, status
        available (a group owns no files)."""
        return self._call12(ctxt, 'create_group', group_type=group_type,
                            volume_types=volume_types, name=name,
                            description=description,
                            availability_zone=availability_zone)

    def update_group(self, ctxt, group_id, values, add_volumes=(),
                     remove_volumes=()):
        """``values`` may hold name and description; the volumes are ids."""
        return self._call12(ctxt, 'update_group', group_id=group_id,
                            values=values, add_volumes=list(add_volumes),
                            remove_volumes=list(remove_volumes))

    def delete_group(self, ctxt, group_id, delete_volumes=False):
        """Returns the group, status deleting (or gone: None)."""
        return self._call12(ctxt, 'delete_group', group_id=group_id,
                            delete_volumes=delete_volumes)

    def create_group_from_src(self, ctxt, name=None, description=None,
                              group_snapshot_id=None, source_group_id=None):
        """A new group with one volume per member of the group snapshot
        (each made from its member snapshot), or per volume of the source
        group; returns it at once, status creating."""
        return self._call12(ctxt, 'create_group_from_src', name=name,
                            description=description,
                            group_snapshot_id=group_snapshot_id,
                            source_group_id=source_group_id)

    def create_instance_snapshot(self, ctxt, instance_id, disks, name=None,
                                 description=None):
        """A group snapshot of an instance's volumes, with no group (the
        compute API's createImage): ``disks`` [{volume_id, device,
        boot_index}], all attached to ``instance_id``. Returns it at once,
        status creating, with its ``members`` (snapshots)."""
        return self._call12(ctxt, 'create_instance_snapshot',
                            instance_id=instance_id, disks=disks, name=name,
                            description=description)

    def reset_group_status(self, ctxt, group_id, status):
        return self._call(ctxt, 'reset_group_status', version='1.4',
                          group_id=group_id, status=status)

    def reset_group_snapshot_status(self, ctxt, group_snapshot_id, status):
        return self._call(ctxt, 'reset_group_snapshot_status',
                          version='1.4',
                          group_snapshot_id=group_snapshot_id, status=status)

    def get_group_snapshot(self, ctxt, group_snapshot_id):
        return self._call12(ctxt, 'get_group_snapshot',
                            group_snapshot_id=group_snapshot_id)

    def list_group_snapshots(self, ctxt, filters=None, marker=None,
                             limit=None, sort=None, offset=None):
        return self._call12(ctxt, 'list_group_snapshots',
                            filters=filters or {}, marker=marker,
                            limit=limit, sort=sort or [], offset=offset)

    def create_group_snapshot(self, ctxt, group_id, name=None,
                              description=None):
        """Snapshots every volume of the group at one instant; returns the
        group snapshot at once, status creating."""
        return self._call12(ctxt, 'create_group_snapshot', group_id=group_id,
                            name=name, description=description)

    def delete_group_snapshot(self, ctxt, group_snapshot_id):
        """Deletes every member snapshot, then the group snapshot; returns
        it at once, status deleting."""
        return self._call12(ctxt, 'delete_group_snapshot',
                            group_snapshot_id=group_snapshot_id)

    # For the compute service

    def initialize_connection(self, ctxt, volume_id, connector):
        """How ``connector`` (a host: {host, allowed_protocols}) reaches the
        volume's active file: {driver_volume_type, data}."""
        return self._call(ctxt, 'initialize_connection', version='1.1',
                          volume_id=volume_id, connector=connector)

    def attach_volume(self, ctxt, volume_id, instance_id, host, device):
        """Records the attachment; the volume becomes in-use."""
        return self._call(ctxt, 'attach_volume', version='1.1',
                          volume_id=volume_id, instance_id=instance_id,
                          host=host, device=device)

    def detach_volume(self, ctxt, volume_id, instance_id):
        return self._call(ctxt, 'detach_volume', version='1.1',
                          volume_id=volume_id, instance_id=instance_id)

    def update_snapshot_status(self, ctxt, snapshot_id, status, progress,
                               file_format=None, reason=None, quiesced=None):
        """The compute side's report on an assisted snapshot: ``status``
        creating_compute_complete, deleting_compute_complete or error;
        ``file_format`` maps each changed file name to its format as
        libvirt reports it; ``quiesced`` says whether a create froze the
        guest's filesystems. With the snapshot's own status (creating or
        deleting), only its ``progress`` ("42%") while the work runs (a
        manager before this change logs and ignores it)."""
        cctxt = self.client.prepare(version='1.1')
        cctxt.cast(ctxt, 'update_snapshot_status', snapshot_id=snapshot_id,
                   status=status, progress=progress,
                   file_format=file_format or {}, reason=reason,
                   quiesced=quiesced)

    def update_group_snapshot_status(self, ctxt, group_snapshot_id, status,
                                     members, quiesced=None,
                                     freeze_seconds=None,
                                     freeze_warning=False, reason=None):
        """The compute side's one report on the create of a group snapshot:
        ``status`` creating_compute_complete or error; ``members``
        {snapshot_id: {file_format}} of the members whose disks write to
        their new files (on error, those that switched all the same);
        ``freeze_seconds``: how long the guest was held, and
        ``freeze_warning`` whether that was longer than the compute
        host's [compute] freeze_warn_seconds."""
        cctxt = self.client.prepare(version='1.2')
        cctxt.cast(ctxt, 'update_group_snapshot_status',
                   group_snapshot_id=group_snapshot_id, status=status,
                   members=members, quiesced=quiesced,
                   freeze_seconds=freeze_seconds,
                   freeze_warning=freeze_warning, reason=reason)
