"""portfolio data: submission_facts, proposal_overlaps and a covering index on screenings,
filled from what is stored

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 10:10:00

The portfolio page loaded every submission's full result (about 15 KB each) to read the
managing level (in the proposal's payload) and the same-cycle proposals in its evidence. Both
become compact stored data: one row of facts per submission, and one row per (submission,
overlapping proposal, cycle, score); an index on screenings covers what the portfolio and the
indicators read of them. Existing submissions are filled from their payloads and results, a
chunk at a time.
"""
import json
from typing import Any

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

CHUNK = 500


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def upgrade() -> None:
    facts = op.create_table(
        'submission_facts',
        sa.Column('proposal_id', sa.String(length=36), nullable=False),
        sa.Column('managing_level', sa.String(length=20), nullable=False),
        sa.Column('province', sa.String(length=100), nullable=False),
        sa.Column('technology_area', sa.String(length=40), nullable=False),
        sa.Column('total_budget_vnd', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('proposal_id'),
    )
    overlaps = op.create_table(
        'proposal_overlaps',
        sa.Column('proposal_id', sa.String(length=36), nullable=False),
        sa.Column('other_id', sa.String(length=36), nullable=False),
        sa.Column('cycle', sa.Integer(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('proposal_id', 'other_id'),
    )
    op.create_index('ix_proposal_overlaps_cycle_score', 'proposal_overlaps', ['cycle', 'score'])
    op.create_index('ix_screenings_portfolio', 'screenings',
                    ['cycle', 'kind', 'agency', 'band', 'overall_score', 'proposal_id', 'id'])
    conn = op.get_bind()
    proposals = sa.table('proposals', sa.column('id', sa.String),
                         sa.column('province', sa.String),
                         sa.column('technology_area', sa.String),
                         sa.column('total_budget_vnd', sa.BigInteger),
                         sa.column('payload', sa.JSON))
    screenings = sa.table('screenings', sa.column('proposal_id', sa.String),
                          sa.column('kind', sa.String), sa.column('cycle', sa.Integer),
                          sa.column('result', sa.JSON))
    ids = [r[0] for r in conn.execute(sa.select(screenings.c.proposal_id)
                                      .where(screenings.c.kind == 'submission'))]
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        rows = []
        for pid, province, area, budget, payload in conn.execute(
                sa.select(proposals.c.id, proposals.c.province, proposals.c.technology_area,
                          proposals.c.total_budget_vnd, proposals.c.payload)
                .where(proposals.c.id.in_(chunk))):
            level = str((_json(payload) or {}).get('managing_level') or '')[:20]
            rows.append({'proposal_id': pid, 'managing_level': level, 'province': province,
                         'technology_area': area, 'total_budget_vnd': budget})
        if rows:
            op.bulk_insert(facts, rows)
        edges = []
        for pid, cycle, result in conn.execute(
                sa.select(screenings.c.proposal_id, screenings.c.cycle, screenings.c.result)
                .where(screenings.c.kind == 'submission', screenings.c.proposal_id.in_(chunk))):
            best: dict[str, float] = {}
            for ev in (_json(result) or {}).get('evidence', []):
                other = str(ev.get('code') or '')
                if ev.get('kind') != 'proposal' or not other or other == pid:
                    continue
                best[other] = max(float(ev.get('score', 0.0)), best.get(other, 0.0))
            edges += [{'proposal_id': pid, 'other_id': o, 'cycle': cycle, 'score': s}
                      for o, s in best.items()]
        if edges:
            op.bulk_insert(overlaps, edges)


def downgrade() -> None:
    op.drop_index('ix_screenings_portfolio', table_name='screenings')
    op.drop_index('ix_proposal_overlaps_cycle_score', table_name='proposal_overlaps')
    op.drop_table('proposal_overlaps')
    op.drop_table('submission_facts')
