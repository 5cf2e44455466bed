"""Initial schema: content items, processed webhook events, unanswered queries.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 08:27:36.631853
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('content_items',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('parent_key', sa.String(length=80), nullable=True),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('gap', sa.Text(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('updated_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_key'], ['content_items.key'], name=op.f('fk_content_items_parent_key_content_items')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_content_items'))
    )
    with op.batch_alter_table('content_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_items_kind'), ['kind'], unique=False)

    op.create_table('processed_events',
    sa.Column('webhook_event_id', sa.String(length=64), nullable=False),
    sa.Column('event_type', sa.String(length=40), nullable=False),
    sa.Column('received_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('webhook_event_id', name=op.f('pk_processed_events'))
    )
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_events_received_at'), ['received_at'], unique=False)

    op.create_table('unanswered_queries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('normalized', sa.String(length=500), nullable=False),
    sa.Column('chat_kind', sa.String(length=10), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unanswered_queries'))
    )
    with op.batch_alter_table('unanswered_queries', schema=None) as batch_op:
        batch_op.create_index('ix_unanswered_queries_normalized', ['normalized'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('unanswered_queries', schema=None) as batch_op:
        batch_op.drop_index('ix_unanswered_queries_normalized')

    op.drop_table('unanswered_queries')
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_events_received_at'))

    op.drop_table('processed_events')
    with op.batch_alter_table('content_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_items_kind'))

    op.drop_table('content_items')
