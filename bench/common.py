"""What every benchmark shares: where the real data is, the results file and the printed table."""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORLDBANK = ROOT.parent / "shared" / "data" / "external" / "worldbank"


def require_worldbank() -> Path:
    """The World Bank folder, or exit 0 with a message when it is absent (benchmark skipped)."""
    if not WORLDBANK.is_dir():
        print(f"skipped: {WORLDBANK} is absent (the real data lives beside the repository)")
        sys.exit(0)
    return WORLDBANK


def median_ms(fn: Callable[[], object], runs: int, *, warmup: int = 1,
              clock: Callable[[], float] = time.perf_counter) -> float:
    """Median milliseconds of ``runs`` calls of ``fn`` after ``warmup`` untimed ones, on
    ``clock`` (``time.process_time`` for CPU time)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = clock()
        fn()
        times.append((clock() - start) * 1000.0)
    return statistics.median(times)


def write_results(name: str, figures: dict[str, Any]) -> Path:
    """Write ``bench/results/NAME.json`` with the figures and the machine they were taken on."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    payload = dict(figures)
    payload["machine"] = {"python": platform.python_version(), "processor": platform.machine()}
    out.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return out


def print_table(title: str, rows: list[tuple[str, str, str, str]]) -> None:
    """Print rows of (measure, baseline, ours, target) as a table."""
    table = Table(title=title)
    for col in ("measure", "baseline", "ours", "target"):
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    Console(width=120).print(table)
