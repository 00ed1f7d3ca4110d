"""Generic groups and group snapshots (Cinder microversions 3.13, 3.14).

``groups`` and ``group_snapshots``, a volume's ``group_id`` and a
snapshot's ``group_snapshot_id``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _timestamps():
    return [
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('deleted_at', sa.DateTime),
        sa.Column('deleted', sa.Boolean, nullable=False, index=True),
    ]


def _add_reference(table, column, target):
    """A nullable, indexed String(36) ``column`` of ``table``, a foreign
    key to ``target``.id.

    On SQLite the column is added in place with its REFERENCES clause
    (which SQLite allows for a column whose default is NULL): a batch
    (copy-and-move) would drop ``table``, which rows of other tables
    refer to, and the services' connections enforce foreign keys, so that
    drop fails once the table has rows.
    """
    name = 'fk_%s_%s' % (table, column)
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        quote = bind.dialect.identifier_preparer.quote
        op.execute('ALTER TABLE %s ADD COLUMN %s VARCHAR(36) CONSTRAINT %s '
                   'REFERENCES %s (id)' % (quote(table), quote(column),
                                           quote(name), quote(target)))
    else:
        op.add_column(table, sa.Column(column, sa.String(36)))
        op.create_foreign_key(name, table, target, [column], ['id'])
    op.create_index('ix_%s_%s' % (table, column), table, [column])


def upgrade():
    op.create_table(
        'groups',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False, index=True),
        sa.Column('user_id', sa.String(255)),
        sa.Column('host', sa.String(255)),
        sa.Column('name', sa.String(255)),
        sa.Column('description', sa.Text),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('group_type_id', sa.String(36)),
        sa.Column('volume_types', sa.Text, nullable=False),
        sa.Column('availability_zone', sa.String(255), nullable=False),
        sa.Column('group_snapshot_id', sa.String(36)),
        sa.Column('source_group_id', sa.String(36)),
        sa.Column('owner', sa.String(255)),
        *_timestamps())
    op.create_table(
        'group_snapshots',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('group_id', sa.String(36), sa.ForeignKey('groups.id'),
                  index=True),
        sa.Column('project_id', sa.String(255), nullable=False, index=True),
        sa.Column('user_id', sa.String(255)),
        sa.Column('name', sa.String(255)),
        sa.Column('description', sa.Text),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('group_type_id', sa.String(36)),
        sa.Column('owner', sa.String(255)),
        sa.Column('instance_id', sa.String(36)),
        *_timestamps())
    _add_reference('volumes', 'group_id', 'groups')
    _add_reference('snapshots', 'group_snapshot_id', 'group_snapshots')
