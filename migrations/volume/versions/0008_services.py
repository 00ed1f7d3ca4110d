"""Services: one row per process (volume manager, volume API) with its
heartbeat, as Cinder's ``services`` table (``os-services``).

``run_id`` names the process run now serving ``host`` + ``binary``: work
recorded as owned by "host/run" is orphaned when that run is no longer
the live one.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'services',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('binary', sa.String(255), nullable=False),
        sa.Column('topic', sa.String(255)),
        sa.Column('cluster_name', sa.String(255), index=True),
        sa.Column('availability_zone', sa.String(255)),
        sa.Column('run_id', sa.String(36)),
        sa.Column('report_count', sa.Integer, nullable=False),
        sa.Column('disabled', sa.Boolean, nullable=False),
        sa.Column('disabled_reason', sa.String(255)),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('deleted_at', sa.DateTime),
        sa.Column('deleted', sa.Boolean, nullable=False),
        sa.UniqueConstraint('host', 'binary', 'deleted',
                            name='uniq_services0host0binary0deleted'))
