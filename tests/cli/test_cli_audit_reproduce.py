"""The good paths of ``audit anchor``, ``audit verify --anchor`` and ``reproduce`` on a trained
var folder, and what each says once the database is changed behind their back (Vietnamese by
default)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import delete, update
from typer.testing import CliRunner, Result

from tests.conftest import EXAMPLES
from wastescreen.cli.main import app
from wastescreen.core.settings import Settings
from wastescreen.storage.database import open_database
from wastescreen.storage.tables import AuditEventRow, ScreeningRow

runner = CliRunner()


def run(*args: str) -> tuple[Result, str]:
    """The command's result, and its output with the console's line wrapping undone."""
    result = runner.invoke(app, list(args))
    return result, " ".join(result.output.split())


def screened(var: Path) -> str:
    """The id of a proposal screened (and stored) by ``wastescreen screen``."""
    result, _ = run("screen", str(EXAMPLES / "proposal.json"), "--out", str(var / "out.json"))
    assert result.exit_code == 0, result.output
    return str(json.loads((var / "out.json").read_text("utf-8"))["screening_id"])


def test_anchor_then_verify_and_a_cut_or_deleted_trail(trained_copy: Path) -> None:
    screened(trained_copy)
    for _ in range(2):  # the newest events record no stored row: cutting them leaves no trace
        assert run("keys", "create", "--role", "auditor")[0].exit_code == 0
    made, _ = run("audit", "anchor")
    assert made.exit_code == 0, made.output
    kept = json.loads(made.output)
    head = kept["seq"]
    assert head > 2 and len(kept["hash"]) == 64 and kept["mac"]
    anchor = trained_copy.parent / "anchor.json"
    anchor.write_text(made.output, "utf-8")

    ok, said = run("audit", "verify", "--anchor", str(anchor))
    assert ok.exit_code == 0, ok.output
    assert f"nhật ký kiểm toán nguyên vẹn: {head} sự kiện" in said and "mốc neo" in said

    db = open_database(Settings(var_dir=trained_copy), migrate=False)
    with db.sessions() as s:  # the two newest events cut off
        s.execute(delete(AuditEventRow).where(AuditEventRow.seq > head - 2))
        s.commit()
    # Without the anchor the shorter trail is a whole one; with it, the cut shows.
    assert run("audit", "verify")[0].exit_code == 0
    cut, said = run("audit", "verify", "--anchor", str(anchor))
    assert cut.exit_code == 1
    assert (f"sự kiện {head}: sự kiện được neo không còn: nhật ký dừng ở số {head - 2} "
            "(các sự kiện đã bị cắt hoặc xóa)") in said, said
    assert "nhật ký kiểm toán BỊ HỎNG" in said

    with db.sessions() as s:  # every event deleted
        s.execute(delete(AuditEventRow))
        s.commit()
    db.dispose()
    gone, said = run("audit", "verify", "--anchor", str(anchor))
    assert gone.exit_code == 1
    assert f"sự kiện {head}: sự kiện được neo không còn: nhật ký dừng ở số 0" in said, said
    english, said = run("--lang", "en", "audit", "verify", "--anchor", str(anchor))
    assert english.exit_code == 1
    assert f"event {head}: the anchored event is gone: the trail ends at seq 0" in said


def test_reproduce_a_stored_screening_then_an_edited_band(trained_copy: Path) -> None:
    sid = screened(trained_copy)
    same, said = run("reproduce", sid)
    assert same.exit_code == 0, same.output
    assert f"lượt sàng lọc {sid} được tái lập: giống hệt" in said

    db = open_database(Settings(var_dir=trained_copy), migrate=False)
    with db.sessions() as s:
        row = s.get(ScreeningRow, sid)
        assert row is not None
        band = row.band
        edited = "low" if band != "low" else "high"
        s.execute(update(ScreeningRow).where(ScreeningRow.id == sid).values(band=edited))
        s.commit()
    db.dispose()
    changed, said = run("reproduce", sid)
    assert changed.exit_code == 1, changed.output
    assert (f"khác: screenings.band: đã lưu '{edited}', nay '{band}' "
            "(dòng đã lưu khác với kết quả đã lưu của nó)") in said, said
    assert f"lượt sàng lọc {sid} KHÔNG tái lập được: 1 trường khác" in said
