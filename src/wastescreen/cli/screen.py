"""The ``screen`` and ``batch`` commands: load the engine once, then call the shared service."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress

from wastescreen.core.locale_format import Lang
from wastescreen.core.settings import get_settings
from wastescreen.domain.proposal import Proposal
from wastescreen.screening.engine import ScreeningEngine, load_engine
from wastescreen.storage.database import Database, open_database


def _engine() -> tuple[Database, ScreeningEngine]:
    settings = get_settings()
    db = open_database(settings)
    with db.sessions() as session:
        return db, load_engine(settings, session)


def screen_file(path: Path, *, fmt: str, out: Path | None, lang: str, console: Console) -> int:
    """Screen the proposal in ``path``; returns the exit code."""
    from wastescreen.screening.service import ModelNotReady, screen_proposal
    from wastescreen.storage.screenings import ScreeningKind, new_id, save_screening

    if fmt not in ("json", "html", "pdf") or lang not in ("vi", "en"):
        console.print("[red]--format must be json, html or pdf and --lang vi or en[/red]")
        return 2
    try:
        proposal = Proposal.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        for e in exc.errors():
            console.print(f"{'.'.join(str(p) for p in e['loc'])}: {e['type']}: {e['msg']}",
                          markup=False)
        return 2
    db, engine = _engine()
    pid = new_id()
    try:
        result = screen_proposal(engine, proposal, pid)
    except ModelNotReady as exc:
        console.print(f"[red]{exc}[/red]")
        return 1
    with db.sessions() as session:
        row = save_screening(session, proposal, pid, result, ScreeningKind.PRECHECK,
                             actor="cli")
    if fmt == "json":
        text = json.dumps({"screening_id": row.id, **result.model_dump(mode="json")},
                          ensure_ascii=False, indent=2)
        if out:
            out.write_text(text + "\n", "utf-8")
        else:
            print(text)
        return 0
    from wastescreen.reporting.render import render_report_html, render_report_pdf

    if out is None:
        console.print("[red]--out FILE is needed for html and pdf[/red]")
        return 2
    language: Lang = "vi" if lang == "vi" else "en"
    if fmt == "pdf":
        out.write_bytes(render_report_pdf(result, lang=language, screening_id=row.id))
    else:
        out.write_text(render_report_html(result, lang=language, screening_id=row.id), "utf-8")
    console.print(f"Report written to {out} (screening {row.id}, band {result.band}).")
    return 0


def batch_file(path: Path, *, out: Path, scheduler: str | None, console: Console) -> int:
    """Screen every valid row of ``path`` and write the results; returns the exit code."""
    from wastescreen.screening.batch import read_batch, screen_rows, write_results
    from wastescreen.storage.registry_import import ImportFileError

    try:
        rows = read_batch(path)
    except ImportFileError as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    if scheduler:
        from wastescreen.screening.batch_dask import screen_rows_on_cluster

        with console.status(f"screening {len(rows)} rows on {scheduler}"):
            results = screen_rows_on_cluster(scheduler, get_settings(), rows)
    else:
        _, engine = _engine()
        with Progress(console=console) as progress:
            task = progress.add_task("screening", total=len(rows))
            results = screen_rows(engine, rows,
                                  lambda done: progress.update(task, completed=done))
    write_results(results, out)
    bad = [r for r in results if r["status"] == "invalid"]
    console.print(f"{len(results) - len(bad)} rows screened, {len(bad)} invalid; "
                  f"results in {out}")
    for r in bad:
        console.print(f"row {r['row']}: {r['errors']}", markup=False)
    return 0
