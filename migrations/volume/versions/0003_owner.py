"""The owner of the work in flight on a volume or snapshot.

A worker that moves a row to creating or deleting records itself (the
manager's host and a token of its start); a later start of the manager
resumes only what an earlier one owned, never what it began itself.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('volumes', 'snapshots'):
        op.add_column(table, sa.Column('owner', sa.String(255)))
