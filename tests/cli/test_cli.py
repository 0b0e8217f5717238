"""The command line: keys shown once on the last line, audit verification, registry import."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from tests.conftest import EXAMPLES
from wastescreen import __version__
from wastescreen.cli.main import app
from wastescreen.core.settings import Settings, get_settings
from wastescreen.storage.api_keys import authenticate
from wastescreen.storage.database import open_database
from wastescreen.storage.tables import ApiKeyRow, AuditEventRow

runner = CliRunner()


@pytest.fixture
def var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("WASTESCREEN_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def test_version(var: Path) -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_key_is_printed_once_and_stored_hashed(var: Path) -> None:
    assert runner.invoke(app, ["agencies", "add", "Viện A"]).exit_code == 0
    result = runner.invoke(app, ["keys", "create", "--role", "agency", "--agency", "Viện A"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("ws_") and len(key) > 40
    db = open_database(Settings(var_dir=var))
    with db.sessions() as s:
        principal = authenticate(s, key)
        assert principal is not None and principal.agency == "Viện A"
        stored = s.query(ApiKeyRow).one()
        assert key not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64
    db.dispose()
    listed = runner.invoke(app, ["keys", "list"])
    assert key not in listed.output
    assert runner.invoke(app, ["keys", "revoke", "1"]).exit_code == 0
    assert runner.invoke(app, ["keys", "create", "--role", "agency"]).exit_code == 2
    assert runner.invoke(app, ["keys", "create", "--role", "boss"]).exit_code == 2


def test_keys_only_for_known_agencies_and_agencies_add_list(var: Path) -> None:
    refused = runner.invoke(app, ["keys", "create", "--role", "agency", "--agency",
                                  "Viện Chưa Biết"])
    assert refused.exit_code == 2
    assert 'wastescreen agencies add "Viện Chưa Biết"' in " ".join(refused.output.split())
    assert "chưa có trong danh sách cơ quan đã biết" in " ".join(refused.output.split())
    added = runner.invoke(app, ["--lang", "en", "agencies", "add", "  Viện   Chưa Biết "])
    assert added.exit_code == 0 and "Agency added: Viện Chưa Biết" in added.output
    again = runner.invoke(app, ["agencies", "add", "VIỆN CHƯA BIẾT"])
    assert again.exit_code == 0 and "Đã có trong danh sách với tên: Viện Chưa Biết" in again.output
    invisible = runner.invoke(app, ["agencies", "add", "Viện\u200bX"])
    assert invisible.exit_code == 2 and "agency: Chứa ký tự vô hình" in invisible.output
    listed = runner.invoke(app, ["agencies", "list"])
    assert "Viện Chưa Biết" in listed.output and "admin" in listed.output
    made = runner.invoke(app, ["keys", "create", "--role", "agency", "--agency",
                               "viện chưa biết"])
    assert made.exit_code == 0 and "agency, Viện Chưa Biết" in made.output


def test_audit_verify_names_the_edited_event(var: Path) -> None:
    for _ in range(3):
        runner.invoke(app, ["keys", "create", "--role", "reviewer"])
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "nguyên vẹn: 3 sự kiện" in ok.output
    assert "intact: 3 events" in runner.invoke(app, ["--lang", "en", "audit", "verify"]).output
    db = open_database(Settings(var_dir=var))
    with db.sessions() as s:
        s.execute(update(AuditEventRow).where(AuditEventRow.seq == 2).values(subject="key:99"))
        s.commit()
    db.dispose()
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "sự kiện 2: nội dung không khớp" in broken.output and "BỊ HỎNG" in broken.output
    english = runner.invoke(app, ["--lang", "en", "audit", "verify"])
    assert "event 2: content does not match its hash (edited)" in english.output
    assert "BROKEN" in english.output


def test_registry_import_prints_the_quality_report(var: Path) -> None:
    result = runner.invoke(app, ["--lang", "en", "registry", "import",
                                 str(EXAMPLES / "labs.csv"), "--kind", "lab"])
    assert result.exit_code == 0, result.output
    assert "Rejected: row 6, province" in result.output
    assert "Merged as duplicates: row 7" in result.output
    assert "Bắc Giang" in result.output
    again = runner.invoke(app, ["registry", "import", str(EXAMPLES / "labs.csv"), "--kind",
                                "lab"])  # Vietnamese by default
    assert "Bị từ chối: dòng 6, province" in again.output and "Nhập labs.csv" in again.output
    assert "(tên trước tháng 7/2025)" in " ".join(again.output.split())
    legacy = var.parent / "labs-1258.csv"  # saved by Excel in the Windows Vietnamese code page
    legacy.write_bytes((EXAMPLES / "labs.csv").read_text("utf-8").encode("cp1258", "replace"))
    refused = runner.invoke(app, ["registry", "import", str(legacy), "--kind", "lab"])
    assert refused.exit_code == 2 and "không ở mã UTF-8" in " ".join(refused.output.split())
    assert "Traceback" not in refused.output
    assert runner.invoke(app, ["registry", "import", str(EXAMPLES / "labs.csv"),
                               "--kind", "nothing"]).exit_code == 2


def test_screen_without_a_model_says_so(var: Path) -> None:
    result = runner.invoke(app, ["screen", str(EXAMPLES / "proposal.json")])
    assert result.exit_code == 1 and "wastescreen train" in result.output
    bad = var.parent / "bad.json"
    bad.write_text('{"title": ""}', "utf-8")
    invalid = runner.invoke(app, ["screen", str(bad)])
    assert invalid.exit_code == 2
    assert "title: Không được để trống. (quy tắc empty_text)" in invalid.output
    english = runner.invoke(app, ["--lang", "en", "screen", str(bad)])
    assert "title: Must not be empty. (rule empty_text)" in english.output


def test_after_demo_the_readme_agency_key_can_be_made(var: Path) -> None:
    demo = runner.invoke(app, ["demo", "--n-proposals", "200"])
    assert demo.exit_code == 0, demo.output
    # In a log (not a terminal): one timestamped line per stage, then what was written.
    stages = [line[9:] for line in demo.output.splitlines()
              if re.match(r"^\d\d:\d\d:\d\d ", line)]
    assert stages[0] == "Sinh danh mục mẫu (200 đề xuất trước đây)"
    assert "Ghi bảng labs (400 dòng)" in stages and "Ghi bảng proposals (200 dòng)" in stages
    assert len(stages) == len(set(stages))  # a table once, however many chunks
    assert "Đã ghi danh mục mẫu (dữ liệu tổng hợp): 400 phòng thí nghiệm" in demo.output
    made = runner.invoke(app, ["keys", "create", "--role", "agency", "--agency",
                               "Viện Công nghệ Mẫu 07"])
    assert made.exit_code == 0, made.output
    listed = runner.invoke(app, ["agencies", "list"]).output
    assert "registry" in listed and "demo" in listed


def test_models_and_reproduce_refusals_in_the_chosen_language(var: Path) -> None:
    shown = runner.invoke(app, ["models", "show", "v999"])
    assert shown.exit_code == 1 and "Không có phiên bản mô hình v999" in shown.output
    promoted = runner.invoke(app, ["--lang", "en", "models", "promote", "v999"])
    assert promoted.exit_code == 1 and "No model version v999" in promoted.output
    missing = runner.invoke(app, ["reproduce", "no-such-id"])
    assert missing.exit_code == 2 and "Không có lượt sàng lọc no-such-id" in missing.output
    listed = runner.invoke(app, ["keys", "list"])
    assert listed.exit_code == 0 and "vai trò" in listed.output


def test_serve_tells_its_workers_how_many_they_are(var: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Each worker reads WASTESCREEN_WORKERS (``Settings.workers``) to share the cores."""
    import uvicorn

    seen: dict[str, object] = {}

    def run(*_: object, **kw: object) -> None:
        seen.update(kw, slots=get_settings().screening_slots(),
                    workers_env=os.environ.get("WASTESCREEN_WORKERS"))

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setenv("WASTESCREEN_WORKERS", "7")  # a leftover, overridden by --workers
    monkeypatch.delenv("WASTESCREEN_SCREENING_CONCURRENCY", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    result = runner.invoke(app, ["serve", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert seen["workers"] == 2 and seen["workers_env"] == "2" and seen["slots"] == 1
