"""Exports of a volume's or a snapshot's data as a standalone raw or
qcow2 image: Cinder's os-volume_upload_image, with a file under
``[export] path`` in place of an image service, and the same for a
snapshot's point in time (snapvol's snapshot action
``snapvol-upload_image``).

An export reads as a backup does (``reads``): the volume is uploading,
or the snapshot backing-up, until the image is written. The image is
``<path>/<project id>/<image_name>`` (the volume's project), 0600 in a
0700 directory; it is written as a partial file first and then linked to
its name, which never replaces an image already there. A crash leaves
only the partial file, which the backup recovery removes
(``forget``).
"""

import glob
import os
import uuid

from oslo_log import log as logging

from snapvol_api import exception
from snapvol_api import names
from snapvol_api import states
from snapvol_api.conf import CONF
from snapvol_volume import guest_data
from snapvol_volume import messages
from snapvol_volume import scope

LOG = logging.getLogger(__name__)

DISK_FORMATS = ('raw', 'qcow2')
CONTAINER_FORMATS = ('bare',)
DIR_MODE = 0o700
FILE_MODE = 0o600


def _check(image_name, disk_format, container_format):
    names.check_file_name(image_name, 'image_name')
    if image_name is None:
        raise exception.InvalidInput(reason='image_name is required')
    if disk_format not in DISK_FORMATS:
        raise exception.InvalidInput(
            reason='disk_format must be one of %s, not %r'
                   % (', '.join(DISK_FORMATS), disk_format))
    if container_format not in CONTAINER_FORMATS:
        raise exception.InvalidInput(
            reason='container_format must be bare (an image file), not %r'
                   % (container_format,))


class Exports:

    def __init__(self, db, shares, locks, workers, messages, owner):
        self._db = db
        self._shares = shares
        self._locks = locks
        self._workers = workers
        self._messages = messages
        self.owner = owner

    # Requests ---------------------------------------------------------------

    def upload_volume(self, ctxt, volume_id, image_name, disk_format,
                      container_format='bare', force=False):
        """os-volume_upload_image: the detached volume's current data.
        Returns Cinder's answer (without the image service's fields it
        has none of)."""
        _check(image_name, disk_format, container_format)
        volume = scope.volume(self._db, ctxt, volume_id)
        if volume.status == states.IN_USE:
            raise exception.InvalidVolume(
                reason='volume %s is attached%s, and snapvol exports only '
                       'data no guest is writing: take a snapshot of it '
                       'and export the snapshot (snapvol-upload_image)'
                       % (volume.id, '' if force else ' (and force is not '
                                                      'set)'))
        if volume.status != states.AVAILABLE:
            raise exception.InvalidVolume(
                reason='Volume %s status must be available to upload it to '
                       'an image, but the current status is "%s".'
                       % (volume.id, volume.status))
        final = self._final(volume.project_id, image_name)
        with self._locks.state(volume.id):
            self._db.read_begin(volume.id, None, self.owner,
                                states.UPLOADING)
        self._spawn(volume, None, final, disk_format)
        volume = self._db.volume_get(volume.id)
        return self._answer(volume, volume, image_name, disk_format,
                            container_format)

    def upload_snapshot(self, ctxt, snapshot_id, image_name, disk_format,
                        container_format='bare'):
        """The snapshot's point in time, as os-volume_upload_image writes
        a volume's data (the volume may be attached)."""
        _check(image_name, disk_format, container_format)
        snapshot = scope.snapshot(self._db, ctxt, snapshot_id)
        if snapshot.status != states.AVAILABLE:
            raise exception.InvalidSnapshot(
                reason='Snapshot %s status must be available to upload it '
                       'to an image, but the current status is "%s".'
                       % (snapshot.id, snapshot.status))
        final = self._final(snapshot.project_id, image_name)
        with self._locks.state(snapshot.volume_id):
            self._db.read_begin(snapshot.volume_id, snapshot.id, self.owner)
        volume = self._db.volume_get(snapshot.volume_id)
        self._spawn(volume, snapshot.id, final, disk_format)
        snapshot = self._db.snapshot_get(snapshot.id)
        return self._answer(volume, snapshot, image_name, disk_format,
                            container_format, size=snapshot.volume_size)

    def _final(self, project_id, image_name):
        """The image's path, if no image of that name is there."""
        final = os.path.join(self._project_dir(project_id), image_name)
        if os.path.lexists(final):
            raise exception.ExportExists(name=image_name)
        return final

    def _project_dir(self, project_id):
        # A project id names a directory: it must be a bare name too.
        names.check_file_name(project_id, 'project id')
        return os.path.join(CONF.export.path, project_id)

    def _spawn(self, volume, snapshot_id, final, disk_format):
        LOG.info('Exporting %s of volume %s as %s (%s)',
                 'snapshot %s' % snapshot_id if snapshot_id
                 else 'the data', volume.id, final, disk_format)
        self._workers.spawn(self.write, volume.id, snapshot_id, final,
                            disk_format, self.owner)

    @staticmethod
    def _answer(volume, resource, image_name, disk_format,
                container_format, size=None):
        vtype = volume.volume_type
        return {'id': resource.id, 'volume_id': volume.id,
                'status': resource.status,
                'volume_type': None if vtype is None else {
                    'id': vtype.id, 'name': vtype.name,
                    'description': vtype.description,
                    'is_public': vtype.is_public},
                'updated_at': resource.updated_at.isoformat()
                if resource.updated_at else None,
                'display_description': resource.description,
                'size': size if size is not None else resource.size,
                'image_id': str(uuid.uuid4()), 'image_name': image_name,
                'disk_format': disk_format,
                'container_format': container_format}

    # Work, in a worker ------------------------------------------------------

    def write(self, volume_id, snapshot_id, final, disk_format, owner):
        """Writes the image, then ends the read; a failure leaves no file
        and a user message."""
        partial = os.path.join(os.path.dirname(final),
                               '.partial-%s' % (snapshot_id or volume_id))
        try:
            volume = self._db.volume_get(volume_id)
            with self._locks.chain(volume_id):
                chain = self._shares.chain(volume)
                top = guest_data.layers_at(chain, snapshot_id)[0]
                source = chain.path(top.name)
            os.makedirs(CONF.export.path, mode=DIR_MODE, exist_ok=True)
            os.makedirs(os.path.dirname(final), mode=DIR_MODE,
                        exist_ok=True)
            guest_data.unlink(partial)
            guest_data.convert(source, top.fmt, partial, disk_format)
            os.chmod(partial, FILE_MODE)
            _fsync(partial)
            try:
                os.link(partial, final)
            except FileExistsError:
                raise exception.ExportExists(name=os.path.basename(final))
            _fsync(os.path.dirname(final))
            LOG.info('Exported %s of volume %s as %s',
                     'snapshot %s' % snapshot_id if snapshot_id
                     else 'the data', volume_id, final)
        except Exception as e:
            LOG.exception('Export of %s failed',
                          snapshot_id or volume_id)
            self._messages.failed(
                messages.SNAPSHOT if snapshot_id else messages.VOLUME,
                snapshot_id or volume_id, messages.EXPORT_IMAGE, e)
        finally:
            guest_data.unlink(partial)
            self._db.read_end(volume_id, snapshot_id, owner)

    def forget(self, volume_id, snapshot_id):
        """Removes the partial file of an export of the volume (or of its
        snapshot) that a crash interrupted."""
        for path in glob.glob(os.path.join(
                glob.escape(CONF.export.path), '*',
                '.partial-%s' % (snapshot_id or volume_id))):
            guest_data.unlink(path)


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
