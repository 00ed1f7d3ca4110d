"""Volume types in the database (Cinder's ``volume_types``, their extra
specs, the projects a private type is shared with, and each project's own
default type, 3.62), and a volume's ``volume_type_id``.

Cinder's default type ``__DEFAULT__`` is made here, with the id snapvol
gave it when it was declared in code, and every volume has it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""
import datetime

from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

DEFAULT_ID = '5f2c1c6e-3b0e-4d7a-9a43-6c1f0d8e2b91'


def _add_reference(table, column, target):
    """As in 0004: a nullable, indexed String(36) foreign key column,
    added in place on SQLite (a batch would drop ``table``, which other
    tables' rows refer to)."""
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
    volume_types = op.create_table(
        'volume_types',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('name', sa.String(255), nullable=False, index=True),
        sa.Column('description', sa.String(255)),
        sa.Column('is_public', sa.Boolean, nullable=False),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('deleted_at', sa.DateTime),
        sa.Column('deleted', sa.Boolean, nullable=False, index=True))
    op.create_table(
        'volume_type_extra_specs',
        sa.Column('volume_type_id', sa.String(36),
                  sa.ForeignKey('volume_types.id'), primary_key=True),
        sa.Column('key', sa.String(255), primary_key=True),
        sa.Column('value', sa.String(255), nullable=False))
    op.create_table(
        'volume_type_projects',
        sa.Column('volume_type_id', sa.String(36),
                  sa.ForeignKey('volume_types.id'), primary_key=True),
        sa.Column('project_id', sa.String(255), primary_key=True))
    op.create_table(
        'default_volume_types',
        sa.Column('project_id', sa.String(255), primary_key=True),
        sa.Column('volume_type_id', sa.String(36),
                  sa.ForeignKey('volume_types.id'), nullable=False,
                  index=True))
    op.bulk_insert(volume_types, [{
        'id': DEFAULT_ID, 'name': '__DEFAULT__',
        'description': 'Default Volume Type', 'is_public': True,
        'created_at': datetime.datetime(2026, 12, 7), 'deleted': False}])
    _add_reference('volumes', 'volume_type_id', 'volume_types')
    op.execute("UPDATE volumes SET volume_type_id = '%s'" % DEFAULT_ID)
