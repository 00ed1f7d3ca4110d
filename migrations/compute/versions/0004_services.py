"""Services: one row per process of the compute service (compute
managers, the compute API) with its heartbeat, for os-services and for
telling which compute hosts are up.

Named compute_services: both services' schemas may share one database,
and the volume schema has its own ``services``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-09
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'compute_services',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('binary', sa.String(255), nullable=False),
        sa.Column('topic', sa.String(255)),
        sa.Column('cluster_name', sa.String(255)),
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
                            name='uniq_compute_services0host0binary0deleted'))
