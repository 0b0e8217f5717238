"""Bulk write of a demo portfolio into the database (SQLAlchemy Core, one transaction)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy import Engine, Table, func, insert, select
from sqlalchemy.orm import Session

from wastescreen.core.reference import region_of
from wastescreen.storage.tables import Base

if TYPE_CHECKING:
    from wastescreen.demo_portfolio import DemoPortfolio

Progress = Callable[[str, int, int], None]
CHUNK = 2000
SEED_SUMMARY = "demo portfolio, seed {seed}"


def canonical_json(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(obj: BaseModel) -> str:
    """SHA-256 of the canonical JSON of a pydantic object."""
    return hashlib.sha256(canonical_json(obj.model_dump(mode="json")).encode("utf-8")).hexdigest()


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _insert(
    session: Session, name: str, rows: Sequence[dict[str, Any]], progress: Progress | None
) -> int:
    table = _table(name)
    for lo in range(0, len(rows), CHUNK):
        session.execute(insert(table), list(rows[lo : lo + CHUNK]))
        if progress is not None:
            progress(name, min(lo + CHUNK, len(rows)), len(rows))
    return len(rows)


def database_is_empty(engine: Engine) -> bool:
    """True when there are no labs, programs or proposals yet."""
    with Session(engine) as session:
        for name in ("labs", "programs", "proposals"):
            if session.execute(select(func.count()).select_from(_table(name))).scalar_one():
                return False
    return True


def demo_seed(session: Session) -> int | None:
    """The seed of the demo portfolio the database was seeded with (from its first registry
    revision), or None when it holds no demo portfolio."""
    revisions = _table("registry_revisions")
    first = session.execute(select(revisions.c.summary).order_by(revisions.c.id)
                            .limit(1)).scalar_one_or_none()
    prefix = SEED_SUMMARY.format(seed="")
    if first is None or not str(first).startswith(prefix):
        return None
    tail = str(first)[len(prefix):]
    return int(tail) if tail.isdigit() else None


def write_portfolio(
    engine: Engine, portfolio: DemoPortfolio, *, progress: Progress | None = None
) -> dict[str, int]:
    """Write labs (+ equipment), programs, historical proposals, their outcomes and one registry
    revision in one transaction; returns the number of rows written per table."""
    counts: dict[str, int] = {}
    with Session(engine) as session, session.begin():
        lab_rows = [
            {**lab.model_dump(exclude={"equipment"}), "region": region_of(lab.province),
             "content_hash": content_hash(lab)}
            for lab in portfolio.labs
        ]
        counts["labs"] = _insert(session, "labs", lab_rows, progress)
        labs = _table("labs")
        ids = {
            str(code): int(pk) for code, pk in session.execute(select(labs.c.lab_code, labs.c.id))
        }
        equipment = [
            {**e.model_dump(), "lab_id": ids[lab.lab_code]}
            for lab in portfolio.labs
            for e in lab.equipment
        ]
        counts["lab_equipment"] = _insert(session, "lab_equipment", equipment, progress)
        programs = [
            {**p.model_dump(mode="json"), "content_hash": content_hash(p)}
            for p in portfolio.programs
        ]
        counts["programs"] = _insert(session, "programs", programs, progress)
        counts["proposals"] = _insert(session, "proposals", list(_proposals(portfolio)), progress)
        outcomes = [
            {**o.model_dump(), "proposal_id": pid}
            for pid, o in zip(portfolio.proposal_ids, portfolio.outcomes, strict=True)
        ]
        counts["proposal_outcomes"] = _insert(session, "proposal_outcomes", outcomes, progress)
        revision = {"summary": SEED_SUMMARY.format(seed=portfolio.seed)}
        counts["registry_revisions"] = _insert(session, "registry_revisions", [revision], None)
    return counts


def _proposals(portfolio: DemoPortfolio) -> Iterable[dict[str, Any]]:
    for pid, p in zip(portfolio.proposal_ids, portfolio.proposals, strict=True):
        payload = p.model_dump(mode="json")
        yield {
            "id": pid, "kind": "historical", "reference_code": p.reference_code,
            "cycle": p.cycle, "agency": p.agency, "province": p.province,
            "technology_area": p.technology_area, "project_type": p.project_type.value,
            "title": p.title, "total_budget_vnd": p.total_budget_vnd,
            "submitted_on": p.submitted_on, "payload": payload,
            "input_hash": hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest(),
        }
