"""Client side of the compute manager's RPC API."""

import oslo_messaging as messaging

from snapvol_api import rpc

TOPIC = 'snapvol-compute'


class ComputeAPI:
    """Client side of the compute manager RPC API.

    Calls without a ``host`` go to any compute manager: they only read or
    write the shared compute database (and the volume service), and touch
    no domain; create_instance places the new instance with the scheduler
    and casts its build to the host it chose. Calls with a ``host`` act on
    a domain, and go to that host's manager. An instance travels as the
    dict described in ``snapvol_compute.views``; from get_instance,
    list_instances and find_volume_attachment it also has ``host_status``
    (Nova's: UP, DOWN, MAINTENANCE, UNKNOWN, or '' without a host), so a
    caller can refuse at once to call a host that is down.

    API version history:

    * 1.0 - Initial version.
    * 1.1 - Adds get_volume_chain.
    * 1.2 - Adds forget_volume_chain.
    * 1.3 - Adds stop_instance, start_instance and reboot_instance.
    * 1.4 - Adds volume_snapshot_create_set (seed 002).
    * 1.5 - Adds create_image, get_image, list_images and delete_image.
    * 1.6 - create_instance takes image_id and block devices made from
      snapshots.
    * 1.7 - Adds extend_volume.
    * 1.8 - Adds get_project_usage.
    * 1.9 - Adds list_services (Nova's os-services).
    * 1.10 - Adds build_instance: create_instance places the instance
      with the scheduler and casts its build to the chosen host, instead
      of building it on the host that took the call.
    * 1.11 - forget_volume_chain takes active_file and active_format (an
      offline merge changed the shut-off domain's active file) and returns
      the active file the definition names.
    """

    RPC_API_VERSION = '1.11'

    def __init__(self, client=None):
        """``client``: how calls travel (default: RPC to the compute
        managers; see rpc.LocalClient)."""
        target = messaging.Target(topic=TOPIC, version=self.RPC_API_VERSION)
        self.client = client or rpc.get_client(
            target, version_cap=self.RPC_API_VERSION)

    def _prepare(self, host=None, version='1.0'):
        return self.client.prepare(server=host, version=version)

    # Any host

    def get_instance(self, ctxt, instance_id):
        return self._prepare().call(ctxt, 'get_instance',
                                    instance_id=instance_id)

    def list_instances(self, ctxt, filters=None):
        return self._prepare().call(ctxt, 'list_instances',
                                    filters=filters or {})

    def get_project_usage(self, ctxt, project_id):
        """What the project's live instances use, as Nova counts it for
        its quotas: {instances, cores, ram} (their number, vCPUs and MiB
        of memory)."""
        return self._prepare(version='1.8').call(
            ctxt, 'get_project_usage', project_id=project_id)

    def list_services(self, ctxt, filters=None):
        """The processes of the compute service in its services table:
        [{id, host, binary, topic, availability_zone, disabled,
        disabled_reason, state ("up" or "down": heartbeat within
        service_down_time), report_count, created_at, updated_at}],
        filtered on ``host`` and ``binary``."""
        return self._prepare(version='1.9').call(
            ctxt, 'list_services', filters=filters or {})

    def create_image(self, ctxt, instance_id, name, metadata):
        """The image of a volume-backed server: a group snapshot of its
        volumes (status SAVING until it is available). An image is a dict
        as ``snapvol_compute.views.image``."""
        return self._prepare(version='1.5').call(
            ctxt, 'create_image', instance_id=instance_id, name=name,
            metadata=metadata)

    def get_image(self, ctxt, image_id):
        return self._prepare(version='1.5').call(ctxt, 'get_image',
                                                 image_id=image_id)

    def list_images(self, ctxt):
        return self._prepare(version='1.5').call(ctxt, 'list_images')

    def delete_image(self, ctxt, image_id):
        """Deletes the image's snapshots, then the image."""
        return self._prepare(version='1.5').call(ctxt, 'delete_image',
                                                 image_id=image_id)

    def find_volume_attachment(self, ctxt, volume_id):
        """{instance_id, host, volume_id, device} of the instance the volume
        is attached to; VolumeNotAttached when there is none."""
        return self._prepare().call(ctxt, 'find_volume_attachment',
                                    volume_id=volume_id)

    def create_instance(self, ctxt, name, flavor, block_devices, metadata,
                        image_id=None):
        """Records the instance on the host the scheduler chooses and
        has it built there (build_instance); returns it at once, status
        BUILD, or ERROR with the fault "No valid host was found. ..." when
        no host that is up has room for the flavor. ``flavor``: {id,
        vcpus, memory_mb}; ``block_devices``: [{volume_id, boot_index}] or
        [{snapshot_id, volume_size, boot_index}] (1.6); ``image_id``
        (1.6): boot the layout of that image's volumes too."""
        return self._prepare(version='1.6').call(
            ctxt, 'create_instance', name=name, flavor=flavor,
            block_devices=block_devices, metadata=metadata,
            image_id=image_id)

    # The instance's host

    def build_instance(self, ctxt, host, instance_id, volumes_made):
        """The build of an instance create_instance placed on ``host``
        (status BUILD): waits for ``volumes_made`` (volume ids made from
        snapshots for it) to be available, connects the volumes and
        starts the domain; ACTIVE, or ERROR with the fault. Sent by a
        compute manager, not by the API."""
        self._prepare(host, version='1.10').cast(
            ctxt, 'build_instance', instance_id=instance_id,
            volumes_made=volumes_made)

    def delete_instance(self, ctxt, host, instance_id):
        return self._prepare(host).call(ctxt, 'delete_instance',
                                        instance_id=instance_id)

    def set_instance_metadata(self, ctxt, host, instance_id, metadata,
                              replace=False):
        return self._prepare(host).call(ctxt, 'set_instance_metadata',
                                        instance_id=instance_id,
                                        metadata=metadata, replace=replace)

    def delete_instance_metadata(self, ctxt, host, instance_id, key):
        return self._prepare(host).call(ctxt, 'delete_instance_metadata',
                                        instance_id=instance_id, key=key)

    def attach_volume(self, ctxt, host, instance_id, volume_id, device=None):
        """Attaches a volume to a running instance; returns the
        attachment ({volume_id, instance_id, host, device})."""
        return self._prepare(host).call(ctxt, 'attach_volume',
                                        instance_id=instance_id,
                                        volume_id=volume_id, device=device)

    def detach_volume(self, ctxt, host, instance_id, volume_id):
        return self._prepare(host).call(ctxt, 'detach_volume',
                                        instance_id=instance_id,
                                        volume_id=volume_id)

    def stop_instance(self, ctxt, host, instance_id):
        """Starts a clean shutdown (then a destroy) of an ACTIVE or ERROR
        instance, which becomes SHUTOFF; InstanceActionConflict at once
        in another state or while another action runs."""
        return self._prepare(host, version='1.3').call(
            ctxt, 'stop_instance', instance_id=instance_id)

    def start_instance(self, ctxt, host, instance_id):
        """Starts a SHUTOFF instance, which becomes ACTIVE;
        InstanceActionConflict at once in another state."""
        return self._prepare(host, version='1.3').call(
            ctxt, 'start_instance', instance_id=instance_id)

    def reboot_instance(self, ctxt, host, instance_id, reboot_type):
        """``reboot_type`` 'SOFT' (an ACTIVE instance: REBOOT, then
        ACTIVE; hard after [compute] reboot_timeout) or 'HARD' (ACTIVE,
        SHUTOFF or ERROR: HARD_REBOOT, then ACTIVE); InstanceActionConflict
        at once in another state."""
        return self._prepare(host, version='1.3').call(
            ctxt, 'reboot_instance', instance_id=instance_id,
            reboot_type=reboot_type)

    def extend_volume(self, ctxt, host, instance_id, volume_id, new_size):
        """The guest's disk of the attached volume grows to ``new_size``
        bytes; InstanceInvalidState when the domain is not running."""
        return self._prepare(host, version='1.7').call(
            ctxt, 'extend_volume', instance_id=instance_id,
            volume_id=volume_id, new_size=new_size)

    def get_volume_chain(self, ctxt, host, instance_id, volume_id):
        """The files the running domain opens for the volume, active first:
        [{name, format}]. The volume manager asks it when a report did not
        come, to follow what libvirt really did; InstanceInvalidState when
        the domain is not running."""
        return self._prepare(host, version='1.1').call(
            ctxt, 'get_volume_chain', instance_id=instance_id,
            volume_id=volume_id)

    def forget_volume_chain(self, ctxt, host, instance_id, volume_id,
                            active_file=None, active_format=None):
        """Before the volume manager merges files of a volume attached to
        a shut-off instance: the domain's definition forgets the recorded
        backing chain and reads it from the images when it starts; with
        ``active_file`` (1.11), the merge made that file (of
        ``active_format``) the active one, and the definition names it.
        Returns the name of the active file the definition names.
        InstanceInvalidState when the domain runs."""
        return self._prepare(host, version='1.11').call(
            ctxt, 'forget_volume_chain', instance_id=instance_id,
            volume_id=volume_id, active_file=active_file,
            active_format=active_format)

    def volume_snapshot_create(self, ctxt, host, instance_id, volume_id,
                               create_info):
        """Starts an assisted snapshot; the outcome is reported to the
        volume manager with update_snapshot_status."""
        self._prepare(host).cast(ctxt, 'volume_snapshot_create',
                                 instance_id=instance_id,
                                 volume_id=volume_id,
                                 create_info=create_info)

    def volume_snapshot_delete(self, ctxt, host, instance_id, volume_id,
                               snapshot_id, delete_info):
        self._prepare(host).cast(ctxt, 'volume_snapshot_delete',
                                 instance_id=instance_id,
                                 volume_id=volume_id,
                                 snapshot_id=snapshot_id,
                                 delete_info=delete_info)

    def volume_snapshot_create_set(self, ctxt, host, instance_id,
                                   group_snapshot_id, members):
        """Starts an assisted snapshot of several volumes of one instance
        in one transaction; ``members``: [{volume_id, create_info}]. The
        outcome is reported once, with update_group_snapshot_status."""
        self._prepare(host, version='1.4').cast(
            ctxt, 'volume_snapshot_create_set', instance_id=instance_id,
            group_snapshot_id=group_snapshot_id, members=members)
