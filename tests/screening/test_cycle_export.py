"""The cycle export reads the scores and reasons out of the stored results in SQL (SQLite's
JSON functions, PostgreSQL's operators) and gives every row of the queue in its order."""

from __future__ import annotations

from tests.demo_service import DemoService
from wastescreen.features.catalogue import TARGETS
from wastescreen.screening.cycle_export import COLUMNS, cycle_export
from wastescreen.screening.review import QueueFilter, queue
from wastescreen.storage.tables import ScreeningRow


def test_export_rows_are_the_queue_with_its_scores(any_service: DemoService) -> None:
    f = QueueFilter(cycle=any_service.cycle)
    with any_service.db.sessions() as session:
        items, total = queue(session, f, offset=0, limit=10_000)
        export = cycle_export(session, f, "en")
    assert len(export.rows) == total == len(items)
    keys = [k for k, _ in COLUMNS]
    sid, code = keys.index("x_screening_id"), keys.index("x_reference_code")
    assert [r[sid] for r in export.rows] == [i.id for i in items]  # the queue's order
    assert [r[code] for r in export.rows] == [i.reference_code for i in items]
    per_target = [keys.index(f"x_score_{t}") for t in TARGETS]
    with any_service.db.sessions() as session:
        stored = session.get(ScreeningRow, items[0].id)
        assert stored is not None
        first = stored.result
    for row in export.rows:
        assert all(isinstance(row[i], float) and 0 <= row[i] <= 1 for i in per_target)
    assert [first["scores"][t] for t in TARGETS] == [export.rows[0][i] for i in per_target]
    assert export.rows[0][keys.index("x_reasons")].startswith(first["reasons"][0]["text_en"])
    reasons = keys.index("x_reasons")
    assert sum(1 for r in export.rows if r[reasons]) >= len(export.rows) // 2
