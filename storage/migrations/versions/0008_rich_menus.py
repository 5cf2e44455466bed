"""The rich menu deployed per role (flask richmenu deploy).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:50:00
"""
import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rich_menus',
        sa.Column('role', sa.String(length=10), nullable=False),
        sa.Column('rich_menu_id', sa.String(length=64), nullable=False),
        sa.Column('alias', sa.String(length=32), nullable=False),
        sa.Column('deployed_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('role', name=op.f('pk_rich_menus')),
    )


def downgrade() -> None:
    op.drop_table('rich_menus')
