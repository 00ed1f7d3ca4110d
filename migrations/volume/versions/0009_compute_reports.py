"""Compute reports: what the compute service reported on an assisted
snapshot, a group snapshot or the extend of an attached volume, stored by
whichever volume manager received it, for the worker that waits for it
(which may run in another manager).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'compute_reports',
        sa.Column('key', sa.String(255), primary_key=True),
        sa.Column('payload', sa.Text),
        sa.Column('expected_by', sa.String(255)),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('delivered_at', sa.DateTime))
