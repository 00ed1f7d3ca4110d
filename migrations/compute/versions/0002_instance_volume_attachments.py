"""The compute service's volume_attachments table becomes
instance_volume_attachments, so that both services' schemas fit in one
database (the volume service has a volume_attachments table of its own).
Only databases made before this revision have the old name (see 0001).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

OLD, NEW = 'volume_attachments', 'instance_volume_attachments'


def upgrade():
    tables = sa.inspect(op.get_bind()).get_table_names()
    if OLD not in tables or NEW in tables:
        return  # made by the current 0001
    op.rename_table(OLD, NEW)
    if op.get_bind().dialect.name == 'postgresql':
        # Indexes (a primary key's too) are named per schema in
        # PostgreSQL: the old names would clash with those of the volume
        # service's volume_attachments. Constraints follow for clarity.
        op.execute('ALTER INDEX ix_%s_volume_id RENAME TO ix_%s_volume_id'
                   % (OLD, NEW))
        for suffix in ('pkey', 'instance_id_fkey'):
            op.execute('ALTER TABLE %s RENAME CONSTRAINT %s_%s TO %s_%s'
                       % (NEW, OLD, suffix, NEW, suffix))
    else:
        op.drop_index('ix_%s_volume_id' % OLD, table_name=NEW)
        op.create_index('ix_%s_volume_id' % NEW, NEW, ['volume_id'])
