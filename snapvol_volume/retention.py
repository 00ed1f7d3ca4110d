"""How many snapshots a volume's chain holds.

Every layer of a chain is some snapshot's point in time, so its depth is
never merged away behind the user's back. Instead:

- ``[volume] max_chain_depth``: a new snapshot is refused while the chain
  already holds that many snapshots' files (``refuse_deeper``), because a
  read through the chain costs more with every layer
  (tools/bench-chain-depth);
- ``snapvol:keep_snapshots`` = N, in the volume's metadata or else its
  type's extra specs: once a new snapshot of the volume is available, the
  oldest available snapshots beyond the N newest are deleted, each through
  the normal delete (``prune``), so each merge is the usual resumable one.
"""

from oslo_log import log as logging

from snapvol_api import context
from snapvol_api import exception
from snapvol_api import states
from snapvol_api.conf import CONF

LOG = logging.getLogger(__name__)

KEEP_SNAPSHOTS = 'snapvol:keep_snapshots'


def depth(info):
    """The snapshots' files in the chain whose info store is ``info``:
    its entries besides the active file (no header needs reading)."""
    return len(info) - 1


def refuse_deeper(volume_id, current):
    """InvalidVolume (400) when a chain holding ``current`` snapshots'
    files may not take one more."""
    limit = CONF.volume.max_chain_depth
    if limit and current >= limit:
        raise exception.InvalidVolume(
            reason='volume %s has %d snapshots in its chain, the most '
                   'allowed (max_chain_depth is %d); delete one of them '
                   'before taking another' % (volume_id, current, limit))


def check_depth(chain):
    """refuse_deeper for a VolumeChain, from its info store alone."""
    refuse_deeper(chain.volume_id, depth(chain.read_info()))


def keep_count(volume):
    """N of ``snapvol:keep_snapshots`` for the volume (its metadata wins
    over its type's extra spec); None: keep them all. A value that is not
    a whole number of at least 1 keeps them all too, with a warning:
    deleting snapshots on a typo is worse than keeping them."""
    value = {m.key: m.value for m in volume.metadata_items}.get(
        KEEP_SNAPSHOTS)
    if value is None and volume.volume_type is not None:
        value = {s.key: s.value for s in
                 volume.volume_type.extra_specs_items}.get(KEEP_SNAPSHOTS)
    if value is None:
        return None
    try:
        keep = int(value)
    except ValueError:
        keep = 0
    if keep < 1:
        LOG.warning('Volume %s: %s=%r is not a whole number of at least 1; '
                    'all its snapshots are kept', volume.id, KEEP_SNAPSHOTS,
                    value)
        return None
    return keep


def beyond(snapshots, keep):
    """Of a volume's snapshots (oldest first), the available ones older
    than its ``keep`` newest available ones. Members of a group snapshot
    are left out: they go with their group snapshot."""
    available = [s for s in snapshots if s.status == states.AVAILABLE]
    return [s for s in available[:max(0, len(available) - keep)]
            if not s.group_snapshot_id]


def prune(db, delete, volume_id):
    """Deletes the snapshots of ``volume_id`` that its
    ``snapvol:keep_snapshots`` leaves out, oldest first, with ``delete``
    (Snapshots.delete: the request path, with its checks); returns the
    ids whose delete began; one that cannot begin now is logged and
    left for the next snapshot."""
    volume = db.volume_get(volume_id)
    keep = keep_count(volume)
    if keep is None:
        return []
    ctxt = context.get_admin_context()
    begun = []
    for snapshot in beyond(db.snapshot_get_all_for_volume(volume_id), keep):
        try:
            delete(ctxt, snapshot.id)
        except exception.SnapvolException as e:
            # The new snapshot is made; a delete that cannot begin now
            # (being read or cloned, its status changed, its share
            # down) waits for the next one.
            LOG.warning('Volume %s keeps %d snapshots; snapshot %s stays '
                        'for now: %s', volume_id, keep, snapshot.id, e)
            continue
        LOG.info('Volume %s keeps %d snapshots: deleting snapshot %s '
                 '(created %s)', volume_id, keep, snapshot.id,
                 snapshot.created_at)
        begun.append(snapshot.id)
    return begun
