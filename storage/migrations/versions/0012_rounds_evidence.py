"""Reporting rounds, evidence status per (round, item) with a version for compare-and-set, and its history.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 00:00:00
"""
import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rounds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('due_at', storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('scope', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('carried_from', sa.Integer(), nullable=True),
        sa.Column('auto_key', sa.String(length=20), nullable=True),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('auto_key', name=op.f('uq_rounds_auto_key')),
        sa.ForeignKeyConstraint(['carried_from'], ['rounds.id'], name=op.f('fk_rounds_carried_from_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rounds')),
    )
    op.create_index(op.f('ix_rounds_fiscal_year'), 'rounds', ['fiscal_year'], unique=False)
    op.create_index(op.f('ix_rounds_state'), 'rounds', ['state'], unique=False)
    op.create_table(
        'evidence_states',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('item_key', sa.String(length=60), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('links', sa.JSON(), nullable=False),
        sa.Column('files', sa.JSON(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.Column('updated_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_evidence_states_round_id_rounds'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', 'item_key', name=op.f('pk_evidence_states')),
    )
    op.create_table(
        'evidence_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('item_key', sa.String(length=60), nullable=False),
        sa.Column('by', sa.String(length=64), nullable=False),
        sa.Column('at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('from_status', sa.String(length=20), nullable=False),
        sa.Column('to_status', sa.String(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('links', sa.JSON(), nullable=False),
        sa.Column('files', sa.JSON(), nullable=False),
        sa.Column('via', sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_evidence_events_round_id_rounds'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_events')),
    )
    op.create_index('ix_evidence_events_round_item', 'evidence_events', ['round_id', 'item_key', 'at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_evidence_events_round_item', table_name='evidence_events')
    op.drop_table('evidence_events')
    op.drop_table('evidence_states')
    op.drop_index(op.f('ix_rounds_state'), table_name='rounds')
    op.drop_index(op.f('ix_rounds_fiscal_year'), table_name='rounds')
    op.drop_table('rounds')
