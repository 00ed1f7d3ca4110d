"""Quotas (per-project limits, the row quota checks hold, the size an
extend in flight grows a volume to) and volume transfers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'quotas',
        sa.Column('project_id', sa.String(255), primary_key=True),
        sa.Column('resource', sa.String(255), primary_key=True),
        sa.Column('hard_limit', sa.Integer, nullable=False))
    op.create_table(
        'quota_projects',
        sa.Column('project_id', sa.String(255), primary_key=True),
        sa.Column('checks', sa.Integer, nullable=False))
    op.add_column('volumes', sa.Column('extend_to', sa.Integer))
    op.create_table(
        'transfers',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('volume_id', sa.String(36), sa.ForeignKey('volumes.id'),
                  index=True),
        sa.Column('name', sa.String(255)),
        sa.Column('salt', sa.String(255), nullable=False),
        sa.Column('crypt_hash', sa.String(255), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False, index=True),
        sa.Column('destination_project_id', sa.String(255)),
        sa.Column('accepted', sa.Boolean, nullable=False),
        sa.Column('no_snapshots', sa.Boolean, nullable=False),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('deleted_at', sa.DateTime),
        sa.Column('deleted', sa.Boolean, nullable=False, index=True))
