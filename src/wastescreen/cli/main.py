"""The ``wastescreen`` command line. Every command calls the same services as the API."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from wastescreen import __version__
from wastescreen.cli.admin import (
    agencies_app,
    audit_app,
    console,
    keys_app,
    models_app,
    reproduce_command,
)
from wastescreen.cli.lang import current, helps, say, set_lang
from wastescreen.core.labels.messages import msg
from wastescreen.core.settings import get_settings
from wastescreen.storage.database import open_database

app = typer.Typer(help=helps("group_app"),
                  no_args_is_help=True, pretty_exceptions_enable=False)
# The agencies named by examples/ and the README's usage; `wastescreen demo` makes them known.
EXAMPLE_AGENCIES = ("Viện Công nghệ Mẫu 07", "Trường Đại học Minh họa 3")
registry_app = typer.Typer(help=helps("group_registry"), no_args_is_help=True)
app.add_typer(registry_app, name="registry")
app.add_typer(keys_app, name="keys")
app.add_typer(agencies_app, name="agencies")
app.add_typer(audit_app, name="audit")
app.add_typer(models_app, name="models")
app.command("reproduce", help=helps("cmd_reproduce"))(reproduce_command)


@app.callback(help=helps("group_app"))
def main(lang: Annotated[str | None, typer.Option(
        "--lang", help=helps("opt_lang"))] = None) -> None:
    """Screen S&T investment proposals for waste and redundancy risk."""
    try:
        set_lang(lang)
    except ValueError as exc:
        console.print(f"[red]{say('bad_lang')}[/red]")
        raise typer.Exit(2) from exc


@app.command(help=helps("cmd_version"))
def version() -> None:
    """Print the wastescreen version."""
    console.print(say("version", version=__version__), markup=False)


demo_app = typer.Typer(help=helps("group_demo"), invoke_without_command=True)
app.add_typer(demo_app, name="demo")


@demo_app.callback(help=helps("group_demo"))
def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help=helps("opt_seed"))] = 57,
    if_empty: Annotated[bool, typer.Option("--if-empty", help=helps("opt_demo_if_empty"))] = False,
    n_proposals: Annotated[int, typer.Option(help=helps("opt_n_proposals"))] = 30_000,
) -> None:
    """Write the synthetic demo portfolio (labs, programs, past proposals) into the database;
    `demo cycle` files the current budget cycle once a model is trained."""
    if ctx.invoked_subcommand is not None:
        return
    from wastescreen.cli.progress import Stages
    from wastescreen.demo_portfolio import database_is_empty, generate_portfolio, write_portfolio
    from wastescreen.storage.agencies import ensure_agencies, sync_registry_agencies
    from wastescreen.storage.audit_log import append_event

    db = open_database(get_settings())
    if not database_is_empty(db.engine):
        if if_empty:
            console.print(say("demo_not_empty_skip"))
            return
        console.print(say("demo_not_empty"), style="red", markup=False)
        raise typer.Exit(1)
    with Stages(console) as stages:
        stages.stage("demo_generate", {"n": n_proposals})
        portfolio = generate_portfolio(seed, n_proposals=n_proposals)
        tables: list[str] = []

        def step(label: str, done: int, total: int) -> None:
            if label not in tables:  # one line per table, not per chunk
                tables.append(label)
                stages.stage("demo_write", {"table": label, "n": total})

        counts = write_portfolio(db.engine, portfolio, progress=step)
    with db.sessions() as session:
        append_event(session, actor="cli", action="registry.demo_seed", subject=f"seed:{seed}",
                     details={k: int(v) for k, v in counts.items()})
        # The demo registry's agencies become known, and so do the agencies the examples and
        # the README file for (examples/proposal.json is filed by the first).
        sync_registry_agencies(session)
        ensure_agencies(session, EXAMPLE_AGENCIES, "demo")
        session.commit()
    console.print(say("demo_written", labs=counts["labs"], equipment=counts["lab_equipment"],
                      programs=counts["programs"], proposals=counts["proposals"],
                      outcomes=counts["proposal_outcomes"]), markup=False, soft_wrap=True)


@demo_app.command("cycle", help=helps("cmd_demo_cycle"))
def demo_cycle(
    if_empty: Annotated[bool, typer.Option("--if-empty", help=helps("opt_cycle_if_empty"))] = False,
    n: Annotated[int, typer.Option(help=helps("opt_cycle_n"),
                                   min=60)] = 300,
) -> None:
    """File the demo's current budget cycle, every proposal screened and some decided.

    Needs the demo portfolio and a trained model (`wastescreen demo`, `wastescreen train`).
    """
    from wastescreen.cli.progress import Stages
    from wastescreen.demo_portfolio.cycle_filing import NotADemoDatabase, file_demo_cycle
    from wastescreen.screening.service import ModelNotReady

    settings = get_settings()
    db = open_database(settings)
    def filed(done: int, total: int) -> None:
        if done == 1 or done % 50 == 0 or done == total:  # a line every 50 in a log
            stages.stage("cycle_filing", {"done": done, "total": total})

    with db.sessions() as session, Stages(console) as stages:
        try:
            report = file_demo_cycle(settings, session, n=n, progress=filed)
        except NotADemoDatabase as exc:
            console.print(say("cycle_not_demo"), style="red", markup=False)
            raise typer.Exit(1) from exc
        except ModelNotReady as exc:
            console.print(say(msg("model_not_ready")), style="red", markup=False)
            raise typer.Exit(1) from exc
    if report is None:
        console.print(say("cycle_exists"))
        if not if_empty:
            raise typer.Exit(1)
        return
    revise = sum(1 for d in report.latest.values() if d == "revise")
    console.print(say("cycle_filed", cycle=str(report.cycle), n=len(report.screening_ids),
                      agencies=report.agencies, high=report.bands["high"],
                      medium=report.bands["medium"], low=report.bands["low"],
                      decided=len(report.decided), history=len(report.history), revise=revise,
                      revised=len(report.revised)), markup=False, soft_wrap=True)


@registry_app.command("import", help=helps("cmd_registry_import"))
def registry_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help=helps("opt_import_file"))],
    kind: Annotated[str, typer.Option(help=helps("opt_kind"))],
) -> None:
    """Import labs or programs from CSV/XLSX and print the data-quality report."""
    from wastescreen.storage.registry_import import ImportFileError, import_registry_file

    if kind not in ("lab", "program"):
        console.print(say("bad_choice", option="--kind", choices="lab, program"),
                      style="red", markup=False)
        raise typer.Exit(2)
    db = open_database(get_settings())
    with db.sessions() as session:
        try:
            report = import_registry_file(session, file, kind)  # type: ignore[arg-type]
        except ImportFileError as exc:
            console.print(say(exc.message), style="red", markup=False)
            raise typer.Exit(2) from exc
    table = Table(title=say("import_title", name=file.name, kind=kind))
    for column in ("rows_read", "accepted", "inserted", "updated", "unchanged", "rejected",
                   "merged"):
        table.add_column(say(f"col_{column}"))
    table.add_row(*(str(x) for x in (report.rows_read, report.accepted, report.inserted,
                                     report.updated, report.unchanged, len(report.rejected),
                                     len(report.merged))))
    console.print(table)
    for key, problems in (("import_rejected", report.rejected),
                          ("import_merged", report.merged), ("import_note", report.notes)):
        for p in problems:
            console.print(say(key, row=p.row, field=p.field, reason=p.reason), markup=False)
    if report.revision:
        console.print(say("import_revision", revision=str(report.revision)))


@app.command(help=helps("cmd_serve"))
def serve(
    host: Annotated[str, typer.Option(help=helps("opt_host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=helps("opt_port"))] = 8000,
    workers: Annotated[int, typer.Option(help=helps("opt_workers"))] = 1,
) -> None:
    """Serve the API and the reviewer pages (http://HOST:PORT, OpenAPI at /docs)."""
    import uvicorn

    # The workers read how many they are (Settings.workers: they share the machine's cores);
    # with one, it serves in this process, whose settings are read again.
    os.environ["WASTESCREEN_WORKERS"] = str(workers)
    get_settings.cache_clear()
    open_database(get_settings()).dispose()  # migrate once, before workers start
    console.print(say("serving", host=host, port=str(port)), markup=False, soft_wrap=True)
    uvicorn.run("wastescreen.api.app:create_app", factory=True, host=host, port=port,
                workers=workers)



@app.command(help=helps("cmd_train"))
def train(
    source: Annotated[Path | None, typer.Option("--from", exists=True, dir_okay=False,
                                                help=helps("opt_from"))] = None,
    if_missing: Annotated[bool, typer.Option("--if-missing", help=helps("opt_if_missing"))] = False,
    promote: Annotated[bool, typer.Option(help=helps("opt_promote"))] = True,
    synthetic: Annotated[bool | None, typer.Option(help=helps("opt_synthetic"))] = None,
) -> None:
    """Train, calibrate, evaluate and register the risk models (progress on a terminal, one
    line per stage in a log)."""
    from wastescreen.cli.progress import Stages
    from wastescreen.screening.training import train_and_register

    settings = get_settings()
    db = open_database(settings)
    with Stages(console) as stages:
        try:
            version = train_and_register(settings, db, source=source, if_missing=if_missing,
                                         promote=promote, synthetic=synthetic,
                                         stage=stages.stage)
        except RuntimeError as exc:
            console.print(say("train_failed", reason=str(exc)), style="red", markup=False)
            raise typer.Exit(1) from exc
    if version is None:
        console.print(say("train_nothing"))
    else:
        console.print(say("train_done_promoted" if promote else "train_done", version=version,
                          elapsed=stages.elapsed()), markup=False, soft_wrap=True)


@app.command(help=helps("cmd_screen"))
def screen(
    proposal_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                                  help=helps("opt_proposal_file"))],
    fmt: Annotated[str, typer.Option("--format", help=helps("opt_format"))] = "json",
    out: Annotated[Path | None, typer.Option(help=helps("opt_out"))] = None,
    lang: Annotated[str | None, typer.Option(help=helps("opt_report_lang"))] = None,
) -> None:
    """Screen one proposal (stored as a pre-check) and print the result or write the report."""
    from wastescreen.cli.screen import screen_file

    raise typer.Exit(screen_file(proposal_file, fmt=fmt, out=out, lang=lang or current(),
                                 console=console))


@app.command(help=helps("cmd_batch"))
def batch(
    infile: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                           help=helps("opt_batch_file"))],
    out: Annotated[Path, typer.Option(help=helps("opt_batch_out"))],
    scheduler: Annotated[str | None, typer.Option(help=helps("opt_scheduler"))] = None,
) -> None:
    """Screen a file of proposals; invalid rows are listed with their field and rule."""
    from wastescreen.cli.screen import batch_file

    raise typer.Exit(batch_file(infile, out=out, scheduler=scheduler, console=console))


if __name__ == "__main__":  # pragma: no cover
    app()
