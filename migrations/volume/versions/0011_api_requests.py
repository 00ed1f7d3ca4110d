"""The ledger of write requests: which request recorded which change.

A manager records a create's or delete's row here in the transaction that
makes the change, keyed by the request (its caller's
X-OpenStack-Request-ID, else the API's own request id), the operation and
its target. A retried request with the same key finds the first one's
change instead of making another; an API that got no answer marks the
request abandoned, which no manager can record any more: the answer to
the client is then the truth either way.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_requests',
        sa.Column('key', sa.String(64), primary_key=True),
        sa.Column('project_id', sa.String(255)),
        sa.Column('request_id', sa.String(255), nullable=False),
        sa.Column('operation', sa.String(64), nullable=False),
        sa.Column('resource_id', sa.String(36)),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('created_at', sa.DateTime, nullable=False, index=True))
