"""Backups (Cinder's backups API): one row per backup of a volume's data,
kept outside the shares by a backup driver; it outlives its volume.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-09
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'backups',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), index=True),
        sa.Column('user_id', sa.String(255)),
        sa.Column('volume_id', sa.String(36), index=True),
        sa.Column('snapshot_id', sa.String(36)),
        sa.Column('parent_id', sa.String(36), index=True),
        sa.Column('host', sa.String(255)),
        sa.Column('availability_zone', sa.String(255)),
        sa.Column('name', sa.String(255)),
        sa.Column('description', sa.Text),
        sa.Column('container', sa.String(255)),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('fail_reason', sa.Text),
        sa.Column('service', sa.String(255)),
        sa.Column('service_metadata', sa.String(255)),
        sa.Column('size', sa.Integer, nullable=False),
        sa.Column('object_count', sa.Integer, nullable=False),
        sa.Column('data_timestamp', sa.DateTime),
        sa.Column('restore_volume_id', sa.String(36)),
        sa.Column('owner', sa.String(255)),
        sa.Column('metadata', sa.Text),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('deleted_at', sa.DateTime),
        sa.Column('deleted', sa.Boolean, nullable=False, index=True))
