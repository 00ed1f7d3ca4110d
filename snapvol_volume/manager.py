"""The volume manager: owns the shares, the qcow2 chains and the volume DB.

RPC handlers only check a request and record it, under a short per-volume
*state* lock; the file work (qemu-img create, commit, convert) runs in a
worker thread under the volume's *chain* lock, so a long merge never holds
up the API. Every step that changes files is ordered so that a crash at any
point leaves DB, info store and files in a state ``init_host`` completes.

A volume and a snapshot travel as the dicts of ``snapvol_volume.views``.
"""

import contextlib

from oslo_concurrency import lockutils
from oslo_log import log as logging
import oslo_messaging as messaging

from snapvol_api import context as snapvol_context
from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_api.rpc import compute_rpcapi
from snapvol_api.runtime import workers
from snapvol_volume import compute
from snapvol_volume import drivers
from snapvol_volume import reports
from snapvol_volume import views
from snapvol_volume.db import api as db

LOG = logging.getLogger(__name__)

VOLUME_FILTERS = ('name', 'status', 'metadata', 'project_id')
SNAPSHOT_FILTERS = VOLUME_FILTERS + ('volume_id',)


def _state_lock(volume_id):
    return lockutils.lock('state-%s' % volume_id)


def _chain_lock(volume_id, blocking=True):
    # External: also keeps out another process on this host.
    return lockutils.lock('chain-%s' % volume_id, external=True,
                          blocking=blocking)


def _check_size(size):
    if (isinstance(size, bool) or not isinstance(size, int)
            or not 1 <= size <= CONF.volume.max_volume_size):
        raise exception.InvalidInput(
            reason='size must be a whole number of GiB from 1 to %d, not %r'
                   % (CONF.volume.max_volume_size, size))
    return size


def _truthy(value):
    return str(value).lower() in ('1', 'true', 'yes', 'on')


class VolumeManager:

    RPC_API_VERSION = '1.1'
    target = messaging.Target(version=RPC_API_VERSION)

    # Reports the compute service may make, by the status a snapshot must
    # have to accept them (seed 001).
    COMPUTE_REPORTS = {
        states.CREATING_COMPUTE_COMPLETE: (states.CREATING,),
        states.DELETING_COMPUTE_COMPLETE: (states.DELETING,),
        states.ERROR: (states.CREATING, states.DELETING),
    }

    def __init__(self, host=None):
        self.host = host or CONF.host
        self.reports = reports.Reports()
        self.compute = compute.ComputeClient()
        self._compute_rpc = None
        self.shares = drivers.load_shares()
        self._workers = workers.Workers(CONF.volume.worker_threads,
                                        'volume-worker')

    @property
    def compute_rpc(self):
        # Made on first use: a deployment without attached volumes needs
        # no compute service.
        if self._compute_rpc is None:
            self._compute_rpc = compute_rpcapi.ComputeAPI()
        return self._compute_rpc

    def init_host(self):
        """Mounts the shares and resumes whatever a crash interrupted."""
        for share in self.shares.values():
            share.ensure_mounted()
        for volume in db.volume_get_all_by_host(self.host):
            self._workers.spawn(self._reconcile_volume, volume.id)

    def stop(self):
        self._workers.stop(wait=True)

    # Loading, with project isolation ----------------------------------------

    @staticmethod
    def _scope(ctxt):
        return None if ctxt.is_admin else ctxt.project_id

    def _volume(self, ctxt, volume_id):
        return db.volume_get(volume_id, self._scope(ctxt))

    def _snapshot(self, ctxt, snapshot_id):
        return db.snapshot_get(snapshot_id, self._scope(ctxt))

    @staticmethod
    def _require_admin(ctxt):
        if not ctxt.is_admin:
            raise exception.Forbidden(action='this administrator action')

    @staticmethod
    def _list_filters(ctxt, filters, allowed):
        filters = dict(filters or {})
        all_tenants = _truthy(filters.pop('all_tenants', False))
        project_id = filters.pop('project_id', None)
        result = {k: v for k, v in filters.items() if k in allowed}
        if not ctxt.is_admin or not (all_tenants or project_id):
            result['project_id'] = ctxt.project_id
        elif project_id:
            result['project_id'] = project_id
        return result

    # Shares and chains ------------------------------------------------------

    def _share(self, volume):
        try:
            return self.shares[volume.share]
        except KeyError:
            raise exception.ShareUnavailable(
                share=volume.share, reason='it is not configured on host %s'
                                           % self.host)

    def _chain(self, volume):
        return self._share(volume).chain(volume.id, db.volume_files(volume.id))

    def _pick_share(self, size):
        usable = []
        for share in self.shares.values():
            try:
                share.ensure_mounted()
                usable.append((share.free_bytes(), share.name, share))
            except exception.SnapvolException as e:
                LOG.warning('Share %s is unusable: %s', share.name, e)
        if not usable:
            raise exception.NoValidShare(size=size)
        return max(usable)[2]

    @staticmethod
    def _record_chain(volume_id, chain):
        """Makes the DB record exactly the files the info store uses, with
        their formats, and its active file."""
        data, layers = chain.walk()
        in_use = {layer.name for layer in layers}
        recorded = db.volume_files(volume_id)
        for name in set(recorded) - in_use:
            db.volume_file_delete(volume_id, name)
        for name in in_use:
            if recorded.get(name) != chain.formats[name]:
                db.volume_file_set(volume_id, name, chain.formats[name])
        db.volume_update(volume_id, {'active_file': data['active']})

    def _check_chain_now(self, volume):
        """Refuses a request on a chain that is unsafe, unless a worker is
        busy with it (the worker checks again before it changes anything).
        """
        try:
            with _chain_lock(volume.id, blocking=False):
                self._chain(volume).check()
        except lockutils.AcquireLockFailedException:
            pass

    # Volumes ----------------------------------------------------------------

    def get_volume(self, ctxt, volume_id):
        return views.volume(self._volume(ctxt, volume_id))

    def list_volumes(self, ctxt, filters, marker, limit, sort, offset):
        filters = self._list_filters(ctxt, filters, VOLUME_FILTERS)
        return [views.volume(v) for v in db.volume_get_all(
            filters, marker, limit, sort, offset)]

    def create_volume(self, ctxt, size, name, description, metadata,
                      snapshot_id):
        _check_size(size)
        values = {'size': size, 'name': name, 'description': description,
                  'project_id': ctxt.project_id, 'user_id': ctxt.user_id,
                  'status': states.CREATING, 'host': self.host}
        lock = contextlib.nullcontext()
        if snapshot_id is not None:
            snapshot = self._snapshot(ctxt, snapshot_id)
            lock = _state_lock(snapshot.volume_id)
            values['source_snapshot_id'] = snapshot.id
        with lock:
            if snapshot_id is not None:
                snapshot = db.snapshot_get(snapshot_id)
                if snapshot.status != states.AVAILABLE:
                    raise exception.InvalidSnapshotStatus(
                        snapshot_id=snapshot_id, status=snapshot.status,
                        expected=states.AVAILABLE)
                if size < snapshot.volume_size:
                    raise exception.InvalidInput(
                        reason='size %d GiB is smaller than the %d GiB of '
                               'snapshot %s' % (size, snapshot.volume_size,
                                                snapshot_id))
                self._check_chain_now(db.volume_get(snapshot.volume_id))
            values['share'] = self._pick_share(size).name
            volume = db.volume_create(values, metadata)
        LOG.info('Creating volume %s (%d GiB) on %s', volume.id, size,
                 volume.share)
        self._workers.spawn(self._create_volume, volume.id)
        return views.volume(volume)

    def _create_volume(self, volume_id):
        try:
            with _chain_lock(volume_id):
                volume = db.volume_get(volume_id)
                chain = self._chain(volume)
                fmt = CONF.volume.volume_format
                if volume.source_snapshot_id is None:
                    chain.create_base(volume.size, fmt)
                else:
                    snapshot = db.snapshot_get(volume.source_snapshot_id)
                    source = db.volume_get(snapshot.volume_id)
                    with _chain_lock(source.id):
                        chain.create_from(self._chain(source), snapshot.id,
                                          fmt, volume.size)
                self._record_chain(volume_id, chain)
                db.volume_update(volume_id, {'status': states.AVAILABLE},
                                 expected_status=[states.CREATING])
            LOG.info('Volume %s is available', volume_id)
        except Exception as e:
            LOG.error('Creating volume %s failed: %s', volume_id, e)
            db.volume_update(volume_id, {'status': states.ERROR})
            raise

    def update_volume(self, ctxt, volume_id, values):
        volume = self._volume(ctxt, volume_id)
        values = dict(values)
        metadata = values.pop('metadata', None)
        values = {k: v for k, v in values.items()
                  if k in ('name', 'description')}
        if values:
            db.volume_update(volume.id, values)
        if metadata is not None:
            db.volume_metadata_set(volume.id, metadata, replace=True)
        return views.volume(db.volume_get(volume.id))

    def delete_volume(self, ctxt, volume_id):
        volume = self._volume(ctxt, volume_id)
        with _state_lock(volume.id):
            snapshots = db.snapshot_get_all_for_volume(volume.id)
            if snapshots:
                raise exception.VolumeHasSnapshots(volume_id=volume.id,
                                                   count=len(snapshots))
            volume = db.volume_update(
                volume.id, {'status': states.DELETING},
                expected_status=[states.AVAILABLE, states.ERROR,
                                 states.ERROR_DELETING])
        LOG.info('Deleting volume %s', volume.id)
        self._workers.spawn(self._delete_volume, volume.id)
        return views.volume(volume)

    def _delete_volume(self, volume_id):
        try:
            with _chain_lock(volume_id):
                volume = db.volume_get(volume_id)
                self._chain(volume).remove_all()
                db.volume_destroy(volume_id)
            LOG.info('Volume %s is deleted', volume_id)
        except Exception as e:
            LOG.error('Deleting volume %s failed: %s', volume_id, e)
            db.volume_update(volume_id, {'status': states.ERROR_DELETING})
            raise

    def reset_volume_status(self, ctxt, volume_id, status):
        self._require_admin(ctxt)
        if status not in states.VOLUME_RESET_STATUSES:
            raise exception.InvalidInput(
                reason='status must be one of %s'
                       % ', '.join(states.VOLUME_RESET_STATUSES))
        volume = self._volume(ctxt, volume_id)
        LOG.warning('Volume %s status reset from %s to %s by %s', volume.id,
                    volume.status, status, ctxt.user_id)
        return views.volume(db.volume_update(volume.id, {'status': status}))

    def set_volume_metadata(self, ctxt, volume_id, metadata, replace):
        volume = self._volume(ctxt, volume_id)
        return views.volume(db.volume_metadata_set(volume.id, metadata,
                                                   replace))['metadata']

    def delete_volume_metadata(self, ctxt, volume_id, key):
        volume = self._volume(ctxt, volume_id)
        db.volume_metadata_delete(volume.id, key)

    # Snapshots --------------------------------------------------------------

    def get_snapshot(self, ctxt, snapshot_id):
        return views.snapshot(self._snapshot(ctxt, snapshot_id))

    def list_snapshots(self, ctxt, filters, marker, limit, sort, offset):
        filters = self._list_filters(ctxt, filters, SNAPSHOT_FILTERS)
        return [views.snapshot(s) for s in db.snapshot_get_all(
            filters, marker, limit, sort, offset)]

    def create_snapshot(self, ctxt, volume_id, name, description, metadata,
                        force):
        volume = self._volume(ctxt, volume_id)
        with _state_lock(volume.id):
            volume = db.volume_get(volume.id)
            if volume.status == states.IN_USE and not force:
                raise exception.InvalidVolume(
                    reason='volume %s is attached; pass force to snapshot '
                           'it while its instance runs' % volume.id)
            if volume.status not in (states.AVAILABLE, states.IN_USE):
                raise exception.InvalidVolumeStatus(
                    volume_id=volume.id, status=volume.status,
                    expected='available, in-use')
            self._check_chain_now(volume)
            snapshot = db.snapshot_create(
                {'volume_id': volume.id, 'project_id': volume.project_id,
                 'user_id': ctxt.user_id, 'name': name,
                 'description': description, 'volume_size': volume.size,
                 'status': states.CREATING, 'progress': '0%'}, metadata)
        LOG.info('Creating snapshot %s of volume %s', snapshot.id, volume.id)
        self._workers.spawn(self._create_snapshot, snapshot.id)
        return views.snapshot(snapshot)

    def _create_snapshot(self, snapshot_id):
        snapshot = db.snapshot_get(snapshot_id)
        try:
            with _chain_lock(snapshot.volume_id):
                volume = db.volume_get(snapshot.volume_id)
                chain = self._chain(volume)
                # Recorded first: after a crash the overlay may already be
                # in the info store, and a chain walk needs its format.
                name = chain.snapshot_file(snapshot.id)
                db.volume_file_set(volume.id, name, 'qcow2')
                chain.formats[name] = 'qcow2'
                try:
                    if volume.attachments:
                        self._create_attached(snapshot, volume, chain)
                    else:
                        chain.create_overlay(snapshot.id, volume.size)
                finally:
                    self._record_chain(volume.id, chain)
                db.snapshot_update(snapshot.id, {'status': states.AVAILABLE,
                                                 'progress': '100%'},
                                   expected_status=[states.CREATING])
            LOG.info('Snapshot %s is available; %s is the active file',
                     snapshot.id, name)
        except Exception as e:
            LOG.error('Creating snapshot %s failed: %s', snapshot.id, e)
            db.snapshot_update(snapshot.id, {'status': states.ERROR})
            raise

    def _ask_compute(self, snapshot_id, request, timeout):
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

    def _running_chain(self, volume):
        """_domain_chain, None also when the instance is shut off."""
        try:
            return self._domain_chain(volume)
        except exception.InstanceInvalidState:
            return None

    def _domain_chain(self, volume):
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

    def _create_attached(self, snapshot, volume, chain):
        """Seed 000 step 3: the overlay is made here, the compute service
        makes the running domain write to it (snapshotCreateXML with
        REUSE_EXT), and only then does the info store take it."""
        name = chain.new_overlay(snapshot.id, volume.size)
        try:
            report = self._ask_compute(
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
            domain_chain = self._running_chain(volume)
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
            db.snapshot_metadata_set(snapshot.id, {
                'quiesced': 'yes' if report['quiesced'] else 'no'})

    def _delete_attached(self, snapshot, volume, chain):
        """The compute service merges while the guest runs (blockCommit or
        blockRebase, seed 000); then the merged file goes and the info
        store follows. A merge the domain shows done (a report lost, or a
        request sent again after a restart) is only recorded."""
        try:
            domain_chain = self._domain_chain(volume)
        except exception.InstanceInvalidState:
            return self._delete_shut_off(snapshot, volume, chain)
        delete_info, merged, info_after = chain.merge_plan(snapshot.id)
        if delete_info is not None and (domain_chain is None or
                                        merged in domain_chain):
            delete_info.update(type='qcow2', volume_id=volume.id)
            try:
                report = self._ask_compute(
                    snapshot.id,
                    lambda: self.compute.delete_snapshot(snapshot.id,
                                                         delete_info),
                    CONF.volume.assisted_snapshot_delete_timeout)
            except exception.ComputeUnavailable:
                domain_chain = self._domain_chain(volume)
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

    def update_snapshot(self, ctxt, snapshot_id, values):
        snapshot = self._snapshot(ctxt, snapshot_id)
        values = {k: v for k, v in values.items()
                  if k in ('name', 'description')}
        if values:
            snapshot = db.snapshot_update(snapshot.id, values)
        return views.snapshot(snapshot)

    def delete_snapshot(self, ctxt, snapshot_id):
        snapshot = self._snapshot(ctxt, snapshot_id)
        with _state_lock(snapshot.volume_id):
            clones = db.volume_get_all({'source_snapshot_id': snapshot.id,
                                        'status': states.CREATING})
            if clones:
                raise exception.InvalidSnapshot(
                    reason='volume %s is being created from snapshot %s'
                           % (clones[0].id, snapshot.id))
            if snapshot.status in (states.AVAILABLE, states.ERROR):
                self._check_chain_now(db.volume_get(snapshot.volume_id))
            snapshot = db.snapshot_update(
                snapshot.id, {'status': states.DELETING},
                expected_status=[states.AVAILABLE, states.ERROR])
        LOG.info('Deleting snapshot %s of volume %s', snapshot.id,
                 snapshot.volume_id)
        self._workers.spawn(self._delete_snapshot, snapshot.id)
        return views.snapshot(snapshot)

    def _delete_snapshot(self, snapshot_id):
        snapshot = db.snapshot_get(snapshot_id)
        try:
            with _chain_lock(snapshot.volume_id):
                volume = db.volume_get(snapshot.volume_id)
                chain = self._chain(volume)
                if volume.attachments and snapshot.id in chain.read_info():
                    merged = self._delete_attached(snapshot, volume, chain)
                else:
                    merged = chain.delete_snapshot(snapshot.id)
                self._record_chain(volume.id, chain)
                db.snapshot_destroy(snapshot.id)
            LOG.info('Snapshot %s is deleted (merged file: %s)', snapshot.id,
                     merged)
        except Exception as e:
            LOG.error('Deleting snapshot %s failed: %s', snapshot.id, e)
            db.snapshot_update(snapshot.id,
                               {'status': states.ERROR_DELETING})
            raise

    def reset_snapshot_status(self, ctxt, snapshot_id, status):
        self._require_admin(ctxt)
        if status not in states.SNAPSHOT_RESET_STATUSES:
            raise exception.InvalidInput(
                reason='status must be one of %s'
                       % ', '.join(states.SNAPSHOT_RESET_STATUSES))
        snapshot = self._snapshot(ctxt, snapshot_id)
        LOG.warning('Snapshot %s status reset from %s to %s by %s',
                    snapshot.id, snapshot.status, status, ctxt.user_id)
        return views.snapshot(db.snapshot_update(snapshot.id,
                                                 {'status': status}))

    def set_snapshot_metadata(self, ctxt, snapshot_id, metadata, replace):
        snapshot = self._snapshot(ctxt, snapshot_id)
        return views.snapshot(db.snapshot_metadata_set(
            snapshot.id, metadata, replace))['metadata']

    def delete_snapshot_metadata(self, ctxt, snapshot_id, key):
        snapshot = self._snapshot(ctxt, snapshot_id)
        db.snapshot_metadata_delete(snapshot.id, key)

    # For the compute service ------------------------------------------------

    def initialize_connection(self, ctxt, volume_id, connector):
        """Where the active file is (seed 000 "Volume Attach"): its share
        and name from the info store, and its recorded format. The compute
        host decides how QEMU reaches it."""
        volume = self._volume(ctxt, volume_id)
        if volume.status not in (states.AVAILABLE, states.IN_USE):
            raise exception.InvalidVolumeStatus(
                volume_id=volume.id, status=volume.status,
                expected='available, in-use')
        share = self._share(volume)
        chain = self._chain(volume)
        active = chain.read_info()['active']
        LOG.info('Connection to volume %s for %s: %s on %s', volume.id,
                 connector.get('host'), active, share.name)
        return {'driver_volume_type': share.kind,
                'data': {'export': share.location, 'name': active,
                         'format': chain.formats[active]}}

    def attach_volume(self, ctxt, volume_id, instance_id, host, device):
        """Reserves the volume for an instance, before the compute host
        asks where its active file is: from now on snapshots of it go
        through the compute service."""
        volume = self._volume(ctxt, volume_id)
        with _state_lock(volume.id):
            busy = [s.id for s in db.snapshot_get_all_for_volume(volume.id)
                    if s.status in (states.CREATING, states.DELETING)]
            if busy:
                raise exception.InvalidVolume(
                    reason='snapshot %s of volume %s is being changed; '
                           'attach it when that is done'
                           % (busy[0], volume.id))
            volume = db.volume_attach(volume.id, instance_id, host, device)
        LOG.info('Volume %s is attached to %s on %s as %s', volume_id,
                 instance_id, host, device)
        return views.volume(volume)

    def detach_volume(self, ctxt, volume_id, instance_id):
        volume = self._volume(ctxt, volume_id)
        with _state_lock(volume.id):
            volume = db.volume_detach(volume.id, instance_id)
        LOG.info('Volume %s is detached from %s', volume_id, instance_id)
        return views.volume(volume)

    def update_snapshot_status(self, ctxt, snapshot_id, status, progress,
                               file_format, reason=None, quiesced=None):
        """The compute service's report on an assisted snapshot (a cast).

        Handed to the worker that waits for it; a report that is not a
        legal transition, names files that are not the volume's, or that no
        worker waits for is refused and logged, and changes nothing.
        """
        try:
            snapshot = db.snapshot_get(snapshot_id)
            if snapshot.status not in self.COMPUTE_REPORTS.get(status, ()):
                raise exception.InvalidStatusTransition(
                    kind='Snapshot', id=snapshot_id,
                    current=snapshot.status, requested=status)
            chain = self._chain(db.volume_get(snapshot.volume_id))
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

    # Recovery ---------------------------------------------------------------

    def _settle_attached_create(self, volume, snapshot):
        """An attached create a restart interrupted: the domain says
        whether it writes to the new overlay; it is recorded if so, and
        removed (the snapshot failed) if not. It is never made again: the
        domain may be using it. Returns False when the compute host cannot
        say: the snapshot stays creating and the overlay stays."""
        with _chain_lock(volume.id):
            chain = self._chain(volume)
            name = chain.snapshot_file(snapshot.id)
            domain_chain = self._running_chain(volume)
            if domain_chain and domain_chain[0] == name:
                chain.formats[name] = 'qcow2'
                chain.activate_overlay(snapshot.id)
                self._record_chain(volume.id, chain)
                db.snapshot_update(snapshot.id, {'status': states.AVAILABLE,
                                                 'progress': '100%'})
                LOG.info('Snapshot %s: the domain writes to %s; recorded',
                         snapshot.id, name)
                return True
            elif domain_chain is not None:
                chain.discard_overlay(snapshot.id)
                self._record_chain(volume.id, chain)
                db.snapshot_update(snapshot.id, {'status': states.ERROR})
                LOG.warning('Snapshot %s never reached the domain; failed',
                            snapshot.id)
                return True
            else:
                LOG.warning('Snapshot %s: the compute host cannot say '
                            'whether the domain writes to %s; it stays '
                            'creating until a later start can ask',
                            snapshot.id, name)
                return False

    def _reconcile_volume(self, volume_id):
        """Finishes what a crash interrupted on one volume, then removes
        the files nothing refers to.

        A detached volume's data cannot have changed since a snapshot was
        asked for, so an interrupted create is rolled forward, and an
        interrupted merge is run again from its last completed step.
        """
        volume = db.volume_get(volume_id)
        if volume.status == states.CREATING:
            return self._create_volume(volume_id)
        if volume.status == states.DELETING:
            return self._delete_volume(volume_id)
        settled = True
        for snapshot in db.snapshot_get_all_for_volume(volume_id):
            if snapshot.status == states.CREATING and volume.attachments:
                settled &= self._settle_attached_create(volume, snapshot)
            elif snapshot.status == states.CREATING:
                LOG.info('Resuming the create of snapshot %s', snapshot.id)
                self._create_snapshot(snapshot.id)
            elif snapshot.status == states.DELETING:
                LOG.info('Resuming the delete of snapshot %s', snapshot.id)
                self._delete_snapshot(snapshot.id)
        if not settled:
            LOG.warning('Volume %s: files nothing refers to are kept until '
                        'its compute host answers', volume_id)
            return
        with _chain_lock(volume_id):
            chain = self._chain(db.volume_get(volume_id))
            for path in chain.remove_orphans():
                LOG.warning('Removed %s: no snapshot of volume %s used it',
                            path, volume_id)
            self._record_chain(volume_id, chain)
