"""Images of volume-backed servers (createImage, seed 002).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'images',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('name', sa.String(255)),
        sa.Column('project_id', sa.String(255), index=True),
        sa.Column('user_id', sa.String(255)),
        sa.Column('instance_id', sa.String(36)),
        sa.Column('group_snapshot_id', sa.String(36)),
        sa.Column('properties', sa.Text),
        sa.Column('block_device_mapping', sa.Text),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('deleted_at', sa.DateTime),
        sa.Column('deleted', sa.Boolean, nullable=False, index=True))
