"""page sessions and rate counters kept in the database

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 10:05:00

The page cookie holds a session id (only its hash is stored) instead of the API key, and the
rate limits (per key; failed key checks per address) are counted here, shared by all workers.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'page_sessions',
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('api_key_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id']),
        sa.PrimaryKeyConstraint('id_hash'),
    )
    op.create_index('ix_page_sessions_api_key_id', 'page_sessions', ['api_key_id'])
    op.create_table(
        'rate_counters',
        sa.Column('bucket', sa.String(length=200), nullable=False),
        sa.Column('window_no', sa.BigInteger(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('bucket', 'window_no'),
    )
    op.create_index('ix_rate_counters_window_no', 'rate_counters', ['window_no'])


def downgrade() -> None:
    op.drop_index('ix_rate_counters_window_no', table_name='rate_counters')
    op.drop_table('rate_counters')
    op.drop_index('ix_page_sessions_api_key_id', table_name='page_sessions')
    op.drop_table('page_sessions')
