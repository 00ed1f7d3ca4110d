"""Snapshots of an attached volume, made and merged by the compute
service while its guest runs (seed 000 steps 3 and 4, seed 001).

The overlay is made here; the compute service makes the domain write to
it, or merges while the guest runs, and reports back over RPC (received
by ``receive``, handed to the waiting worker through ``reports``). Where
a report does not come, the domain's real chain is the truth. Callers
hold the volume's chain lock.
"""

from oslo_log import log as logging

from snapvol_api import context as snapvol_context
from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF

LOG = logging.getLogger(__name__)


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

    # Asking the compute service ---------------------------------------------

    def _ask(self, snapshot_id, request, timeout):
        """Sends ``request`` (a call of the compute client) and waits for
        the compute service's report on ``snapshot_id``; returns it when
        it says the compute part is done, else raises."""
        self.reports.expect(snapshot_id)
        try:
            request()
        except Exception:
            self.reports.forget(snapshot_id)
            raise
        report = self.reports.wait(snapshot_id, timeout)
        if report is None:
            raise exception.ComputeUnavailable(
                reason='no report on snapshot %s within %d s'
                       % (snapshot_id, timeout))
        if report['status'] == states.ERROR:
            raise exception.ComputeRequestFailed(
                request='snapshot %s' % snapshot_id,
                reason=report['reason'])
        return report

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
                                      attachment.host,
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
        blockRebase, seed 000); then the merged file goes and the info
        store follows. A merge the domain shows done (a report lost, or a
        request sent again after a restart) is only recorded. Returns the
        merged file."""
        try:
            domain_chain = self.domain_chain(volume)
        except exception.InstanceInvalidState:
            return self._delete_shut_off(snapshot, volume, chain)
        delete_info, merged, info_after = chain.merge_plan(snapshot.id)
        if delete_info is not None and (domain_chain is None or
                                        merged in domain_chain):
            delete_info.update(type='qcow2', volume_id=volume.id)
            try:
                report = self._ask(
                    snapshot.id,
                    lambda: self.compute.delete_snapshot(snapshot.id,
                                                         delete_info),
                    CONF.volume.assisted_snapshot_delete_timeout)
            except exception.ComputeUnavailable:
                domain_chain = self.domain_chain(volume)
                if not domain_chain or merged in domain_chain:
                    raise
                report = {'file_format': {}}
            # Seed 001: libvirt's word on each changed file's format.
            for name, fmt in report['file_format'].items():
                if name in chain.formats and name != merged:
                    chain.formats[name] = fmt
        chain.finish_merge(merged, info_after)
        return merged

    def _delete_shut_off(self, snapshot, volume, chain):
        """No QEMU holds the chain (and none can start on it while
        qemu-img holds its locks): merged here, keeping the active file the
        domain's definition names; the definition first forgets the chain
        it recorded. Upstream Nova refuses instead."""
        attachment = volume.attachments[0]
        LOG.info('Instance %s is shut off: deleting snapshot %s offline',
                 attachment.instance_id, snapshot.id)
        self.compute_rpc.forget_volume_chain(
            snapvol_context.get_admin_context(), attachment.host,
            attachment.instance_id, volume.id)
        return chain.merge_offline(snapshot.id)

    # Reports ----------------------------------------------------------------

    def receive(self, snapshot_id, status, progress, file_format,
                reason=None, quiesced=None):
        """The compute service's report on an assisted snapshot.

        Handed to the worker that waits for it; a report that is not a
        legal transition, names files that are not the volume's, or that no
        worker waits for is refused and logged, and changes nothing.
        """
        try:
            snapshot = self._db.snapshot_get(snapshot_id)
            if snapshot.status not in states.COMPUTE_REPORTS.get(status, ()):
                raise exception.InvalidStatusTransition(
                    kind='Snapshot', id=snapshot_id,
                    current=snapshot.status, requested=status)
            chain = self._shares.chain(
                self._db.volume_get(snapshot.volume_id))
            for name, fmt in (file_format or {}).items():
                chain.path_name(name)
                if fmt not in ('raw', 'qcow2'):
                    raise exception.InvalidInput(
                        reason='unknown format %r of %s' % (fmt, name))
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
