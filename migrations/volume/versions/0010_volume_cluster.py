"""The cluster of the volume managers that do a volume's work (Cinder's
``volumes.cluster_name``): any live member may resume the work a dead
one left. Null for a manager not in a cluster: its host alone does
the work (``host``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('volumes', sa.Column('cluster_name', sa.String(255)))
    op.create_index('ix_volumes_cluster_name', 'volumes', ['cluster_name'])
