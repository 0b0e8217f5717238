"""The portfolio and the public indicators come from compact columns and SQL aggregates: the
same figures and clusters as reading every stored result (the approach the benchmark keeps as
its baseline), without one stored result or payload being read."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from bench.portfolio import results_portfolio_of
from tests.demo_service import AGENCY_A, DemoService
from wastescreen.screening.indicators import indicators
from wastescreen.screening.portfolio import Cluster, Group, Member, Portfolio, portfolio_of
from wastescreen.storage.tables import ProposalRow, ScreeningRow


@contextmanager
def statements(service: DemoService) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(service.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(service.db.engine, "before_cursor_execute", record)


def summary(groups: list[Group]) -> list[tuple[Any, ...]]:
    return [(g.key, g.count, round(g.score_sum, 9), g.high, g.budget_vnd) for g in groups]


def shape(pf: Portfolio) -> dict[str, Any]:
    return {"total": summary([pf.total]),
            **{name: summary(getattr(pf, name))
               for name in ("by_agency", "by_level", "by_province", "by_area")},
            "clusters": [([m.proposal_id for m in c.members], c.best_overlap, c.links)
                         for c in pf.clusters]}


@pytest.mark.parametrize("agency", [None, AGENCY_A])
def test_same_portfolio_as_from_the_results_without_reading_one(service: DemoService,
                                                                agency: str | None) -> None:
    with service.db.sessions() as s:
        with statements(service) as seen:
            ours = portfolio_of(s, service.cycle, agency, threshold=0.3)
        theirs = results_portfolio_of(s, service.cycle, agency, threshold=0.3)
    assert shape(ours) == shape(theirs)
    # an agency's level: that of most of its submissions (the fixture files one agency's
    # proposals under another's name, so an agency can have both)
    with service.db.sessions() as s:
        rows = s.execute(select(ScreeningRow.agency, ProposalRow.payload)
                         .join(ProposalRow, ProposalRow.id == ScreeningRow.proposal_id)
                         .where(ScreeningRow.kind == "submission",
                                ScreeningRow.cycle == service.cycle)).all()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for name, payload in rows:
        counts[name][payload["managing_level"]] += 1
    assert {g.key: g.level for g in ours.by_agency} == {
        name: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for name, c in counts.items()
        if agency is None or name == agency}
    assert ours.total.count >= (1 if agency else len(service.screening_ids))
    if agency is None:
        assert ours.clusters, "the demo cycle has overlapping submissions at 0.3"
    read = " ".join(seen).lower()
    assert "screenings.result" not in read and "proposals.payload" not in read


def test_indicators_are_counted_by_the_database(service: DemoService) -> None:
    with service.db.sessions() as s, statements(service) as seen:
        items, total = indicators(s, service.cycle)
    assert total.screened == sum(i.screened for i in items) >= len(service.screening_ids)
    assert AGENCY_A in {i.agency for i in items}
    assert len(seen) == 1 and "group by" in seen[0].lower()


def test_a_member_screened_before_its_copies_is_told_below_high() -> None:
    at = dt.datetime(2026, 3, 1, 9, 0)

    def member(pid: str, band: str, minutes: int) -> Member:
        return Member(f"s-{pid}", pid, pid, f"agency {pid}", "Huế", 1, 0.5, band,
                      at + dt.timedelta(minutes=minutes))

    first, high_first, middle, last = (member("a", "low", 0), member("b", "high", 1),
                                       member("c", "medium", 2), member("d", "low", 3))
    cluster = Cluster([first, high_first, middle, last], 0.9, 3)
    assert cluster.unseen_copies(first) == 3
    assert cluster.unseen_copies(high_first) == 0  # a high band contradicts nothing
    assert cluster.unseen_copies(middle) == 1
    assert cluster.unseen_copies(last) == 0  # compared with all the others
