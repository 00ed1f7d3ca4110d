"""Merging a snapshot's file away, on a VolumeChain, moving the fewer bytes.

Deleting snapshot S joins two neighbouring files of the chain: S's file
(``upper``; S's point in time is the chain below it) and the file below it
(``lower``). Either of two merges keeps every other snapshot's point in
time:

* commit: ``upper``'s data is written into ``lower``, and whatever used
  ``upper`` (the file above it, or the volume when ``upper`` is the active
  file) uses ``lower``; ``upper`` goes. It moves ``upper``'s bytes.
* pull: ``lower``'s data is copied into ``upper`` where ``upper`` has none,
  and ``upper`` is pointed at ``lower``'s backing file; a snapshot whose
  file was ``lower`` has ``upper`` (the chain below it shows the same);
  ``lower`` goes. It moves ``lower``'s bytes.

``plan`` takes the one that moves fewer allocated bytes among those that
can be done: while a guest runs, libvirt pulls only into the active file
and commits the active file only as an active commit with a pivot (which
upstream Nova does not do: ``[volume] live_active_commit``). A near tie
keeps Nova's way (pull the newest snapshot of a running guest, commit any
other).

Every step can be run again after a crash: a commit leaves its overlay
intact, a pull changes the overlay's header last, the info store changes
only once the chain is consistent, and the merged file goes last. The
choice is stable across a crash: a commit only adds to ``lower``'s bytes,
a pull only to ``upper``'s. Callers hold the volume's chain lock.
"""

import dataclasses
import os

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api.conf import CONF
from snapvol_volume import chain as chain_mod
from snapvol_volume import info as info_store
from snapvol_volume import qemu_img

LOG = logging.getLogger(__name__)

COMMIT = 'commit'
PULL = 'pull'
# Bytes by which the other way must move less to be taken.
NEAR_TIE = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Merge:
    """The merge that deletes ``snapshot_id``: ``how`` (COMMIT or PULL)
    ``upper`` (its file) and ``lower`` (the file below) join; ``above``:
    the file above ``upper`` (None: ``upper`` is the active file);
    ``lower_backing``: the file below ``lower`` (None: the bottom);
    ``moved``: the allocated bytes it copies; ``done``: the chain already
    shows it (a report lost, or a crash before the info store changed);
    ``after``: the info store once done."""

    snapshot_id: str
    how: str
    upper: str
    lower: str
    above: str | None
    lower_backing: str | None
    moved: int
    done: bool
    after: dict

    @property
    def merged(self):
        """The file the merge makes useless."""
        return self.upper if self.how == COMMIT else self.lower

    @property
    def new_active(self):
        """The active file afterwards, when the merge changes it."""
        return self.lower if self.how == COMMIT and self.above is None \
            else None

    def delete_info(self, volume_id):
        """The compute service's delete_info (Nova's shapes: a pull into
        the active file, down to ``file_to_merge`` or all of the chain
        when None; a commit of ``file_to_merge`` into
        ``merge_target_file``, active when it is the active file)."""
        if self.how == PULL:
            info = {'file_to_merge': self.lower_backing,
                    'merge_target_file': None}
        else:
            info = {'file_to_merge': self.upper,
                    'merge_target_file': self.lower}
        return dict(info, type='qcow2', volume_id=volume_id)

    def log(self):
        LOG.info('Snapshot %s: %s %s %s %s (%d bytes allocated to move)%s',
                 self.snapshot_id, self.how,
                 *((self.upper, 'into', self.lower) if self.how == COMMIT
                   else (self.lower, 'into', self.upper)),
                 self.moved, '; already done' if self.done else '')


def allocated(path):
    """The bytes the file holds on its share (its allocated blocks): what
    merging it into another file reads and writes, near enough."""
    return os.stat(path).st_blocks * 512


def plan(chain, snapshot_id, running=False, domain_chain=None):
    """The Merge that deletes ``snapshot_id`` from ``chain``. ``running``:
    a guest runs the chain (libvirt does the merge); ``domain_chain``: the
    files its domain opens (or, shut off, would open), active first, when
    known: a commit of the active file shows done only there, the info
    store still naming the old active file."""
    data, layers = chain.walk()
    if snapshot_id not in data or snapshot_id == info_store.ACTIVE:
        raise exception.ChainMismatch(
            volume_id=chain.volume_id,
            reason='snapshot %s has no file' % snapshot_id)
    upper = data[snapshot_id]
    names = [layer.name for layer in layers]
    lost = _lost(chain, data, names)
    if upper not in names:
        # Committed, and the file above re-pointed past it.
        if lost != [upper]:
            raise _not_in_chain(chain, lost or [upper])
        below = _below(chain, upper)
        return _merge(chain, data, snapshot_id, COMMIT, upper, below,
                      names, done=True)
    index = names.index(upper)
    if lost:
        # Pulled: ``upper`` now stands on what was below the lost file.
        (lower,) = lost if len(lost) == 1 else (None,)
        if lower is None or _below(chain, lower) != layers[index].backing:
            raise _not_in_chain(chain, lost)
        return _merge(chain, data, snapshot_id, PULL, upper, lower, names,
                      done=True)
    if layers[index].backing is None:
        raise exception.ChainMismatch(
            volume_id=chain.volume_id,
            reason='%s of snapshot %s has no backing file'
                   % (upper, snapshot_id))
    lower = layers[index + 1].name
    if index == 0 and domain_chain and domain_chain[0] == lower:
        # A commit moved the domain to the file below (an active commit's
        # pivot, or an offline one told to the definition).
        return _merge(chain, data, snapshot_id, COMMIT, upper, lower,
                      names, done=True)
    moves = {COMMIT: allocated(chain.path(upper)),
             PULL: allocated(chain.path(lower))}
    if not running:
        # qemu-img rebase (QEMU 7.2) reads every cluster the overlay does
        # not hold from the old backing chain, holes included, at about
        # the speed cp copies data (tools/bench-merges); QEMU's own pull
        # (block-stream) skips holes.
        moves[PULL] += max(0, layers[index].size - moves[COMMIT])
    # Nova's way: a running guest's newest snapshot is pulled, any other
    # committed. The other way is taken when it can be done and moves
    # clearly fewer bytes: a near tie is not worth an active commit's
    # pivot.
    usual = PULL if running and index == 0 else COMMIT
    other = COMMIT if usual == PULL else PULL
    possible = (CONF.volume.live_active_commit if other == COMMIT
                else not running)
    how = (other if possible and moves[other] + NEAR_TIE < moves[usual]
           else usual)
    return _merge(chain, data, snapshot_id, how, upper, lower, names,
                  moved=moves[how])


def _merge(chain, data, snapshot_id, how, upper, lower, names, done=False,
           moved=0):
    after = dict(data)
    del after[snapshot_id]
    if how == COMMIT:
        if data[info_store.ACTIVE] == upper:
            after[info_store.ACTIVE] = lower
    else:
        for other, name in data.items():
            if name == lower and other != info_store.ACTIVE:
                after[other] = upper
    above = (names[names.index(upper) - 1]
             if upper in names and names.index(upper) > 0 else None)
    if how == COMMIT and upper not in names:
        above = next((n for n in names if _below(chain, n) == lower), None)
    return Merge(snapshot_id, how, upper, lower, above,
                 _below(chain, lower), moved, done, after)


def _lost(chain, data, names):
    """Files the info store (or the base) has that the chain lost: what a
    merge removed from the chain before the info store followed (the
    file itself goes only after the info store changed). A file the
    chain lost that is gone too is a mismatch."""
    lost = sorted(f for f in set(data.values()) | {chain.base_name}
                  if f not in names and (f in data.values() or
                                         os.path.exists(chain.path(f))))
    gone = [f for f in lost if not os.path.exists(chain.path(f))]
    if gone:
        raise exception.ChainMismatch(
            volume_id=chain.volume_id,
            reason='%s is missing' % ', '.join(gone))
    return lost


def _below(chain, name):
    """The backing file ``name``'s header names (None: none)."""
    return chain.layer(name).backing


def _not_in_chain(chain, files):
    return exception.ChainMismatch(
        volume_id=chain.volume_id,
        reason='%s not in the chain' % ', '.join(files))


def merge_offline(chain, snapshot_id, new_active=None, on_progress=None,
                  domain_chain=None):
    """Deletes ``snapshot_id`` with qemu-img, no QEMU holding the chain
    (a detached volume, or a shut-off instance's: no domain can start on
    files qemu-img holds locked). ``new_active(name)``: told before the
    info store changes when the merge makes ``name`` the active file (the
    shut-off domain's definition must follow); ``on_progress(percent)``:
    told how far the copy is; ``domain_chain``: as for ``plan``. Returns
    the removed file."""
    merge = plan(chain, snapshot_id, domain_chain=domain_chain)
    merge.log()
    if not merge.done:
        if merge.how == COMMIT:
            qemu_img.commit(chain.path(merge.upper),
                            chain.formats[merge.upper],
                            rate_limit=_rate_limit(),
                            on_progress=on_progress)
            if merge.above is not None:
                qemu_img.rebase_unsafe(
                    chain.path(merge.above), chain.formats[merge.above],
                    merge.lower, chain.formats[merge.lower])
        else:
            qemu_img.rebase(
                chain.path(merge.upper), chain.formats[merge.upper],
                merge.lower_backing,
                chain.formats.get(merge.lower_backing),
                on_progress=on_progress)
    if merge.new_active is not None and new_active is not None:
        new_active(merge.new_active)
    finish(chain, merge.merged, merge.after)
    return merge.merged


def merge_detached(chain, snapshot_id, on_progress=None):
    """merge_offline for a volume no instance uses; a snapshot that never
    got a file (or whose merge a crash left recorded) leaves only a stray
    overlay to remove. Returns the removed file (None: none)."""
    data = chain.read_info()
    if data.get(snapshot_id) is None or snapshot_id == info_store.ACTIVE:
        stray = chain.snapshot_file(snapshot_id)
        if stray not in data.values():
            chain_mod.unlink(chain.path(stray))
        return None
    return merge_offline(chain, snapshot_id, on_progress=on_progress)


def finish(chain, merged, info_after):
    """After a merge: the info store as ``plan`` said, and the merged
    file gone."""
    chain.info.write(info_after)
    chain_mod.unlink(chain.path(merged))
    chain.formats.pop(merged, None)


def _rate_limit():
    """qemu-img's rate limit for offline merges, in bytes per second
    (None: none)."""
    mib = CONF.volume.offline_merge_bandwidth
    return mib * 1024 * 1024 if mib else None
