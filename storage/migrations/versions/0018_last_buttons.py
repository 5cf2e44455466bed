"""The postback buttons of the bot's last reply per 1:1 chat (last_buttons), for labels typed instead of pressed.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 04:30:00
"""
import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

UTC = storage.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'last_buttons',
        sa.Column('chat_id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('buttons', sa.JSON(), nullable=False),
        sa.Column('expires_at', UTC, nullable=False),
        sa.PrimaryKeyConstraint('chat_id', 'user_id', name=op.f('pk_last_buttons')),
    )


def downgrade() -> None:
    op.drop_table('last_buttons')
