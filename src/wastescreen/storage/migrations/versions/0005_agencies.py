"""agencies: the known list, and stored agency names normalised to one spelling per agency

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:00:00

An agency's identity is its folded name (NFC, trimmed, inner white space collapsed,
case-folded). Names stored before this revision may spell one agency several ways (a trailing
space, NFD, a no-break space, upper case, a zero-width character); each is rewritten to one
spelling per agency, in proposals, screenings, batch jobs and API keys: the registry's spelling
when the registry knows the agency, else the most frequent one. Zero-width and other invisible
format characters and control characters are dropped from those names first (they made
agencies that looked identical). The known list is filled with the registry's managing and host
agencies and the agencies of existing keys, so that every existing key keeps working. The
proposals' payloads (the proposal as filed, behind its input hash) are left as they are.

The fold is written out here rather than imported, so that this revision keeps doing what it
did whatever the code later does.
"""
from collections import Counter
import datetime as dt
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_SPACE = re.compile(r"\s+")
NAME_COLUMNS = (("proposals", "agency"), ("screenings", "agency"), ("batch_jobs", "agency"),
                ("api_keys", "agency"))


def tidy(name: str) -> str:
    kept = "".join(ch for ch in name
                   if unicodedata.category(ch) != "Cf"
                   and not (unicodedata.category(ch) == "Cc" and not ch.isspace()))
    return _SPACE.sub(" ", unicodedata.normalize("NFC", kept)).strip()


def fold(name: str) -> str:
    return unicodedata.normalize("NFC", tidy(name).casefold())


def upgrade() -> None:
    agencies = op.create_table(
        'agencies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=500), nullable=False),
        sa.Column('name_key', sa.String(length=500), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name_key'),
    )
    conn = op.get_bind()
    registry = sorted({r[0] for r in conn.execute(sa.text(
        "SELECT managing_agency FROM programs UNION SELECT host FROM labs")) if r[0]})
    counts: Counter[str] = Counter()
    for table, column in NAME_COLUMNS:
        for name, n in conn.execute(sa.text(
                f"SELECT {column}, COUNT(*) FROM {table} WHERE {column} IS NOT NULL "
                f"GROUP BY {column}")):
            counts[name] += n
    display: dict[str, str] = {}
    for name in registry:  # the registry's spelling first (first in sort order)
        if tidy(name):
            display.setdefault(fold(name), tidy(name))
    spellings: dict[str, Counter[str]] = {}
    for name, n in counts.items():
        if tidy(name):
            spellings.setdefault(fold(name), Counter())[tidy(name)] += n
    for key, seen in spellings.items():
        display.setdefault(key, sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))[0][0])
    for table, column in NAME_COLUMNS:
        for name in counts:
            target = display.get(fold(name))
            if target is not None and target != name:
                conn.execute(sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old"),
                             {"new": target, "old": name})
    now = dt.datetime.now(dt.UTC)
    known = {fold(n): "registry" for n in registry if tidy(n)}
    for (name,) in conn.execute(sa.text("SELECT DISTINCT agency FROM api_keys "
                                        "WHERE agency IS NOT NULL")):
        if tidy(name):
            known.setdefault(fold(name), "migrated")
    op.bulk_insert(agencies, [{"name": display[k], "name_key": k, "source": source,
                               "created_at": now} for k, source in sorted(known.items())])


def downgrade() -> None:
    op.drop_table('agencies')
