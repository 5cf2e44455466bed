"""Content rows are retired, not deleted: `content_items.retired_at` (UTC), set when an item leaves the
curated YAML and cleared when it comes back.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:50:00
"""
import sqlalchemy as sa
from alembic import op

import storage.models


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('content_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', storage.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('content_items', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
