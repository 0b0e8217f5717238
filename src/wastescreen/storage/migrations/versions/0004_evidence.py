"""evidence first: when and by whom a lab's utilisation was measured; the final band beside
the model's own and the red flags that fired

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 11:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('labs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('utilisation_measured_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('utilisation_measured_by', sa.String(length=500),
                                      nullable=False, server_default=''))
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('model_band', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('fired_flags', sa.JSON(), nullable=True))
    # Screenings stored before red flags: their band was the model's band.
    op.execute("UPDATE screenings SET model_band = band")


def downgrade() -> None:
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.drop_column('fired_flags')
        batch_op.drop_column('model_band')
    with op.batch_alter_table('labs', schema=None) as batch_op:
        batch_op.drop_column('utilisation_measured_by')
        batch_op.drop_column('utilisation_measured_on')
