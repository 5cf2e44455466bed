"""Cached LINE facts: the channel's quota and usage (line_facts), and when a group chat's name and head
count were last read (chat_groups.facts_at), so handlers read them from the database, never from LINE.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('line_facts',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('fetched_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_line_facts'))
    )
    with op.batch_alter_table('chat_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts_at', storage.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('chat_groups', schema=None) as batch_op:
        batch_op.drop_column('facts_at')
    op.drop_table('line_facts')
