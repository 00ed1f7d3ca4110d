"""Merging a snapshot's overlay away, on a VolumeChain: the plan (what a
running guest's compute service is asked to do, seed 000) and the merges
done here with qemu-img. Every step can be run again after a crash: a
commit leaves its overlay intact, and the info store changes only once
the chain is consistent. Callers hold the volume's chain lock.
"""

import os

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_volume import chain as chain_mod
from snapvol_volume import info as info_store
from snapvol_volume import qemu_img

LOG = logging.getLogger(__name__)


def plan(chain, snapshot_id):
    """How to merge the overlay of ``snapshot_id`` while a guest runs
    the chain: (delete_info for the compute service, the file the
    merge makes useless, the info store afterwards). delete_info is
    None when the chain already shows the merge done (a report lost, or
    a crash before the info store changed).

    The newest snapshot's overlay is the active file: the file below it
    is pulled into it (and the active file takes that file's place for
    the snapshot that had it). Any other overlay is committed into the
    file below it, and the file above is re-pointed.
    """
    data, layers = chain.walk()
    if snapshot_id not in data or snapshot_id == info_store.ACTIVE:
        raise exception.ChainMismatch(
            volume_id=chain.volume_id,
            reason='snapshot %s has no file' % snapshot_id)
    name = data[snapshot_id]
    names = [layer.name for layer in layers]
    # Files the info store (or the base) has that the chain lost: what
    # a merge removed from the chain before the info store followed
    # (the file is removed only after the info store changed).
    lost = sorted(f for f in set(data.values()) | {chain.base_name}
                  if f not in names and (f in data.values() or
                                         os.path.exists(chain.path(f))))
    gone = [f for f in lost if not os.path.exists(chain.path(f))]
    if gone:
        raise exception.ChainMismatch(
            volume_id=chain.volume_id,
            reason='%s is missing' % ', '.join(gone))
    after = dict(data)
    del after[snapshot_id]
    if lost == [name]:
        return None, name, after            # committed
    if len(lost) > 1 or (lost and name != names[0]):
        raise exception.ChainMismatch(
            volume_id=chain.volume_id,
            reason='%s not in the chain' % ', '.join(lost))
    index = names.index(name)
    if lost:
        below, delete_info = lost[0], None  # pulled
    elif layers[index].backing is None:
        raise exception.ChainMismatch(
            volume_id=chain.volume_id,
            reason='%s of snapshot %s has no backing file'
                   % (name, snapshot_id))
    elif index == 0:
        below = layers[1].name
        delete_info = {'file_to_merge': layers[1].backing,
                       'merge_target_file': None}
    else:
        return ({'file_to_merge': name,
                 'merge_target_file': layers[index + 1].name},
                name, after)
    for other, file_name in data.items():
        if file_name == below and other != info_store.ACTIVE:
            after[other] = name
    return delete_info, below, after


def merge_offline(chain, snapshot_id):
    """plan carried out with qemu-img, for a volume attached to a
    shut-off instance: its definition names the active file, which
    stays. Returns the removed file; can be run again after a crash."""
    delete_info, merged, after = plan(chain, snapshot_id)
    if delete_info is not None:
        layers = chain.walk()[1]
        names = [layer.name for layer in layers]
        target = delete_info['merge_target_file']
        if target is None:
            base = delete_info['file_to_merge']
            qemu_img.rebase(chain.path(layers[0].name), layers[0].fmt,
                            base, chain.formats.get(base))
        else:
            index = names.index(merged)
            qemu_img.commit(chain.path(merged), layers[index].fmt)
            above = layers[index - 1]
            qemu_img.rebase_unsafe(chain.path(above.name), above.fmt,
                                   target, chain.formats[target])
    finish(chain, merged, after)
    return merged


def finish(chain, merged, info_after):
    """After a merge: the info store as ``plan`` said, and the merged
    file gone."""
    chain.info.write(info_after)
    chain_mod.unlink(chain.path(merged))
    chain.formats.pop(merged, None)


def merge_detached(chain, snapshot_id):
    """Merges the overlay of ``snapshot_id`` into the file below it.

    Returns the removed file name (None when there was none). Each step
    can be run again after a crash: commit leaves the overlay intact,
    and the info store changes only once the chain is consistent.
    """
    data = chain.read_info()
    name = data.get(snapshot_id)
    if name is None or snapshot_id == info_store.ACTIVE:
        # Never got a file, or a crash after the info store was updated.
        stray = chain.snapshot_file(snapshot_id)
        if stray not in data.values():
            chain_mod.unlink(chain.path(stray))
        return None
    data, layers = chain.walk()
    names = [layer.name for layer in layers]
    if name in names:
        index = names.index(name)
        layer = layers[index]
        if layer.backing is None:
            raise exception.ChainMismatch(
                volume_id=chain.volume_id,
                reason='%s of snapshot %s has no backing file'
                       % (name, snapshot_id))
        below = layers[index + 1]
        qemu_img.commit(chain.path(name), layer.fmt)
        if index == 0:
            data[info_store.ACTIVE] = below.name
        else:
            above = layers[index - 1]
            qemu_img.rebase_unsafe(chain.path(above.name), above.fmt,
                                   below.name, below.fmt)
    else:
        # A crash after the file above was re-pointed: already merged.
        LOG.info('%s of snapshot %s is already out of the chain',
                 name, snapshot_id)
    del data[snapshot_id]
    finish(chain, name, data)
    return name
