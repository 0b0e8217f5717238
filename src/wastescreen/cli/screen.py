"""The ``screen`` and ``batch`` commands: load the engine once, then call the use cases."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress

from wastescreen.cli.lang import current, say
from wastescreen.core.labels import report as L
from wastescreen.core.labels.messages import msg
from wastescreen.core.locale_format import Lang
from wastescreen.core.settings import get_settings
from wastescreen.domain.errors import field_errors
from wastescreen.domain.proposal import Proposal
from wastescreen.screening.batch import file_message
from wastescreen.screening.engine import load_engine
from wastescreen.screening.service import ModelNotReady
from wastescreen.screening.usecases import CLI, Screener
from wastescreen.storage.database import Database, open_database
from wastescreen.storage.registry_import import ImportFileError
from wastescreen.storage.tables import as_utc


def _screener() -> tuple[Database, Screener]:
    settings = get_settings()
    db = open_database(settings)
    with db.sessions() as session:
        return db, Screener(load_engine(settings, session))


def screen_file(path: Path, *, fmt: str, out: Path | None, lang: str, console: Console) -> int:
    """Screen the proposal in ``path`` (stored as a pre-check); returns the exit code."""
    if fmt not in ("json", "html", "pdf"):
        console.print(say("bad_choice", option="--format", choices="json, html, pdf"),
                      style="red", markup=False)
        return 2
    if lang not in ("vi", "en"):
        console.print(say("bad_lang"), style="red", markup=False)
        return 2
    if fmt != "json" and out is None:
        console.print(say("needs_out"), style="red", markup=False)
        return 2
    language: Lang = "vi" if lang == "vi" else "en"
    try:
        proposal = Proposal.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        for e in field_errors(exc):
            console.print(say("proposal_invalid", field=e.field or "proposal",
                              message=e.message(current()), rule=e.rule), markup=False)
        return 2
    db, screener = _screener()
    try:
        with db.sessions() as session:
            screened = screener.precheck(session, proposal, CLI)
    except ModelNotReady:
        console.print(say(msg("model_not_ready")), style="red", markup=False)
        return 1
    result, screening_id = screened.result, screened.row.id
    when = as_utc(screened.row.created_at)  # the report shows it in Viet Nam's time
    if fmt == "json":
        text = json.dumps({"screening_id": screening_id, **result.model_dump(mode="json")},
                          ensure_ascii=False, indent=2)
        if out:
            out.write_text(text + "\n", "utf-8")
        else:
            print(text)
        return 0
    from wastescreen.reporting.render import render_report_html, render_report_pdf

    assert out is not None  # checked above
    if fmt == "pdf":
        out.write_bytes(render_report_pdf(result, lang=language, screening_id=screening_id,
                                          submitted_at=when, proposal=proposal))
    else:
        out.write_text(render_report_html(result, lang=language, screening_id=screening_id,
                                          submitted_at=when, proposal=proposal), "utf-8")
    console.print(say("report_written", out=str(out), id=screening_id,
                      band=L.lookup(L.BANDS, result.band, current())), markup=False)
    return 0


def batch_file(path: Path, *, out: Path, scheduler: str | None, console: Console) -> int:
    """Screen every valid row of ``path`` and write the results; returns the exit code."""
    from wastescreen.screening.batch import read_batch_file, write_results

    settings = get_settings()
    try:
        rows = read_batch_file(path, max_rows=settings.batch_max_rows)
    except ImportFileError as exc:
        console.print(say(file_message(exc)), style="red", markup=False)
        return 2
    if scheduler:
        from wastescreen.screening.batch_dask import ClusterUnavailable, screen_rows_on_cluster

        try:
            with console.status(say("batch_cluster", n=len(rows), scheduler=scheduler)):
                results = screen_rows_on_cluster(scheduler, settings, rows)
        except ClusterUnavailable as exc:
            console.print(say(exc.message), style="red", markup=False)
            return 2
    else:
        db, screener = _screener()
        with Progress(console=console) as progress, db.sessions() as session:
            task = progress.add_task(say("batch_screening"), total=len(rows))
            results = screener.screen_rows(
                rows, session=session, progress=lambda done: progress.update(task, completed=done))
    write_results(results, out)
    bad = [r for r in results if r["status"] == "invalid"]
    console.print(say("batch_done", ok=len(results) - len(bad), bad=len(bad), out=str(out)),
                  markup=False)
    # On the terminal each error says its rule in the reader's language; the file keeps the
    # rule codes a program reads.
    for item in (r for r in rows if r.errors):
        errors = "; ".join(f"{e.field or 'proposal'}: {e.message(current())}"
                           for e in item.errors)
        console.print(say("batch_row_errors", row=str(item.row), errors=errors), markup=False)
    return 0
