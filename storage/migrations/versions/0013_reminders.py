"""Deadline reminders: the office's reminder policy per round kind, members' opt-in to personal
reminders, and the outbox's dedupe key (a reminder step is queued once per chat).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 00:00:00
"""
import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reminder_policies',
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('days_before', sa.JSON(), nullable=False),
        sa.Column('every_after', sa.Integer(), nullable=False),
        sa.Column('send_at', sa.String(length=5), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.Column('updated_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('kind', name=op.f('pk_reminder_policies')),
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('remind_me', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_dedupe_key'), ['dedupe_key'])


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_outbox_dedupe_key'), type_='unique')
        batch_op.drop_column('dedupe_key')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('remind_me')
    op.drop_table('reminder_policies')
