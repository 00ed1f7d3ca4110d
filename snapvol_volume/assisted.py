"""Snapshots of an attached volume, made and merged by the compute
service while its guest runs (seed 000 steps 3 and 4, seed 001).

The overlay is made here; the compute service makes the domain write to
it, or merges while the guest runs, and reports back over RPC (received
by ``receive``, handed to the waiting worker through ``reports``,
whichever volume manager the report reaches). Where a report does not
come, the domain's real chain is the truth. Callers hold the volume's
chain lock.

The extend of an attached volume waits the same way for the first report
on it: our compute service's answer, or upstream Nova's
os-extend_volume_completion (Cinder 3.71).
"""

import re
import threading
import time

from oslo_log import log as logging

from snapvol_api import context as snapvol_context
from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_volume import merges

LOG = logging.getLogger(__name__)

GiB = 1024 ** 3
PROGRESS = re.compile(r'^(100|[1-9]?[0-9])%\Z')
# Seconds between two records of an offline merge's progress.
PROGRESS_INTERVAL = 1.0


def extend_key(volume_id):
    """The key of the reports on the extend of an attached volume (a
    snapshot's are its id)."""
    return 'extend-%s' % volume_id


class Assisted:

    def __init__(self, db, shares, compute, compute_rpc, reports):
        """``compute``: the compute admin API (os-assisted-volume-
        snapshots); ``compute_rpc``: the compute manager's rpcapi (the
        domain's chain)."""
        self._db = db
        self._shares = shares
        self.compute = compute
        self.compute_rpc = compute_rpc
        self.reports = reports
        # {extend key: what our compute service's extend call raised},
        # for the worker that waits in this process (see _ask_extend).
        self._raised = {}

    # Asking the compute service ---------------------------------------------

    def _report(self, key, request, timeout):
        """Sends ``request`` (a call of the compute client) and returns
        the compute service's report on ``key`` (a snapshot or group
        snapshot id); ComputeUnavailable when none comes in time."""
        self.reports.expect(key)
        try:
            request()
        except Exception:
            self.reports.forget(key)
            raise
        report = self.reports.wait(key, timeout)
        if report is None:
            raise exception.ComputeUnavailable(
                reason='no report on %s within %d s' % (key, timeout))
        return report

    def _ask(self, snapshot_id, request, timeout):
        """_report, raising when it says the compute part failed."""
        report = self._report(snapshot_id, request, timeout)
        if report['status'] == states.ERROR:
            raise exception.ComputeRequestFailed(
                request='snapshot %s' % snapshot_id,
                reason=report['reason'])
        return report

    def _host_of(self, attachment):
        """The compute host of ``attachment``, once the compute service
        says it is up: a call to a host that is down would only wait out
        the RPC timeout, so ComputeHostUnavailable is raised at once."""
        instance = self.compute_rpc.get_instance(
            snapvol_context.get_admin_context(), attachment.instance_id)
        if instance.get('host_status') == states.HOST_DOWN:
            raise exception.ComputeHostUnavailable(host=instance['host'])
        return attachment.host

    def domain_chain(self, volume):
        """The files the running domain opens for the volume, active first,
        as its compute host says (None when it cannot say): the truth when
        a report did not come. InstanceInvalidState when the instance is
        shut off."""
        if not volume.attachments:
            return None
        attachment = volume.attachments[0]
        try:
            return [layer['name'] for layer in self.compute_rpc
                    .get_volume_chain(snapvol_context.get_admin_context(),
                                      self._host_of(attachment),
                                      attachment.instance_id, volume.id)]
        except exception.InstanceInvalidState:
            raise
        except Exception as e:
            LOG.warning('Cannot read the chain of volume %s on %s: %s',
                        volume.id, attachment.host, e)
            return None

    def running_chain(self, volume):
        """domain_chain, None also when the instance is shut off."""
        try:
            return self.domain_chain(volume)
        except exception.InstanceInvalidState:
            return None

    # Create -----------------------------------------------------------------

    def extend(self, volume, size_gb):
        """Grows the disk of the attached volume while its guest runs
        (Nova's volume-extended event) and returns the first report on
        it, {error, reason}: our compute service's answer, or upstream
        Nova's os-extend_volume_completion (``receive_extend``) when that
        comes first; the later one changes nothing (logged). None when
        the instance is shut off, whose files the caller grows itself;
        our compute service's failure is raised."""
        key = extend_key(volume.id)
        attachment = volume.attachments[0]
        self.reports.expect(key)
        # The RPC call blocks: in a thread of its own, so that the worker
        # wakes at whichever report comes first.
        asking = threading.Thread(
            target=self._ask_extend, name='extend-%s' % volume.id,
            args=(key, attachment, volume.id, size_gb), daemon=True)
        try:
            asking.start()
        except Exception:
            self.reports.forget(key)
            raise
        # No timeout: _ask_extend always delivers, and the RPC call has
        # its own.
        report = self.reports.wait(key, None)
        if report is None:
            raise exception.ComputeUnavailable(
                reason='the report on the extend of volume %s was '
                       'forgotten' % volume.id)
        if not report.get('raised'):
            return report
        raised = self._raised.pop(key)
        if isinstance(raised, exception.InstanceInvalidState):
            return None
        raise raised

    def _ask_extend(self, key, attachment, volume_id, size_gb):
        try:
            self.compute_rpc.extend_volume(
                snapvol_context.get_admin_context(),
                self._host_of(attachment), attachment.instance_id,
                volume_id, size_gb * GiB)
            report = {'error': False, 'reason': None}
        except Exception as e:
            # An exception does not go through the database (JSON): it
            # stays here, in the process of the worker that waits (this
            # thread is its own), which raises it as it is. The database
            # gets a failure report, first or refused like any other, so
            # that a later completion of upstream Nova is refused too.
            self._raised[key] = e
            report = {'error': True, 'reason': str(e),
                      'raised': type(e).__name__}
        if not self.reports.deliver(key, report):
            self._raised.pop(key, None)
            LOG.warning('Volume %s: the compute service answered its extend '
                        '(%s) after upstream Nova reported it; ignored',
                        volume_id, report.get('raised') or 'grown')

    def create(self, snapshot, volume, chain):
        """Seed 000 step 3: the overlay is made here, the compute service
        makes the running domain write to it (snapshotCreateXML with
        REUSE_EXT), and only then does the info store take it."""
        name = chain.new_overlay(snapshot.id, volume.size)
        try:
            report = self._ask(
                snapshot.id,
                lambda: self.compute.create_snapshot(volume.id, {
                    'snapshot_id': snapshot.id, 'type': 'qcow2',
                    'new_file': name}),
                CONF.volume.assisted_snapshot_create_timeout)
            if report['file_format'].get(name) != 'qcow2':
                raise exception.ChainMismatch(
                    volume_id=volume.id,
                    reason='compute reports %r for the new file %s'
                           % (report['file_format'], name))
        except exception.ComputeUnavailable as e:
            domain_chain = self.running_chain(volume)
            if not domain_chain or domain_chain[0] != name:
                chain.discard_overlay(snapshot.id)
                raise
            # libvirt did switch: following it keeps one chain, not two.
            LOG.warning('%s; but the domain writes to %s: recording the '
                        'snapshot', e, name)
            report = {}
        except Exception:
            chain.discard_overlay(snapshot.id)
            raise
        chain.activate_overlay(snapshot.id)
        if report.get('quiesced') is not None:
            self._db.snapshot_metadata_set(snapshot.id, {
                'quiesced': 'yes' if report['quiesced'] else 'no'})

    def create_set(self, group_snapshot_id, members, volumes):
        """Seed 002: the overlays of ``members`` (snapshots of volumes
        attached to one instance, made by the caller with new_overlay)
        are taken by one compute call, in one libvirt transaction.
        Returns the report: {members: {snapshot_id: {file_format}} of
        those the domain writes to, quiesced, freeze_seconds,
        freeze_warning, error: None or the exception that failed the
        rest}. Without a report, the domain's chains say which switched;
        a request the compute API refuses raises."""
        files = {m.id: self._shares.chain(volumes[m.volume_id])
                 .snapshot_file(m.id) for m in members}
        request = [{'volume_id': m.volume_id, 'create_info': {
            'snapshot_id': m.id, 'type': 'qcow2', 'new_file': files[m.id]}}
            for m in members]
        try:
            report = self._report(
                group_snapshot_id,
                lambda: self.compute.create_snapshot_set(group_snapshot_id,
                                                         request),
                CONF.volume.assisted_snapshot_create_timeout)
        except exception.ComputeUnavailable as e:
            # libvirt may have switched: following it keeps one chain.
            switched = {}
            for m in members:
                chain = self.running_chain(volumes[m.volume_id])
                if chain and chain[0] == files[m.id]:
                    switched[m.id] = {'file_format': {files[m.id]: 'qcow2'}}
            if len(switched) < len(members):
                return {'members': switched, 'error': e}
            LOG.warning('%s; but the domain writes to every new file of '
                        'group snapshot %s: recording it', e,
                        group_snapshot_id)
            return {'members': switched, 'error': None}
        error = None
        if report['status'] == states.ERROR:
            error = exception.ComputeRequestFailed(
                request='snapshot set %s' % group_snapshot_id,
                reason=report['reason'])
        switched = {}
        for snapshot_id, member in report['members'].items():
            fmt = member['file_format'].get(files[snapshot_id])
            if fmt == 'qcow2':
                switched[snapshot_id] = member
            else:
                error = error or exception.ChainMismatch(
                    volume_id=snapshot_id,
                    reason='compute reports %r for the new file %s'
                           % (member['file_format'], files[snapshot_id]))
        return dict(report, members=switched, error=error)

    def settle_create(self, snapshot, volume, chain):
        """An attached create a restart interrupted: the domain says
        whether it writes to the new overlay; it is activated if so, and
        removed if not. It is never made again: the domain may be using
        it. Returns the snapshot's status to record, or None when the
        compute host cannot say (the overlay stays)."""
        name = chain.snapshot_file(snapshot.id)
        domain_chain = self.running_chain(volume)
        if domain_chain and domain_chain[0] == name:
            chain.formats[name] = 'qcow2'
            chain.activate_overlay(snapshot.id)
            LOG.info('Snapshot %s: the domain writes to %s; recorded',
                     snapshot.id, name)
            return states.AVAILABLE
        if domain_chain is not None:
            chain.discard_overlay(snapshot.id)
            LOG.warning('Snapshot %s never reached the domain; failed',
                        snapshot.id)
            return states.ERROR
        LOG.warning('Snapshot %s: the compute host cannot say whether the '
                    'domain writes to %s; it stays creating until a later '
                    'start can ask', snapshot.id, name)
        return None

    # Delete -----------------------------------------------------------------

    def delete(self, snapshot, volume, chain):
        """The compute service merges while the guest runs (blockCommit or
        blockRebase, seed 000, whichever moves fewer bytes: ``merges``);
        then the merged file goes and the info store follows. A merge the
        domain shows done (a report lost, or a request sent again after a
        restart) is only recorded. Returns the merged file."""
        try:
            domain_chain = self.domain_chain(volume)
        except exception.InstanceInvalidState:
            return self._delete_shut_off(snapshot, volume, chain)
        merge = merges.plan(chain, snapshot.id, running=True,
                            domain_chain=domain_chain)
        merge.log()
        if not merge.done and (domain_chain is None or
                               merge.merged in domain_chain):
            try:
                report = self._ask(
                    snapshot.id,
                    lambda: self.compute.delete_snapshot(
                        snapshot.id, merge.delete_info(volume.id)),
                    CONF.volume.assisted_snapshot_delete_timeout)
            except exception.ComputeUnavailable:
                merge = self._merged(chain, snapshot, volume, merge)
                if merge is None:
                    raise
                report = {'file_format': {}}
            else:
                merge = self._merged(chain, snapshot, volume, merge, report)
            # Seed 001: libvirt's word on each changed file's format.
            for name, fmt in report['file_format'].items():
                if name in chain.formats and name != merge.merged:
                    chain.formats[name] = fmt
        merges.finish(chain, merge.merged, merge.after)
        return merge.merged

    def _merged(self, chain, snapshot, volume, planned, report=None):
        """The merge of ``snapshot`` as done: ``planned`` when the domain
        shows it (or, when it cannot say, the compute service reported
        it); else the other way, when the domain shows that a job a
        previous request began did that instead. None when nothing shows
        it done and there is no ``report``; ChainMismatch when the
        compute service reported it done but nothing shows it."""
        domain_chain = self.running_chain(volume)
        if domain_chain is None:
            return planned if report is not None else None
        if planned.merged not in domain_chain and (
                planned.how == merges.COMMIT
                or domain_chain[0] == planned.upper):
            return planned
        try:
            merge = merges.plan(chain, snapshot.id, running=True,
                                domain_chain=domain_chain)
        except exception.ChainMismatch:
            merge = None
        if merge is not None and merge.done:
            return merge
        if report is None:
            return None
        raise exception.ChainMismatch(
            volume_id=volume.id,
            reason='the compute service reported the delete of snapshot %s '
                   'done, but the domain opens %s'
                   % (snapshot.id, ', '.join(domain_chain)))

    def _delete_shut_off(self, snapshot, volume, chain):
        """No QEMU holds the chain (and none can start on it while
        qemu-img holds its locks): merged here. The definition first
        forgets the chain it recorded (and says which active file it
        names: a commit that moved it, before a crash or the shutdown, is
        done), and names the new active file when the merge changes it.
        Upstream Nova refuses instead."""
        attachment = volume.attachments[0]
        LOG.info('Instance %s is shut off: deleting snapshot %s offline',
                 attachment.instance_id, snapshot.id)
        ctxt = snapvol_context.get_admin_context()
        host = self._host_of(attachment)
        defined = self.compute_rpc.forget_volume_chain(
            ctxt, host, attachment.instance_id, volume.id)
        return merges.merge_offline(
            chain, snapshot.id,
            new_active=lambda name: self.compute_rpc.forget_volume_chain(
                ctxt, host, attachment.instance_id, volume.id,
                active_file=name, active_format=chain.formats[name]),
            on_progress=self.progress_of(snapshot.id),
            domain_chain=[defined] if defined else None)

    def progress_of(self, snapshot_id, clock=time.monotonic):
        """What records how far an offline merge of ``snapshot_id`` is,
        as its progress: the first value, then one a PROGRESS_INTERVAL at
        most (a write per percent would slow a short merge down)."""
        last = []

        def record(percent):
            now = clock()
            if not last or now - last[0] >= PROGRESS_INTERVAL:
                self._db.snapshot_update(snapshot_id,
                                         {'progress': '%d%%' % percent})
                last[:] = [now]
        return record

    # Reports ----------------------------------------------------------------

    def _check_files(self, volume_id, file_format):
        """A report's {file: format} names only files of the volume, in a
        format we know."""
        chain = self._shares.chain(self._db.volume_get(volume_id))
        for name, fmt in (file_format or {}).items():
            chain.path_name(name)
            if fmt not in ('raw', 'qcow2'):
                raise exception.InvalidInput(
                    reason='unknown format %r of %s' % (fmt, name))

    def receive(self, snapshot_id, status, progress, file_format,
                reason=None, quiesced=None):
        """The compute service's report on an assisted snapshot.

        Stored for the worker that waits for it, in this manager or
        another (``reports``); a report that is not a
        legal transition, names files that are not the volume's, or that no
        worker waits for is refused and logged, and changes nothing.
        """
        try:
            snapshot = self._db.snapshot_get(snapshot_id)
            if status in (states.CREATING, states.DELETING):
                self._record_progress(snapshot, status, progress)
                return
            if snapshot.status not in states.COMPUTE_REPORTS.get(status, ()):
                raise exception.InvalidStatusTransition(
                    kind='Snapshot', id=snapshot_id,
                    current=snapshot.status, requested=status)
            self._check_files(snapshot.volume_id, file_format)
        except exception.SnapvolException as e:
            LOG.warning('Refused report %s on snapshot %s: %s', status,
                        snapshot_id, e)
            return
        report = {'status': status, 'progress': progress,
                  'file_format': dict(file_format or {}), 'reason': reason,
                  'quiesced': quiesced}
        if not self.reports.deliver(snapshot_id, report):
            LOG.warning('Refused report %s on snapshot %s: nothing waits '
                        'for it', status, snapshot_id)

    def _record_progress(self, snapshot, status, progress):
        """A report of how far the compute service's work is: the
        snapshot's progress, while it is still ``status``."""
        if snapshot.status != status:
            raise exception.InvalidStatusTransition(
                kind='Snapshot', id=snapshot.id, current=snapshot.status,
                requested=status)
        if not isinstance(progress, str) or not PROGRESS.match(progress):
            raise exception.InvalidInput(
                reason='progress %r is not a percentage' % (progress,))
        self._db.snapshot_update(snapshot.id, {'progress': progress})

    def receive_nova_style(self, snapshot, status, progress):
        """os-update_snapshot_status, as upstream Nova reports an assisted
        snapshot (Cinder's remotefs drivers wait for it): "creating" or
        "deleting" at 90% when its part is done, "error" or
        "error_deleting" when it failed. Nova writes a new qcow2 overlay
        (the file this service named); anything else only records the
        progress. False when no worker waited for it."""
        if status == states.ERROR or status == states.ERROR_DELETING:
            translated = states.ERROR
        elif progress == '90%' and status in (states.CREATING,
                                             states.AVAILABLE):
            translated = states.CREATING_COMPUTE_COMPLETE
        elif progress == '90%' and status == states.DELETING:
            translated = states.DELETING_COMPUTE_COMPLETE
        else:
            return False
        file_format = {}
        if translated == states.CREATING_COMPUTE_COMPLETE:
            volume = self._db.volume_get(snapshot.volume_id)
            file_format = {self._shares.chain(volume).snapshot_file(
                snapshot.id): 'qcow2'}
        report = {'status': translated, 'progress': progress,
                  'file_format': file_format,
                  'reason': 'the compute service reported %s' % status,
                  'quiesced': None}
        return self.reports.deliver(snapshot.id, report)

    def receive_extend(self, volume, error):
        """os-extend_volume_completion, as upstream Nova reports the extend
        of an attached volume (Cinder 3.71): handed to the worker that
        waits for a report on it (``extend``), which records the outcome.
        The first report wins: one that comes after our compute service's
        answer or an earlier completion is logged and changes nothing.
        InvalidVolume when no worker waits (a detached volume, or a
        shut-off instance's, grows here without a compute service)."""
        key = extend_key(volume.id)
        if not self.reports.awaits(key):
            raise exception.InvalidVolume(
                reason='the extend of volume %s waits for no compute '
                       'service' % volume.id)
        report = {'error': error,
                  'reason': 'the compute service reported that it could '
                            'not extend the disk' if error else None}
        if self.reports.deliver(key, report):
            return True
        LOG.warning('Volume %s: an extend completion (error: %s) came after '
                    'the first report on it; ignored', volume.id, error)
        return False

    def receive_set(self, group_snapshot_id, status, members, quiesced=None,
                    freeze_seconds=None, freeze_warning=False, reason=None):
        """The compute service's one report on a group snapshot, checked
        as ``receive`` checks one (a legal transition; only the set's own
        snapshots and files) and handed to the waiting worker."""
        try:
            group_snapshot = self._db.group_snapshot_get(group_snapshot_id)
            if (group_snapshot.status != states.CREATING or status not in
                    (states.CREATING_COMPUTE_COMPLETE, states.ERROR)):
                raise exception.InvalidStatusTransition(
                    kind='Group snapshot', id=group_snapshot_id,
                    current=group_snapshot.status, requested=status)
            own = {s.id: s for s in group_snapshot.snapshots}
            for snapshot_id, member in (members or {}).items():
                if snapshot_id not in own:
                    raise exception.InvalidInput(
                        reason='snapshot %s is no member' % snapshot_id)
                self._check_files(own[snapshot_id].volume_id,
                                  member.get('file_format'))
        except exception.SnapvolException as e:
            LOG.warning('Refused report %s on group snapshot %s: %s', status,
                        group_snapshot_id, e)
            return
        report = {'status': status, 'reason': reason,
                  'members': {k: {'file_format': dict(v.get('file_format',
                                                            {}))}
                              for k, v in (members or {}).items()},
                  'quiesced': quiesced, 'freeze_seconds': freeze_seconds,
                  'freeze_warning': bool(freeze_warning)}
        if not self.reports.deliver(group_snapshot_id, report):
            LOG.warning('Refused report %s on group snapshot %s: nothing '
                        'waits for it', status, group_snapshot_id)
