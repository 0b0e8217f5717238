"""A small trained var folder shared by the CLI tests: a demo portfolio and a model trained on
it by the commands themselves, built once per session (tests that change it work on a copy)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wastescreen.cli.main import app
from wastescreen.core.settings import get_settings


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``wastescreen demo --n-proposals 300`` then ``wastescreen train``: the var folder and
    what ``train`` printed (in a log: CliRunner's output is not a terminal)."""
    var = tmp_path_factory.mktemp("cli-trained") / "var"
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WASTESCREEN_VAR_DIR", str(var))
        mp.delenv("WASTESCREEN_LANG", raising=False)
        get_settings.cache_clear()
        try:
            made = runner.invoke(app, ["demo", "--n-proposals", "300"])
            assert made.exit_code == 0, made.output
            out = runner.invoke(app, ["train"])
            assert out.exit_code == 0, out.output
        finally:
            get_settings.cache_clear()
    return var, out.output


@pytest.fixture
def trained_copy(trained: tuple[Path, str], tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the trained var folder, for a test that changes it, as the CLI's var folder
    (Vietnamese unless a test asks otherwise)."""
    var = tmp_path / "var"
    shutil.copytree(trained[0], var)
    monkeypatch.setenv("WASTESCREEN_VAR_DIR", str(var))
    monkeypatch.delenv("WASTESCREEN_LANG", raising=False)
    get_settings.cache_clear()
    yield var
    get_settings.cache_clear()
