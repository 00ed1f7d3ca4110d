"""Volumes, snapshots, their metadata and the recorded file formats.

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


def _timestamps():
    return [
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('deleted_at', sa.DateTime),
        sa.Column('deleted', sa.Boolean, nullable=False, index=True),
    ]


def upgrade():
    op.create_table(
        'volumes',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), index=True),
        sa.Column('user_id', sa.String(255)),
        sa.Column('host', sa.String(255)),
        sa.Column('share', sa.String(1024)),
        sa.Column('name', sa.String(255)),
        sa.Column('description', sa.Text),
        sa.Column('size', sa.Integer, nullable=False),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('availability_zone', sa.String(255)),
        sa.Column('source_snapshot_id', sa.String(36)),
        sa.Column('active_file', sa.String(255)),
        *_timestamps())
    op.create_table(
        'snapshots',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('volume_id', sa.String(36), sa.ForeignKey('volumes.id'),
                  index=True),
        sa.Column('project_id', sa.String(255), index=True),
        sa.Column('user_id', sa.String(255)),
        sa.Column('name', sa.String(255)),
        sa.Column('description', sa.Text),
        sa.Column('volume_size', sa.Integer, nullable=False),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('progress', sa.String(32)),
        *_timestamps())
    op.create_table(
        'volume_metadata',
        sa.Column('volume_id', sa.String(36), sa.ForeignKey('volumes.id'),
                  primary_key=True),
        sa.Column('key', sa.String(255), primary_key=True),
        sa.Column('value', sa.String(255)))
    op.create_table(
        'snapshot_metadata',
        sa.Column('snapshot_id', sa.String(36),
                  sa.ForeignKey('snapshots.id'), primary_key=True),
        sa.Column('key', sa.String(255), primary_key=True),
        sa.Column('value', sa.String(255)))
    op.create_table(
        'volume_files',
        sa.Column('volume_id', sa.String(36), sa.ForeignKey('volumes.id'),
                  primary_key=True),
        sa.Column('name', sa.String(255), primary_key=True),
        sa.Column('format', sa.String(16), nullable=False),
        sa.Column('created_at', sa.DateTime, nullable=False))
