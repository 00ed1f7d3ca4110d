"""Instances, their metadata and volume attachments, and volume operations
in flight.

The attachment table was first made as ``volume_attachments``, the name
of a volume service table: databases made then are renamed by 0002, and
new ones get ``instance_volume_attachments`` here, so that both services'
schemas can be synced into one database in either order.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'instances',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('name', sa.String(255)),
        sa.Column('project_id', sa.String(255), index=True),
        sa.Column('user_id', sa.String(255)),
        sa.Column('host', sa.String(255), index=True),
        sa.Column('status', sa.String(32)),
        sa.Column('flavor_id', sa.String(255)),
        sa.Column('vcpus', sa.Integer),
        sa.Column('memory_mb', sa.Integer),
        sa.Column('fault', sa.Text),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('deleted_at', sa.DateTime),
        sa.Column('deleted', sa.Boolean, nullable=False, index=True))
    op.create_table(
        'instance_metadata',
        sa.Column('instance_id', sa.String(36),
                  sa.ForeignKey('instances.id'), primary_key=True),
        sa.Column('key', sa.String(255), primary_key=True),
        sa.Column('value', sa.String(255)))
    op.create_table(
        'instance_volume_attachments',
        sa.Column('instance_id', sa.String(36),
                  sa.ForeignKey('instances.id'), primary_key=True),
        sa.Column('volume_id', sa.String(36), primary_key=True, index=True),
        sa.Column('device', sa.String(32)),
        sa.Column('boot_index', sa.Integer),
        sa.Column('connection_info', sa.Text))
    op.create_table(
        'volume_operations',
        sa.Column('snapshot_id', sa.String(36), primary_key=True),
        sa.Column('kind', sa.String(16)),
        sa.Column('instance_id', sa.String(36)),
        sa.Column('volume_id', sa.String(36)),
        sa.Column('host', sa.String(255), index=True),
        sa.Column('info', sa.Text),
        sa.Column('context', sa.Text),
        sa.Column('created_at', sa.DateTime, nullable=False))
