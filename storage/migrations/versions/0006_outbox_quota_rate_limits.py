"""The rate_limits table: LINE request counters per endpoint, shared by every delivery process. (The
outbox's new "held" status needs no schema change: `status` is a String(10).)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_limits',
    sa.Column('endpoint', sa.String(length=20), nullable=False),
    sa.Column('window_start', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('endpoint', name=op.f('pk_rate_limits'))
    )


def downgrade() -> None:
    op.drop_table('rate_limits')
