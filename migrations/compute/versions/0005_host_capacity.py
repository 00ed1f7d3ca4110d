"""Host capacity: each compute manager's heartbeat records what its host
offers new servers (libvirt's vCPUs and MiB of memory, and the host's
allocation ratios and reserved memory), for the scheduler.

Columns of compute_services rather than a table of their own: one compute
manager serves one hypervisor host, and its row already says whether it
is up. Null on the other services' rows, and on a manager's until its
first heartbeat with libvirt answering.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    for column in (sa.Column('vcpus', sa.Integer),
                   sa.Column('memory_mb', sa.Integer),
                   sa.Column('reserved_host_memory_mb', sa.Integer),
                   sa.Column('cpu_allocation_ratio', sa.Float),
                   sa.Column('ram_allocation_ratio', sa.Float)):
        op.add_column('compute_services', column)
