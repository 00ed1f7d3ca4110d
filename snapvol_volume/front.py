"""What the volume API process does itself: it reads from the database,
and sends writes to the volume managers with acknowledgements that tell
the truth.

Reads need no live manager: they run the manager's own read code here.

A create or delete is recorded by a manager together with its request
in the ledger (``snapvol_volume.db.requests``). When the manager does
not answer (it died, or the call timed out), the API abandons the
request: if the manager had recorded it, the client gets its 202 (the
work is in flight, and a live member of the manager's cluster finishes
it); if not, no manager can record it any more, and the client gets a
503 that means "nothing was done". A client that sends its own
X-OpenStack-Request-ID and retries gets the first answer's resource, not
a second one. A write about a volume whose managers are all down fails
at once instead of waiting out the RPC timeout.
"""

import hashlib
import inspect
import json

from oslo_log import log as logging
import oslo_messaging as messaging

from snapvol_api import exception
from snapvol_api import rpc
from snapvol_api.rpc import volume_rpcapi
from snapvol_volume import locks
from snapvol_volume import scope
from snapvol_volume import services
from snapvol_volume.db import requests as ledger

LOG = logging.getLogger(__name__)

# The manager methods that only read the database.
READS = frozenset([
    'get_volume', 'list_volumes', 'get_snapshot', 'list_snapshots',
    'list_messages', 'get_message', 'get_transfer', 'list_transfers',
    'get_quotas', 'get_quota_defaults', 'get_absolute_limits',
    'list_volume_types', 'get_volume_type', 'list_volume_type_access',
    'get_default_type', 'list_default_types', 'list_availability_zones',
    'list_group_types', 'get_group_type', 'get_group', 'list_groups',
    'get_group_snapshot', 'list_group_snapshots', 'list_services',
    'get_backup', 'list_backups',
])


class VolumeFront:
    """The volume API's ``rpcapi``: the VolumeAPI client's methods, the
    reads served by ``reader`` (a VolumeManager that is never started)
    and the writes sent by ``rpcapi`` to the managers of the volume they
    are about (its cluster, or its host when it has none; any manager
    for a new volume)."""

    def __init__(self, rpcapi, reader, db):
        self._rpcapi = rpcapi
        self._reader = reader
        # The reads, as the client sends them, run here.
        self._local = volume_rpcapi.VolumeAPI(client=rpc.LocalClient(reader))
        self._db = db

    def __getattr__(self, name):
        if name in READS:
            return getattr(self._local, name)
        signature = inspect.signature(getattr(self._rpcapi, name))

        def routed(ctxt, *args, **kwargs):
            named = signature.bind(ctxt, *args, **kwargs).arguments
            volume = self._volume_named(ctxt, named.get('volume_id'),
                                        named.get('snapshot_id'))
            return getattr(self._managers_of(volume), name)(ctxt, *args,
                                                            **kwargs)
        return routed

    def _volume_named(self, ctxt, volume_id, snapshot_id):
        """The volume a call is about, as the caller may see it; None when
        it names none, or one the caller cannot see (the manager answers
        that call: some callers, as compute services, see volumes of any
        project)."""
        try:
            if volume_id is not None:
                return scope.volume(self._db, ctxt, volume_id)
            if snapshot_id is not None:
                return self._db.volume_get(
                    scope.snapshot(self._db, ctxt, snapshot_id).volume_id)
        except exception.NotFound:
            pass
        return None

    def _managers_of(self, volume):
        """The rpcapi for the managers of ``volume`` (None: any), once one
        of them is known to be up."""
        if volume is None:
            return self._rpcapi
        self._require_manager(volume)
        return self._rpcapi.at(volume.cluster_name or volume.host)

    # Writes whose acknowledgement the ledger makes true -----------------

    def create_volume(self, ctxt, size, name=None, description=None,
                      metadata=None, snapshot_id=None, volume_type=None):
        """Any manager makes a new volume; a volume made from a snapshot
        is made on its source's share, by the managers of its source."""
        source = None
        if snapshot_id is not None:
            snapshot = scope.snapshot(self._db, ctxt, snapshot_id)
            source = self._db.volume_get(snapshot.volume_id)
            snapshot_id = snapshot.id
        else:
            self._require_manager(None)
        return self._acknowledged(
            ctxt, 'create_volume', snapshot_id,
            {'size': size, 'name': name, 'description': description,
             'metadata': metadata, 'snapshot_id': snapshot_id,
             'volume_type': volume_type},
            self._managers_of(source).create_volume, self._reader.get_volume)

    def delete_volume(self, ctxt, volume_id, cascade=False, force=False):
        volume = scope.volume(self._db, ctxt, volume_id)
        return self._acknowledged(
            ctxt, 'delete_volume', volume.id,
            {'volume_id': volume.id, 'cascade': cascade, 'force': force},
            self._managers_of(volume).delete_volume)

    def create_snapshot(self, ctxt, volume_id, name=None, description=None,
                        metadata=None, force=False):
        volume = scope.volume(self._db, ctxt, volume_id)
        return self._acknowledged(
            ctxt, 'create_snapshot', volume.id,
            {'volume_id': volume.id, 'name': name,
             'description': description, 'metadata': metadata,
             'force': force},
            self._managers_of(volume).create_snapshot,
            self._reader.get_snapshot)

    def delete_snapshot(self, ctxt, snapshot_id, force=False):
        snapshot = scope.snapshot(self._db, ctxt, snapshot_id)
        volume = self._db.volume_get(snapshot.volume_id)
        return self._acknowledged(
            ctxt, 'delete_snapshot', snapshot.id,
            {'snapshot_id': snapshot.id, 'force': force},
            self._managers_of(volume).delete_snapshot)

    def _acknowledged(self, ctxt, operation, target, params, call,
                      show=None):
        """``call(ctxt, request_id=..., **params)``'s answer, or the truth
        when it gave none: ``show(ctxt, id)`` of what the request
        recorded (None for a delete, whose answer has no body), or
        VolumeServiceUnavailable when it recorded nothing.

        The ledger's key is the request and what it asks: a client's
        X-OpenStack-Request-ID may stand for a whole session of calls
        (openstacksdk's ``global_request_id``), and only a call that asks
        the same again is its retry."""
        request_id = '%s/%s' % (
            ctxt.global_request_id or ctxt.request_id,
            hashlib.sha256(json.dumps(params, sort_keys=True, default=str)
                           .encode()).hexdigest()[:16])
        request = ledger.Request(ctxt.project_id, request_id, operation,
                                 target)
        known = self._db.request_get(request)
        if known is not None and known.state == ledger.RECORDED:
            LOG.info('Request %s was recorded before (%s of %s): '
                     'answering with it', request_id, operation,
                     known.resource_id)
            return show(ctxt, known.resource_id) if show else None
        try:
            return call(ctxt, request_id=request_id, **params)
        except messaging.MessagingException as e:
            if isinstance(e, messaging.RemoteError):
                raise
            recorded = self._db.request_abandon(request)
            if recorded is None:
                LOG.warning('No answer to %s of %s (%s): abandoned, '
                            'nothing was recorded', operation, target, e)
                raise exception.VolumeServiceUnavailable(
                    reason='the volume service did not answer, and nothing '
                           'was done; try again')
            LOG.warning('No answer to %s of %s (%s), but it is recorded: '
                        'its work goes on', operation, target, e)
            return show(ctxt, recorded.resource_id) if show else None

    def _require_manager(self, volume):
        """VolumeServiceUnavailable at once when no manager that could do
        the work of ``volume`` (None: a new volume) is up."""
        if volume is None:
            up = self._db.service_live_runs(services.BINARY)
            where = 'volume manager'
        elif volume.cluster_name:
            up = self._db.service_live_runs(services.BINARY,
                                            volume.cluster_name)
            where = 'volume manager of cluster %s' % volume.cluster_name
        else:
            up = volume.host in services.live_hosts(self._db)
            where = 'volume manager of host %s' % volume.host
        if not up:
            raise exception.VolumeServiceUnavailable(
                reason='no %s is up; nothing was done' % where)


def build(rpcapi, db=None):
    """The front of a volume API process, on ``db`` (default: the volume
    database): its reader is a manager that is never started, with no
    shares (reads never touch one)."""
    from snapvol_volume import service
    from snapvol_volume.db import api as db_api
    db = db or db_api
    reader = service.build_manager(
        db=db, share_drivers={}, compute=_NOT_USED, compute_rpc=_NOT_USED,
        locks=locks.Locks(), live_runs=frozenset)
    return VolumeFront(rpcapi, reader, db)


# What the reader holds in place of the collaborators that only writes
# use.
_NOT_USED = object()
