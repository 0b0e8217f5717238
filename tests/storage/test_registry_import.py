"""Registry import: bad rows reported and skipped, good rows kept, repeated import a no-op."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.conftest import EXAMPLES
from wastescreen.storage.audit_log import verify_chain
from wastescreen.storage.database import Database
from wastescreen.storage.registry_import import ImportFileError, import_registry_file, read_table
from wastescreen.storage.registry_store import get_lab, get_program, registry_counts
from wastescreen.storage.tables import AuditEventRow, LabEquipmentRow, RegistryRevisionRow


def test_labs_file_with_bad_rows(db: Database) -> None:
    with db.sessions() as s:
        report = import_registry_file(s, EXAMPLES / "labs.csv", "lab")
    assert report.rows_read == 6
    assert report.inserted == 4
    assert [(p.row, p.field) for p in report.rejected] == [(6, "province")]
    assert report.rejected[0].rule == "unknown_province"
    # The reason is said in either language (the rule's own words, not the validator's).
    assert report.rejected[0].reason.text("vi") != report.rejected[0].reason.text("en")
    assert [(p.row, p.field) for p in report.merged] == [(7, "lab_code")]
    assert [p.row for p in report.notes] == [5]  # Bắc Giang -> Bắc Ninh, reported
    assert "'Bắc Ninh'" in report.notes[0].reason.text("vi")
    assert "trước tháng 7/2025" in report.notes[0].reason.text("vi")
    with db.sessions() as s:
        lab = get_lab(s, "LAB-EX-004")
        assert lab is not None and lab.province == "Bắc Ninh"
        lab1 = get_lab(s, "LAB-EX-001")
        assert lab1 is not None
        assert [(e.category, e.quantity) for e in lab1.equipment] == [
            ("ELECTRON_MICROSCOPE", 1), ("DEPOSITION", 2), ("XRAY_DIFFRACTOMETER", 1)]
        assert lab1.open_for_shared_use is True and lab1.utilisation == pytest.approx(0.31)
        assert get_lab(s, "LAB-EX-005") is None


def test_repeated_import_changes_nothing(db: Database) -> None:
    with db.sessions() as s:
        import_registry_file(s, EXAMPLES / "programs.csv", "program")
        import_registry_file(s, EXAMPLES / "labs.csv", "lab")
    with db.sessions() as s:
        before = (registry_counts(s),
                  s.execute(select(func.count()).select_from(LabEquipmentRow)).scalar_one(),
                  s.execute(select(func.count()).select_from(RegistryRevisionRow)).scalar_one(),
                  s.execute(select(func.count()).select_from(AuditEventRow)).scalar_one())
    with db.sessions() as s:
        again = import_registry_file(s, EXAMPLES / "labs.csv", "lab")
        again_p = import_registry_file(s, EXAMPLES / "programs.csv", "program")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert (again_p.inserted, again_p.updated, again_p.unchanged) == (0, 0, 3)
    assert again.revision is None
    with db.sessions() as s:
        after = (registry_counts(s),
                 s.execute(select(func.count()).select_from(LabEquipmentRow)).scalar_one(),
                 s.execute(select(func.count()).select_from(RegistryRevisionRow)).scalar_one(),
                 s.execute(select(func.count()).select_from(AuditEventRow)).scalar_one())
    assert after == before
    assert before[0].labs == 4 and before[0].programs == 3


def test_programs_file_rejects_end_before_start(db: Database) -> None:
    with db.sessions() as s:
        report = import_registry_file(s, EXAMPLES / "programs.csv", "program")
        assert [(p.row, p.field) for p in report.rejected] == [(5, "end_year")]
        prog = get_program(s, "PRG-EX-0003")
        assert prog is not None and prog.outcome.value == "delivered"
        assert verify_chain(s) == []


def test_changed_row_updates(tmp_path: Path, db: Database) -> None:
    src = (EXAMPLES / "programs.csv").read_text("utf-8")
    with db.sessions() as s:
        import_registry_file(s, EXAMPLES / "programs.csv", "program")
    changed = tmp_path / "programs.csv"
    changed.write_text(src.replace("18000000000", "19000000000"), "utf-8")
    with db.sessions() as s:
        report = import_registry_file(s, changed, "program")
        assert (report.inserted, report.updated, report.unchanged) == (0, 1, 2)
        prog = get_program(s, "PRG-EX-0001")
        assert prog is not None and prog.budget_vnd == 19_000_000_000


def test_xlsx_import_and_conflicting_duplicate(tmp_path: Path, sqlite_db: Database) -> None:
    rows = list(read_table(EXAMPLES / "programs.csv"))
    header = list(rows[0][1].keys())
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for _, cells in rows[:3]:
        sheet.append([cells[h] for h in header])
    conflicting = dict(rows[0][1], title="Một tiêu đề khác")
    sheet.append([conflicting[h] for h in header])
    path = tmp_path / "programs.xlsx"
    book.save(path)
    with sqlite_db.sessions() as s:
        report = import_registry_file(s, path, "program")
    assert report.inserted == 3
    assert [(p.row, p.field) for p in report.rejected] == [(5, "program_code")]
    assert report.rejected[0].rule == "duplicate_key"
    assert "duplicate_key" in report.rejected[0].reason.text("en")


def test_bad_equipment_cell_and_bad_bool(tmp_path: Path, sqlite_db: Database) -> None:
    lines = (EXAMPLES / "labs.csv").read_text("utf-8").splitlines()
    bad = lines[1].replace("ELECTRON_MICROSCOPE|1|", "ELECTRON_MICROSCOPE-1-")
    bad = bad.replace("LAB-EX-001", "LAB-EX-101")
    bad_bool = lines[2].replace(",no,", ",maybe,").replace("LAB-EX-002", "LAB-EX-102")
    path = tmp_path / "labs.csv"
    path.write_text("\n".join([lines[0], bad, bad_bool, lines[3]]) + "\n", "utf-8")
    with sqlite_db.sessions() as s:
        report = import_registry_file(s, path, "lab")
    assert report.inserted == 1
    assert sorted((p.row, p.field) for p in report.rejected) == [
        (2, "equipment"), (3, "open_for_shared_use")]


def test_wrong_file_type(tmp_path: Path, sqlite_db: Database) -> None:
    path = tmp_path / "labs.txt"
    path.write_text("x", "utf-8")
    with sqlite_db.sessions() as s, pytest.raises(ImportFileError, match=r"csv or \.xlsx"):
        import_registry_file(s, path, "lab")
