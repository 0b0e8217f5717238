"""Bulk screening gives the per-row path's output rows, bit for bit.

The per-row path is ``summarise(row, p, screen_proposal(engine, p, "batch-row-N"))`` — what
``Screener.screen_row`` does for a row it does not store. Floats are compared through their
JSON text (the shortest text that reads back to the same bits) and as Python floats, never
approximately; the CSV the CLI writes is compared byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.conftest import EXAMPLES
from tests.demo_service import AGENCY_A, DemoService, for_cycle, varied_proposals
from wastescreen.domain.proposal import Proposal
from wastescreen.screening.batch import (
    RESULT_COLUMNS,
    BatchRow,
    read_batch_file,
    results_csv,
    summarise,
)
from wastescreen.screening.bulk import row_id, screen_batch_rows, screen_bulk
from wastescreen.screening.engine import ScreeningEngine, load_engine
from wastescreen.screening.service import screen_proposal
from wastescreen.screening.usecases import Screener

ROWS = 300
AS_OF = dt.date(2025, 12, 1)


@pytest.fixture(scope="module")
def engine(service: DemoService) -> ScreeningEngine:
    with service.db.sessions() as session:
        return load_engine(service.settings, session)


def _per_row(engine: ScreeningEngine, proposals: list[Proposal], rows: list[int]
             ) -> list[dict[str, Any]]:
    return [summarise(r, p, screen_proposal(engine, p, row_id(r), as_of=AS_OF))
            for p, r in zip(proposals, rows, strict=True)]


def _text(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, sort_keys=True)


def test_bulk_rows_equal_per_row_rows_bit_for_bit(engine: ScreeningEngine,
                                                  service: DemoService) -> None:
    proposals = varied_proposals(service, ROWS)
    assert len({p.model_dump_json() for p in proposals}) == ROWS
    rows = [i + 2 for i in range(ROWS)]
    expected = _per_row(engine, proposals, rows)
    got = screen_bulk(engine, proposals, rows, as_of=AS_OF)
    assert [list(r) for r in got] == [list(RESULT_COLUMNS)] * ROWS
    for old, new in zip(expected, got, strict=True):
        assert new == old, old["title"]
        for column in ("overall_score", "redundancy", "idle_assets", "non_delivery"):
            assert repr(new[column]) == repr(old[column])
    assert _text(got) == _text(expected)
    assert results_csv(got) == results_csv(expected)
    # Not a vacuous comparison: the rows span the bands, and flags and reasons vary.
    assert {r["band"] for r in got} == {"low", "medium", "high"}
    assert len({r["top_reason_en"] for r in got}) > 5
    assert len({r["input_hash"] for r in got}) == ROWS


def test_a_batch_row_is_no_peer_of_another(engine: ScreeningEngine,
                                           service: DemoService) -> None:
    """Two agencies' copies of one proposal in one batch: each is screened as if alone (the
    per-row path compares a row with stored submissions only), whatever the chunking."""
    base = for_cycle(service.spare[0])
    copies = [base, base.model_copy(update={"agency": AGENCY_A}), base]
    rows = [2, 3, 4]
    expected = _per_row(engine, copies, rows)
    assert _text(screen_bulk(engine, copies, rows, as_of=AS_OF)) == _text(expected)
    one_by_one = [screen_bulk(engine, [p], [r], as_of=AS_OF)[0]
                  for p, r in zip(copies, rows, strict=True)]
    assert _text(one_by_one) == _text(expected)
    assert expected[0] == {**expected[2], "row": 2}


def test_screen_rows_is_bulk_and_keeps_invalid_rows_in_place(service: DemoService,
                                                             engine: ScreeningEngine) -> None:
    rows = read_batch_file(EXAMPLES / "proposals_batch.csv", max_rows=100)
    assert any(r.proposal is None for r in rows) and any(r.proposal for r in rows)
    screener = Screener(engine)
    done: list[int] = []
    got = screener.screen_rows(rows, progress=done.append, as_of=AS_OF)
    assert done[-1] == len(rows)
    assert [r["row"] for r in got] == [r.row for r in rows]
    valid = [r for r in rows if r.proposal is not None]
    expected = _per_row(engine, [r.proposal for r in valid if r.proposal],
                        [r.row for r in valid])
    assert _text([r for r in got if r["status"] == "screened"]) == _text(expected)
    assert _text(screen_batch_rows(engine, rows, as_of=AS_OF)) == _text(got)
    # Today's day by default, as screen_row uses.
    today = screener.screen_rows(valid[:2])
    assert _text(today) == _text([screener.screen_row(r) for r in valid[:2]])


def test_an_empty_batch(engine: ScreeningEngine) -> None:
    assert screen_bulk(engine, [], []) == []
    assert screen_batch_rows(engine, [BatchRow(row=2)]) == [
        {"row": 2, "status": "invalid", "errors": ""}]


def test_invalid_rows_need_no_model() -> None:
    rows = [BatchRow(row=2), BatchRow(row=3)]
    assert [r["status"] for r in Screener(None).screen_rows(rows)] == ["invalid", "invalid"]
