"""A complainant's requests to erase their data (complaint_erasures).

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-03 00:00:00
"""
import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0017'
down_revision = '0014'
branch_labels = None
depends_on = None

UTC = storage.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'complaint_erasures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('case_ids', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('requested_at', UTC, nullable=False),
        sa.Column('due_at', UTC, nullable=False),
        sa.Column('done_at', UTC, nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_erasures')),
    )
    op.create_index(op.f('ix_complaint_erasures_user_id'), 'complaint_erasures', ['user_id'], unique=False)
    op.create_index(op.f('ix_complaint_erasures_status'), 'complaint_erasures', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_complaint_erasures_status'), table_name='complaint_erasures')
    op.drop_index(op.f('ix_complaint_erasures_user_id'), table_name='complaint_erasures')
    op.drop_table('complaint_erasures')
