"""Volume attachments to compute instances.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'volume_attachments',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('volume_id', sa.String(36), sa.ForeignKey('volumes.id'),
                  index=True),
        sa.Column('instance_id', sa.String(36)),
        sa.Column('host', sa.String(255)),
        sa.Column('device', sa.String(64)),
        sa.Column('attached_at', sa.DateTime, nullable=False))
