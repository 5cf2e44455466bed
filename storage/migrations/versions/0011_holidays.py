"""The office's own holiday days: added by the cabinet later, or worked after all.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:05:00
"""
import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('holidays',
                    sa.Column('day', sa.Date(), nullable=False),
                    sa.Column('name', sa.String(length=200), nullable=False),
                    sa.Column('off', sa.Boolean(), nullable=False),
                    sa.Column('created_by', sa.String(length=64), nullable=False),
                    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('day', name=op.f('pk_holidays')))


def downgrade() -> None:
    op.drop_table('holidays')
