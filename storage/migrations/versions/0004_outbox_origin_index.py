"""Index the outbox by origin: a broadcast's delivery totals and the admins' pending dead-letter notice
are looked up by it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:05:00
"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_origin', ['origin'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_origin')
