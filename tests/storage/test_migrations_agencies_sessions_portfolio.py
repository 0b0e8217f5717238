"""The migrations of this change, run on a database made before them (at ``BEFORE``), on
SQLite and PostgreSQL: stored agency names normalised to one spelling per agency and the known
list filled (0004), page sessions and rate counters (0005), and the portfolio's compact data
filled from the stored payloads and results (0006)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from tests.conftest import _new_postgres_database
from wastescreen.core.agency import agency_key
from wastescreen.screening.portfolio import portfolio_of
from wastescreen.storage.api_keys import authenticate, hash_key
from wastescreen.storage.engine import make_engine, make_session_factory
from wastescreen.storage.migrate import alembic_config

# The revision just before the agencies, sessions and portfolio migrations (0005 ... 0007): a
# database made at it is what they must upgrade. Re-chaining them after another revision
# means changing this one line.
BEFORE = "0004"
A = "Viện Công nghệ Mẫu 07"
NOW = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
KEYS = {"ws_upper": A.upper() + " ", "ws_zero_width": A.replace(" ", " \u200b", 1),
        "ws_double": "Trường  Lạ"}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'before.db'}"
        return
    with _new_postgres_database("wastescreen_migrate") as pg:
        yield pg


def upgrade(engine: sa.Engine, revision: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _t(name: str, *columns: str, json: tuple[str, ...] = ()) -> sa.TableClause:
    return sa.table(name, *(sa.column(c, sa.JSON if c in json else None) for c in columns))


def _proposal(pid: str, agency: str, kind: str, level: str = "ministry") -> dict[str, Any]:
    return {"id": pid, "kind": kind, "reference_code": "", "cycle": 2026, "agency": agency,
            "province": "Huế", "technology_area": "SEMICONDUCTORS", "project_type": "new_lab",
            "title": f"Đề xuất {pid}", "total_budget_vnd": 10**9,
            "submitted_on": dt.date(2025, 10, 1), "input_hash": "0" * 64, "created_at": NOW,
            "payload": {"managing_level": level, "agency": agency}}


def _screening(sid: str, pid: str, agency: str, evidence: list[dict[str, Any]]
               ) -> dict[str, Any]:
    return {"id": sid, "proposal_id": pid, "kind": "submission", "cycle": 2026,
            "agency": agency, "status": "queued", "overall_score": 0.7, "band": "high",
            "model_version": "v", "registry_snapshot": 1, "input_hash": "0" * 64,
            "created_at": NOW, "result": {"evidence": evidence}}


def fill_before(engine: sa.Engine) -> None:
    """Rows as stored before: one agency spelt five ways, another two ways."""
    nfd = unicodedata.normalize("NFD", A)
    with engine.begin() as c:
        c.execute(sa.insert(_t("programs", "program_code", "title", "managing_agency",
                               "technology_area", "technology_area_version", "field",
                               "objectives", "budget_vnd", "start_year", "end_year", "status",
                               "outcome", "content_hash", "updated_at")),
                  [{"program_code": "PRG-1", "title": "Chương trình", "managing_agency": A,
                    "technology_area": "SEMICONDUCTORS", "technology_area_version": "2025",
                    "field": "", "objectives": "", "budget_vnd": 1, "start_year": 2020,
                    "end_year": 2022, "status": "ongoing", "outcome": "unknown",
                    "content_hash": "0" * 64, "updated_at": NOW}])
        c.execute(sa.insert(_t("api_keys", "key_hash", "prefix", "role", "agency", "label",
                               "created_at")),
                  [{"key_hash": hash_key(k), "prefix": k[:10], "role": "agency", "agency": a,
                    "label": "", "created_at": NOW} for k, a in KEYS.items()])
        c.execute(sa.insert(_t("proposals", *_proposal("x", "", "").keys(), json=("payload",))),
                  [_proposal("p1", nfd, "submission"), _proposal("p2", A + " ", "submission"),
                   _proposal("p3", "trường lạ", "submission", "province"),
                   _proposal("p4", "Trường Lạ", "precheck"), _proposal("h1", "Trường Lạ",
                                                                      "historical")])
        lab = {"kind": "lab", "code": "LAB-1", "score": 0.9}
        c.execute(sa.insert(_t("screenings", *_screening("x", "x", "", []).keys(),
                               json=("result",))),
                  [_screening("s1", "p1", nfd, [lab, {"kind": "proposal", "code": "p3",
                                                      "score": 0.8},
                                                {"kind": "proposal", "code": "p3", "score": 0.6},
                                                {"kind": "proposal", "code": "p2",
                                                 "score": 0.2}]),
                   _screening("s2", "p2", A + " ", []),
                   _screening("s3", "p3", "trường lạ", [lab])])


def test_migrations_normalise_names_and_fill_what_the_portfolio_reads(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine, BEFORE)
    fill_before(engine)
    upgrade(engine, "head")
    with engine.connect() as c:
        agencies: dict[str, str] = dict(
            c.execute(sa.text("SELECT name_key, source FROM agencies")).all())
        names = {t: sorted(set(c.execute(sa.text(f"SELECT agency FROM {t}")).scalars()))
                 for t in ("proposals", "screenings")}
        levels: dict[str, str] = dict(c.execute(sa.text(
            "SELECT proposal_id, managing_level FROM submission_facts")).all())
        indexes = {i["name"] for i in sa.inspect(c).get_indexes("screenings")}
        overlaps = c.execute(sa.text("SELECT proposal_id, other_id, cycle, score "
                                     "FROM proposal_overlaps ORDER BY other_id")).all()
        tables = set(sa.inspect(c).get_table_names())
    assert agencies == {agency_key(A): "registry", agency_key("Trường Lạ"): "migrated"}
    # one spelling per agency: the registry's, else the most frequent
    both = sorted([A, "Trường Lạ"])
    assert names == {"proposals": both, "screenings": both}
    sessions = make_session_factory(engine)
    with sessions() as s:
        principals = {k: authenticate(s, k) for k in KEYS}
        assert {k: p.agency if p else None for k, p in principals.items()} == {
            "ws_upper": A, "ws_zero_width": A, "ws_double": "Trường Lạ"}
        pf = portfolio_of(s, 2026, None)
    assert levels == {"p1": "ministry", "p2": "ministry", "p3": "province"}  # submissions
    assert "ix_screenings_portfolio" in indexes
    assert [tuple(r) for r in overlaps] == [("p1", "p2", 2026, 0.2), ("p1", "p3", 2026, 0.8)]
    assert {"page_sessions", "rate_counters"} <= tables
    assert pf.total.count == 3 and {g.key for g in pf.by_level} == {"ministry", "province"}
    assert [{m.proposal_id for m in c.members} for c in pf.clusters] == [{"p1", "p3"}]
    engine.dispose()
