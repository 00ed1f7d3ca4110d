"""Assisted snapshot creates (seed 000 step 3, seeds 001, 002 and 004):
the disks whose serials are the volumes switch to their new overlays in
one atomic libvirt transaction, quiesced when the guest agent can freeze,
crash-consistent otherwise unless the instance requires quiescing.

One volume is Nova's request (``run``); several volumes of one instance
are a set, a group snapshot (``run_set``): one transaction, one freeze,
one report.
"""

import dataclasses
import time

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


def new_file_of(create_info):
    """The new overlay's bare file name that a create_info names."""
    if create_info.get('type') != 'qcow2':
        raise exception.InvalidCreateInfo(
            reason='type must be qcow2, not %r' % create_info.get('type'))
    return names.bare_name(create_info.get('new_file'), 'new_file',
                           exception.InvalidCreateInfo)


@dataclasses.dataclass
class Taken:
    """What a create did: ``formats`` {volume_id: {new file: format}} of
    the volumes whose disks write to their new overlays; ``quiesced``
    (None when nothing was taken now) and ``freeze_seconds``, how long the
    libvirt call that switched the disks held the guest (the freeze, the
    transaction and the thaw when quiesced)."""

    formats: dict
    quiesced: bool | None = None
    freeze_seconds: float | None = None

    @property
    def freeze_warning(self):
        return (self.freeze_seconds is not None and
                self.freeze_seconds > CONF.compute.freeze_warn_seconds)


class SnapshotCreates:

    def __init__(self, driver, db, reporter, thaw_watch,
                 clock=time.monotonic):
        self._driver = driver
        self._db = db
        self._reporter = reporter
        self._thaw_watch = thaw_watch
        self._clock = clock

    def run(self, ctxt, instance_id, volume_id, create_info):
        snapshot_id = create_info.get('snapshot_id')
        try:
            taken = self.take(instance_id,
                              {volume_id: new_file_of(create_info)})
            self._reporter.report(ctxt, snapshot_id,
                                  states.CREATING_COMPUTE_COMPLETE,
                                  taken.formats[volume_id],
                                  quiesced=taken.quiesced)
        except Exception as e:
            self._reporter.failure(ctxt, snapshot_id, e)

    def run_set(self, ctxt, instance_id, group_snapshot_id, members):
        """``members``: [{volume_id, create_info}], every volume attached
        to ``instance_id``. Reported once, for the whole set."""
        snapshot_ids = {m['volume_id']: m['create_info'].get('snapshot_id')
                        for m in members}
        try:
            taken = self.take(instance_id, {
                m['volume_id']: new_file_of(m['create_info'])
                for m in members})
        except exception.PartialSnapshot as e:
            self._reporter.set_failure(
                ctxt, group_snapshot_id, e,
                _by_snapshot(snapshot_ids, e.kwargs['formats']))
            return
        except Exception as e:
            self._reporter.set_failure(ctxt, group_snapshot_id, e, {})
            return
        self._reporter.report_set(
            ctxt, group_snapshot_id, _by_snapshot(snapshot_ids,
                                                  taken.formats),
            quiesced=taken.quiesced, freeze_seconds=taken.freeze_seconds,
            freeze_warning=taken.freeze_warning)

    def take(self, instance_id, new_files):
        """Makes the disk of each volume of ``new_files`` ({volume_id: new
        file}) write to its new overlay, all in one transaction. A volume
        whose disk already does (a request sent again, or run again after
        a restart) is reported, never taken twice. PartialSnapshot when
        the transaction failed and some disks switched anyway."""
        instance = self._db.instance_get(instance_id)
        guest = self._driver.guest(instance_id)
        new_sources = {}
        for volume_id, new_file in new_files.items():
            disk = guest.disk_by_serial(volume_id)
            if disk.active.source.basename == new_file:
                LOG.info('Instance %s already writes to %s', instance_id,
                         new_file)
            else:
                new_sources[disk.target] = \
                    disk.active.source.with_basename(new_file)
        taken = Taken({})
        if new_sources:
            try:
                taken.quiesced, taken.freeze_seconds = self.snapshot_disks(
                    instance, guest, new_sources)
            except Exception as e:
                switched = _switched(guest, new_files)
                if switched:
                    LOG.error('Instance %s: the snapshot failed (%s) but '
                              'the disks of %s switched anyway', instance_id,
                              e, ', '.join(sorted(switched)))
                    raise exception.PartialSnapshot(
                        instance_id=instance_id, reason=e,
                        volumes=', '.join(sorted(switched)),
                        formats=switched) from e
                raise
        taken.formats = _switched(guest, new_files)
        missing = sorted(set(new_files) - set(taken.formats))
        if missing:
            raise exception.HypervisorError(
                reason='after the snapshot, the disks of %s do not write to '
                       'their new files' % ', '.join(missing))
        return taken

    def snapshot_disks(self, instance, guest, new_sources):
        """snapshotCreateXML with QUIESCE first, then without it unless the
        instance requires quiescing (seeds 000 and 004). After a failed
        quiesce the guest is made to thaw, now or when its agent answers.
        Returns (whether it was quiesced, the seconds the call took)."""
        with thaw.agent_lock(instance.id):
            try:
                guest.set_agent_timeout(CONF.compute.guest_agent_timeout)
                return True, self._timed(guest, new_sources, quiesce=True)
            except exception.QuiesceFailed as e:
                failure = e
        self._thaw_watch.start(guest)
        if requires_quiesce(instance):
            LOG.warning('Instance %s requires quiescing, which failed: %s',
                        instance.id, failure)
            raise failure
        LOG.info('Quiescing %s failed (%s); taking a crash-consistent '
                 'snapshot', instance.id, failure)
        return False, self._timed(guest, new_sources, quiesce=False)

    def _timed(self, guest, new_sources, quiesce):
        start = self._clock()
        guest.snapshot_disks(new_sources, quiesce=quiesce)
        seconds = self._clock() - start
        kind = 'quiesced' if quiesce else 'crash-consistent'
        if seconds > CONF.compute.freeze_warn_seconds:
            LOG.warning('Instance %s was held %.3f s by its %s snapshot of '
                        '%d disk(s), longer than [compute] '
                        'freeze_warn_seconds', guest.uuid, seconds, kind,
                        len(new_sources))
        else:
            LOG.info('Instance %s was held %.3f s by its %s snapshot of %d '
                     'disk(s)', guest.uuid, seconds, kind, len(new_sources))
        return seconds

def _switched(guest, new_files):
    """{volume_id: {new file: format}} of the volumes whose disks write to
    their new files, read back from the domain."""
    found = {}
    for disk in guest.disks():
        new_file = new_files.get(disk.serial)
        if new_file is not None and disk.active.source.basename == new_file:
            found[disk.serial] = {new_file: disk.active.source.format}
    return found


def _by_snapshot(snapshot_ids, formats):
    """{snapshot_id: {file_format}} from {volume_id: formats}."""
    return {snapshot_ids[volume_id]: {'file_format': fmt}
            for volume_id, fmt in formats.items()}
