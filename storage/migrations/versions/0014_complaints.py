"""Complaints, suggestions, opinions and compliments: cases, the complainant's contact kept apart, each
step of a case, and the case-number counters.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 00:00:00
"""
import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

UTC = storage.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'complaints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('topic', sa.String(length=30), nullable=False),
        sa.Column('school_code', sa.String(length=20), nullable=True),
        sa.Column('details', sa.Text(), nullable=False),
        sa.Column('files', sa.JSON(), nullable=False),
        sa.Column('anonymous', sa.Boolean(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('assignee_id', sa.String(length=64), nullable=True),
        sa.Column('forwarded_to', sa.String(length=20), nullable=True),
        sa.Column('close_reason', sa.Text(), nullable=False),
        sa.Column('filed_at', UTC, nullable=False),
        sa.Column('acknowledged_at', UTC, nullable=True),
        sa.Column('closed_at', UTC, nullable=True),
        sa.Column('ack_due', sa.Date(), nullable=True),
        sa.Column('resolve_due', sa.Date(), nullable=True),
        sa.Column('notices', sa.JSON(), nullable=False),
        sa.Column('rating', sa.Integer(), nullable=True),
        sa.Column('rating_comment', sa.Text(), nullable=False),
        sa.Column('reopened', sa.Integer(), nullable=False),
        sa.Column('purged_at', UTC, nullable=True),
        sa.Column('updated_at', UTC, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
        sa.UniqueConstraint('number', name=op.f('uq_complaints_number')),
    )
    op.create_index(op.f('ix_complaints_kind'), 'complaints', ['kind'], unique=False)
    op.create_index(op.f('ix_complaints_state'), 'complaints', ['state'], unique=False)
    op.create_index(op.f('ix_complaints_filed_at'), 'complaints', ['filed_at'], unique=False)
    op.create_table(
        'complaint_contacts',
        sa.Column('complaint_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'],
                                name=op.f('fk_complaint_contacts_complaint_id_complaints'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('complaint_id', name=op.f('pk_complaint_contacts')),
    )
    op.create_index(op.f('ix_complaint_contacts_user_id'), 'complaint_contacts', ['user_id'], unique=False)
    op.create_table(
        'complaint_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('complaint_id', sa.Integer(), nullable=False),
        sa.Column('by', sa.String(length=64), nullable=False),
        sa.Column('at', UTC, nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('from_state', sa.String(length=12), nullable=False),
        sa.Column('to_state', sa.String(length=12), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('files', sa.JSON(), nullable=False),
        sa.Column('public', sa.Boolean(), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'],
                                name=op.f('fk_complaint_events_complaint_id_complaints'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_events')),
    )
    op.create_index('ix_complaint_events_complaint_at', 'complaint_events', ['complaint_id', 'at'], unique=False)
    op.create_table(
        'complaint_counters',
        sa.Column('prefix', sa.String(length=4), nullable=False),
        sa.Column('year_be', sa.Integer(), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('prefix', 'year_be', name=op.f('pk_complaint_counters')),
    )


def downgrade() -> None:
    op.drop_table('complaint_counters')
    op.drop_index('ix_complaint_events_complaint_at', table_name='complaint_events')
    op.drop_table('complaint_events')
    op.drop_index(op.f('ix_complaint_contacts_user_id'), table_name='complaint_contacts')
    op.drop_table('complaint_contacts')
    op.drop_index(op.f('ix_complaints_filed_at'), table_name='complaints')
    op.drop_index(op.f('ix_complaints_state'), table_name='complaints')
    op.drop_index(op.f('ix_complaints_kind'), table_name='complaints')
    op.drop_table('complaints')
