"""Assisted snapshot create (seed 000 step 3, seeds 001 and 004): the disk
whose serial is the volume switches to its new overlay, quiesced when the
guest agent can freeze, crash-consistent otherwise unless the instance
requires quiescing."""

from oslo_log import log as logging
from oslo_utils import strutils

from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_compute import names
from snapvol_compute import thaw

LOG = logging.getLogger(__name__)


def requires_quiesce(instance):
    """Seed 004: an instance that declares a guest agent must not get a
    crash-consistent snapshot, nor may any when the operator says so."""
    metadata = {m.key: m.value for m in instance.metadata_items}
    return (CONF.compute.require_quiesce or strutils.bool_from_string(
        metadata.get('hw_qemu_guest_agent', 'no')))


class SnapshotCreates:

    def __init__(self, driver, db, reporter, thaw_watch):
        self._driver = driver
        self._db = db
        self._reporter = reporter
        self._thaw_watch = thaw_watch

    def run(self, ctxt, instance_id, volume_id, create_info):
        snapshot_id = create_info.get('snapshot_id')
        try:
            if create_info.get('type') != 'qcow2':
                raise exception.InvalidCreateInfo(
                    reason='type must be qcow2, not %r'
                           % create_info.get('type'))
            new_file = names.bare_name(create_info.get('new_file'),
                                       'new_file',
                                       exception.InvalidCreateInfo)
            instance = self._db.instance_get(instance_id)
            guest = self._driver.guest(instance_id)
            disk = guest.disk_by_serial(volume_id)
            quiesced = None
            if disk.active.source.basename != new_file:
                new_source = disk.active.source.with_basename(new_file)
                quiesced = self.snapshot_disk(instance, guest, disk.target,
                                              new_source)
            else:
                # Done before: a request sent again, or run again after a
                # restart. Reported, never taken twice.
                LOG.info('Instance %s already writes to %s', instance_id,
                         new_file)
            active = guest.disk_by_serial(volume_id).active.source
            if active.basename != new_file:
                raise exception.HypervisorError(
                    reason='the active file of %s is %s after the snapshot, '
                           'not %s' % (disk.target, active.basename,
                                       new_file))
            self._reporter.report(ctxt, snapshot_id,
                                  states.CREATING_COMPUTE_COMPLETE,
                                  {new_file: active.format},
                                  quiesced=quiesced)
        except Exception as e:
            self._reporter.failure(ctxt, snapshot_id, e)

    def snapshot_disk(self, instance, guest, target, new_source):
        """snapshotCreateXML with QUIESCE first, then without it unless the
        instance requires quiescing (seeds 000 and 004). After a failed
        quiesce the guest is made to thaw, now or when its agent answers.
        Returns whether the snapshot was quiesced."""
        with thaw.agent_lock(instance.id):
            try:
                guest.set_agent_timeout(CONF.compute.guest_agent_timeout)
                guest.snapshot_disks({target: new_source}, quiesce=True)
                return True
            except exception.QuiesceFailed as e:
                failure = e
        self._thaw_watch.start(guest)
        if requires_quiesce(instance):
            LOG.warning('Instance %s requires quiescing, which failed: %s',
                        instance.id, failure)
            raise failure
        LOG.info('Quiescing %s failed (%s); taking a crash-consistent '
                 'snapshot', instance.id, failure)
        guest.snapshot_disks({target: new_source}, quiesce=False)
        return False
