"""Run the Alembic migrations that ship inside the package (no alembic.ini needed)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# A migration file is named after its revision id: ``0009_revisions.py`` holds revision '0009'.
_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def head_revision() -> str:
    """The newest revision id shipped, read from the migration file names (a test holds it
    equal to Alembic's own head)."""
    return max(m.group(1) for f in (MIGRATIONS / "versions").iterdir()
               if (m := _REVISION_FILE.match(f.name)))


def is_at_head(engine: Engine) -> bool:
    """Whether the database already has the newest schema (one query, no Alembic)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        found = list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return found == [head_revision()]


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database behind ``engine`` to the newest schema revision. Alembic (about a
    fifth of a second to import and read its scripts) runs only when there is work to do."""
    if is_at_head(engine):
        return
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
