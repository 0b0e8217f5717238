"""the revision loop: a screening names the version it revises; agencies' answers to flags

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revises', sa.String(length=36), nullable=True))
        batch_op.create_index('ix_screenings_revises', ['revises'])
    op.create_table(
        'flag_answers',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('screening_id', sa.String(length=36), sa.ForeignKey('screenings.id'),
                  nullable=False),
        sa.Column('flag_id', sa.String(length=10), nullable=False),
        sa.Column('justification', sa.Text(), nullable=False),
        sa.Column('answered_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_flag_answers_screening_id', 'flag_answers', ['screening_id'])


def downgrade() -> None:
    op.drop_index('ix_flag_answers_screening_id', table_name='flag_answers')
    op.drop_table('flag_answers')
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.drop_index('ix_screenings_revises')
        batch_op.drop_column('revises')
