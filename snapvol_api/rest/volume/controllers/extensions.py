"""/v3/{project_id}/extensions: the Cinder API extensions this service
serves, in Cinder's shape, so that clients that look before they call
(openstackclient, Horizon) find them."""

import pecan

from snapvol_api.rest import controller

UPDATED = '2025-01-01T00:00:00+00:00'

# (alias, name, what of it snapvol serves)
EXTENSIONS = (
    ('os-availability-zone', 'AvailabilityZones',
     'Describe availability zones.'),
    ('os-extended-snapshot-attributes', 'ExtendedSnapshotAttributes',
     'Extended snapshot attributes: progress and project_id.'),
    ('os-vol-host-attr', 'VolumeHostAttribute',
     'Expose the host a volume is on (administrators).'),
    ('os-vol-mig-status-attr', 'VolumeMigStatusAttribute',
     'Expose migration_status and name_id (administrators).'),
    ('os-vol-tenant-attr', 'VolumeTenantAttribute',
     'Expose the project of a volume (administrators).'),
    ('os-admin-actions', 'AdminActions',
     'os-reset_status and os-force_delete for volumes and snapshots.'),
    ('os-volume-actions', 'VolumeActions',
     'os-extend, os-set_bootable and os-volume_upload_image (into an '
     'image file).'),
    ('os-snapshot-actions', 'SnapshotActions',
     'os-update_snapshot_status, as a compute service reports, and '
     'snapvol-upload_image (a snapshot into an image file).'),
    ('backups', 'Backups',
     'Backups of volumes and snapshots (posix, Cinder\'s chunked '
     'format), their restores, and os-reset_status and os-force_delete '
     'for them.'),
    ('os-quota-sets', 'Quotas', 'Per-project quotas, with usage.'),
    ('os-used-limits', 'UsedLimits',
     'Absolute limits and usage in GET /limits.'),
    ('os-volume-transfer', 'VolumeTransfer',
     'Transfer a volume, with its snapshots, to another project.'),
    ('os-types-manage', 'TypesManage',
     'Create, change and delete volume types (administrators).'),
    ('os-types-extra-specs', 'TypesExtraSpecs',
     'Extra specs of volume types, which choose their shares.'),
    ('os-volume-type-access', 'VolumeTypeAccess',
     'Private volume types shared with chosen projects.'),
    ('os-services', 'Services',
     'The volume processes and their heartbeats (administrators).'),
)


def _view(alias, name, description):
    return {'alias': alias, 'name': name, 'description': description,
            'links': [], 'updated': UPDATED}


class ExtensionsController(controller.Controller):

    @pecan.expose('json')
    def get_all(self):
        return {'extensions': [_view(*e) for e in EXTENSIONS]}
