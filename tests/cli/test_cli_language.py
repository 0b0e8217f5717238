"""The command line speaks Vietnamese by default, English with ``--lang en`` or
``WASTESCREEN_LANG=en``; ``train`` shows one line per stage in a log; the CLI report carries
its date in Viet Nam's time; ``--scheduler`` without the cluster extra says how to install it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, requires_pdf
from wastescreen.cli.main import app
from wastescreen.core.settings import get_settings

runner = CliRunner()
HARFBUZZ = "ignore:HarfBuzz-Subset will be required:DeprecationWarning"
STAGE = re.compile(r"^\d\d:\d\d:\d\d \S")


@pytest.fixture
def env(trained: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("WASTESCREEN_VAR_DIR", str(trained[0]))
    get_settings.cache_clear()
    yield trained[0]
    get_settings.cache_clear()


def test_train_says_one_line_per_stage_in_a_log(trained: tuple[Path, str]) -> None:
    lines = trained[1].strip().splitlines()
    stages = [line for line in lines if STAGE.match(line)]
    assert [s[9:] for s in stages][:2] == [
        "Đọc lịch sử đề xuất và sổ đăng ký",
        "Dựng đặc trưng cho 300 đề xuất (so với 400 phòng thí nghiệm, 1.000 chương trình)"]
    assert any("Huấn luyện mô hình 1/3: Trùng lặp" in s for s in stages)
    assert any(s[9:].startswith("Đưa mô hình") for s in stages)
    assert len(stages) == 7 and lines[-1].startswith("Đã đăng ký mô hình")
    assert re.search(r"\(\d+ giây\)\.$", lines[-1])


def test_language_by_flag_and_by_setting(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    again = ["train", "--if-missing"]
    assert "Đã có mô hình" in runner.invoke(app, again).output
    assert "is already promoted" in runner.invoke(app, ["--lang", "en", *again]).output
    monkeypatch.setenv("WASTESCREEN_LANG", "en")
    get_settings.cache_clear()
    assert "is already promoted" in runner.invoke(app, again).output
    assert "Đã có mô hình" in runner.invoke(app, ["--lang", "vi", *again]).output
    refused = runner.invoke(app, ["--lang", "fr", *again])
    assert refused.exit_code == 2 and "--lang" in refused.output


def test_the_cli_report_carries_its_date_in_viet_nam_time(env: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    done = runner.invoke(app, ["screen", str(EXAMPLES / "proposal.json"), "--format", "html",
                               "--out", str(out)])
    assert done.exit_code == 0 and "Đã ghi báo cáo vào" in done.output
    when = re.search(r'data-field="submitted_at">([^<]*)<', out.read_text("utf-8"))
    assert when is not None and re.fullmatch(
        r"\d\d:\d\d ngày \d\d/\d\d/20\d\d \(giờ Việt Nam\)", when.group(1)), when


@requires_pdf
@pytest.mark.filterwarnings(HARFBUZZ)
def test_the_cli_pdf_carries_its_date(env: Path, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = tmp_path / "report.pdf"
    done = runner.invoke(app, ["--lang", "en", "screen", str(EXAMPLES / "proposal.json"),
                               "--format", "pdf", "--out", str(out)])
    assert done.exit_code == 0, done.output
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"\d{1,2} \w{3} 20\d\d, \d\d:\d\d \(Viet Nam time\)", text), text[:2000]


def test_scheduler_without_the_cluster_extra_says_how_to_install_it(env: Path) -> None:
    # distributed made unimportable, as on an install without the extra
    code = ("import sys; sys.modules['distributed'] = None\n"
            "from wastescreen.cli.main import app\n"
            "app(['batch', sys.argv[1], '--out', sys.argv[2], '--scheduler', 'tcp://127.0.0.1:1'])")
    for lang, words in (("vi", "cần gói mở rộng cluster"), ("en", "needs the cluster extra")):
        done = subprocess.run(
            [sys.executable, "-c", code, str(EXAMPLES / "proposals_batch.csv"),
             str(env.parent / "out.csv")], capture_output=True, text=True, timeout=120,
            env={"PATH": "/usr/bin:/bin", "WASTESCREEN_VAR_DIR": str(env),
                 "WASTESCREEN_LANG": lang, "COLUMNS": "200"})
        assert done.returncode == 2, done.stderr[-2000:]
        assert words in done.stdout and "pip install 'wastescreen[cluster]'" in done.stdout


def test_batch_row_errors_are_told_in_the_chosen_language(env: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    for lang, words in (("vi", "TRL mục tiêu không được thấp hơn TRL ban đầu"),
                        ("en", "The target TRL must not be below the starting TRL")):
        done = runner.invoke(app, ["--lang", lang, "batch", str(EXAMPLES / "proposals_batch.csv"),
                                   "--out", str(out)], terminal_width=250)
        assert done.exit_code == 0, done.output
        assert words in done.output and "trl_target_below_start" not in done.output
    assert "trl_target: trl_target_below_start" in out.read_text("utf-8")  # the file: codes


def test_help_is_in_the_chosen_language() -> None:
    from wastescreen.cli.lang import _argv_lang

    assert _argv_lang(["--lang", "en", "keys", "--help"]) == "en"
    assert _argv_lang(["--lang=en", "--help"]) == "en"
    assert _argv_lang(["keys", "--help"]) in ("vi", "en")  # WASTESCREEN_LANG's, else vi
    command = [sys.executable, "-m", "wastescreen.cli.main"]
    env = {k: v for k, v in __import__("os").environ.items() if k != "WASTESCREEN_LANG"}
    vi = subprocess.run([*command, "keys", "create", "--help"], capture_output=True,
                        text=True, env=env, check=True).stdout
    en = subprocess.run([*command, "--lang", "en", "keys", "create", "--help"],
                        capture_output=True, text=True, env=env, check=True).stdout
    assert "Tạo một khóa API" in " ".join(vi.split()) and "Ghi chú về khóa" in vi
    assert "Create an API key" in " ".join(en.split()) and "A note about the key" in en
