"""Unanswered questions keep what the bot showed instead: the outcome (nothing, suggestions, a
low-confidence card), the item keys shown and the best search score.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('unanswered_queries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.String(length=12), server_default='nothing', nullable=False))
        batch_op.add_column(sa.Column('shown', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('score', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('unanswered_queries', schema=None) as batch_op:
        batch_op.drop_column('score')
        batch_op.drop_column('shown')
        batch_op.drop_column('outcome')
