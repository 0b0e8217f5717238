"""reproduce any screening: the registry's history, when outcomes were recorded, each
screening's inputs, the trail's MACs, the reports as issued, named key holders, confirmed
approvals

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 12:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'registry_versions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('code', sa.String(length=80), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=True),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_registry_versions_item', 'registry_versions',
                    ['kind', 'code', 'revision_id'])
    op.create_index('ix_registry_versions_revision_id', 'registry_versions', ['revision_id'])
    op.create_table(
        'issued_reports',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('screening_id', sa.String(length=36), sa.ForeignKey('screenings.id'),
                  nullable=False),
        sa.Column('occasion', sa.String(length=20), nullable=False),
        sa.Column('lang', sa.String(length=5), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('template_version', sa.String(length=64), nullable=False),
        sa.Column('html_zlib', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_issued_reports_screening_id', 'issued_reports', ['screening_id'])
    with op.batch_alter_table('proposal_outcomes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True))
    # Outcomes stored before: recorded when their proposal was.
    op.execute("UPDATE proposal_outcomes SET recorded_at = (SELECT created_at FROM proposals "
               "WHERE proposals.id = proposal_outcomes.proposal_id)")
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inputs', sa.JSON(), nullable=True))
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder', sa.String(length=200), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_confirmation', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('confirms', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_column('confirms')
        batch_op.drop_column('needs_confirmation')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('holder')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('mac')
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.drop_column('inputs')
    with op.batch_alter_table('proposal_outcomes', schema=None) as batch_op:
        batch_op.drop_column('recorded_at')
    op.drop_index('ix_issued_reports_screening_id', table_name='issued_reports')
    op.drop_table('issued_reports')
    op.drop_index('ix_registry_versions_revision_id', table_name='registry_versions')
    op.drop_index('ix_registry_versions_item', table_name='registry_versions')
    op.drop_table('registry_versions')
