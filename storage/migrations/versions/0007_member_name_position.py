"""Members' real name (ชื่อ-นามสกุล) and position (ตำแหน่ง), typed when registering.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('position', sa.String(length=200), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('position')
        batch_op.drop_column('full_name')
