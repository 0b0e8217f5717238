"""Batch throughput: 10,000 different proposals screened in bulk, beside the per-row path, in
one run (issue 17, item 3).

Three paths over the same validated rows (``BatchRow``), each giving the batch output rows
(``RESULT_COLUMNS``) without storing them:

- per row (the baseline: the batch path before bulk screening): ``Screener.screen_row`` on
  each row, i.e. the whole per-proposal screening (what-if variants, evidence, every flag's
  sentence) summarised; timed on a sample (``--sample``, every n-th row) to keep the run short;
- bulk: ``Screener.screen_rows`` on all rows (``screening.bulk``, ``bulk.CHUNK`` rows per call);
- Dask: ``batch_dask.screen_rows_on_cluster`` on a ``LocalCluster`` of 2 worker processes
  (1 thread each), all rows; the cluster's start and the workers' engine loading are not timed
  (a warm-up batch loads each worker's engine first). Twice on the same cluster: first with
  the workers' allocator as Dask's nanny sets it (a 64 KiB trim threshold: every large array
  fresh pages), then as the service sets it (``core.memory.keep_freed_memory``).

The rows of the three paths must be equal (bulk against per row on the sample, Dask against
bulk on all rows), or the run stops. The proposals: historical proposals of the database moved
to the example's budget cycle (``precheck_driver.proposal_bodies``: all different), topped up
from the demo generator with another seed when the database holds fewer.

The first 3,000 rows are screened in bulk once more with the exact text score of every pair
of the overlap search taken by SciPy, as before ``features.pair_dots`` (the same rows are
required).

Then ``--profile-rows`` rows (2,000) are screened in bulk again under cProfile, and a second
table says where the time goes (features and their overlap searches, duplicate likelihoods,
red-flag quantities, SHAP, reasons, hashes).

Usage: ``python -m bench.batch_throughput [--var DIR] [--rows 10000] [--sample 300]
[--no-dask] [--profile-rows 2000]``: a var folder with data and a promoted model (e.g. the
one ``make run`` fills; without it a small demo set-up is built in a temporary folder). Wall time
(``time.perf_counter``) and CPU (``time.process_time`` of this process, and of the Dask
workers): with other work on the machine, screenings per CPU second compare the paths. Writes
``bench/results/batch-throughput.json`` (top-level ``bulk_per_s``, ``per_row_per_s``,
``dask_per_s``, ``dask_nanny_allocator_per_s``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import write_results
from bench.precheck_driver import moved, use_var, var_folder

TARGET_PER_S = 500.0
SCIPY_ROWS = 3_000  # rows screened in bulk again with SciPy's pair scores (same rows required)
DASK_WORKERS = 2


def _proposals(n: int) -> list[Any]:
    """``n`` different validated proposals in the example's cycle."""
    from sqlalchemy import func, select

    from bench.precheck_driver import proposal_bodies
    from wastescreen.core.settings import Settings
    from wastescreen.demo_portfolio import generate_portfolio
    from wastescreen.domain.proposal import Proposal
    from wastescreen.storage.database import open_database
    from wastescreen.storage.tables import ProposalRow

    db = open_database(Settings())
    with db.sessions() as session:
        stored = int(session.execute(select(func.count()).select_from(ProposalRow)
                                     .where(ProposalRow.kind == "historical")).scalar_one())
    db.dispose()
    bodies = proposal_bodies(min(n, stored + 1))
    cycle = int(json.loads(bodies[0])["cycle"])
    out = [Proposal.model_validate_json(b) for b in bodies]
    if len(out) < n:
        extra = generate_portfolio(911, n_labs=60, n_programs=600, n_proposals=n - len(out))
        out += [Proposal.model_validate(moved(p.model_dump(mode="json"), cycle))
                for p in extra.proposals[: n - len(out)]]
    if len({p.model_dump_json() for p in out}) != n:
        raise SystemExit("two of the benchmark's proposals are the same")
    return out


def _timed(fn: Callable[[], list[dict[str, Any]]]) -> tuple[list[dict[str, Any]], float, float]:
    """(fn's rows, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    rows = fn()
    return rows, time.perf_counter() - wall, time.process_time() - cpu


# What the bulk path's time goes to: function (module path suffix, name) -> label.
STAGES = {
    ("features/build.py", "_registry_matches"): "features: overlap with the registry",
    ("features/build.py", "_peer_matches"): "features: overlap with the cycle's filed submissions",
    ("features/build.py", "build_feature_columns"): "features: all (overlap included)",
    ("features/flag_inputs.py", "flag_inputs"): "red-flag quantities",
    ("features/match_likelihood.py", "of"): "  of which the duplicate likelihood of each match",
    ("models/explain.py", "explain_encoded"): "scores and exact SHAP (XGBoost pred_contribs)",
    ("screening/reasons.py", "top_reasons"): "top reason",
    ("core/canonical.py", "sha256_hex"): "input hash",
    ("screening/bulk.py", "screen_bulk"): "bulk screening, all",
}


def _profile(screener: Any, rows: list[Any], as_of: dt.date) -> dict[str, float]:
    """Seconds (cumulative, under cProfile, which slows Python code more than C) in each of
    ``STAGES`` while ``rows`` are screened in bulk."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    screener.screen_rows(rows, as_of=as_of)
    profile.disable()
    stats: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    out = dict.fromkeys(STAGES.values(), 0.0)
    for (path, _, name), (_, _, _, cumulative, _) in stats.items():
        for (suffix, function), label in STAGES.items():
            if name == function and path.endswith(suffix):
                out[label] += cumulative
    return out


def _without_compiled_pair_scores(fn: Callable[[], list[dict[str, Any]]]
                                  ) -> tuple[list[dict[str, Any]], float, float]:
    """``_timed(fn)`` with the overlap search's exact text scores taken by SciPy's gather,
    multiply and sum (the path before ``features.pair_dots``), every pair scored."""
    from wastescreen.features import overlap_query
    from wastescreen.features.pair_dots import scipy_pair_dots

    def by_scipy(a: Any, rows: Any, q: Any, pq: Any, n_literal: int,
                 **_: Any) -> tuple[Any, Any]:
        return scipy_pair_dots(a, rows, q, pq, n_literal)

    name = "pair_dots"  # the name the overlap search calls
    saved = getattr(overlap_query, name)  # raises if the search stopped calling it so
    setattr(overlap_query, name, by_scipy)
    try:
        return _timed(fn)
    finally:
        setattr(overlap_query, name, saved)


def _engines_loaded() -> int:
    from wastescreen.screening import batch_dask

    return len(batch_dask._SCREENERS)


def _nanny_allocator() -> bool:
    """Runs on a worker: its allocator put back as Dask's nanny starts it
    (``MALLOC_TRIM_THRESHOLD_=65536``: a 64 KiB trim threshold and glibc's first mmap
    threshold, 128 KiB, fixed), undoing ``core.memory.keep_freed_memory``."""
    import ctypes

    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(-3, 128 * 1024) == 1 and mallopt(-1, 65536) == 1)


def _dask(rows: list[Any], as_of: dt.date) -> dict[str, tuple[list[dict[str, Any]], float, float]]:
    """(rows, wall seconds, CPU seconds of the workers and this client together) of the rows
    screened on one local cluster twice: ``"nanny"`` with the workers' allocator as Dask's
    nanny sets it, then ``"kept"`` as the service sets it (``keep_freed_memory``)."""
    import distributed

    from wastescreen.core.memory import keep_freed_memory
    from wastescreen.core.settings import Settings
    from wastescreen.screening.batch_dask import screen_rows_on_cluster

    settings = Settings()
    new_cluster: Callable[..., Any] = distributed.LocalCluster  # untyped
    out: dict[str, tuple[list[dict[str, Any]], float, float]] = {}
    with new_cluster(n_workers=DASK_WORKERS, threads_per_worker=1, processes=True,
                     dashboard_address=None) as cluster:
        screen_rows_on_cluster(cluster.scheduler_address, settings, rows[:40], as_of=as_of)
        with distributed.Client(cluster) as client:  # type: ignore[no-untyped-call]
            loaded = client.run(_engines_loaded)
            if len(loaded) != DASK_WORKERS or not all(loaded.values()):
                raise SystemExit(f"the warm-up did not load an engine on every worker: {loaded}")
            for name, setting in (("nanny", _nanny_allocator), ("kept", keep_freed_memory)):
                if not all(client.run(setting).values()):
                    raise SystemExit(f"a worker refused the allocator setting {name!r}")
                before = client.run(time.process_time)
                done, wall, cpu = _timed(lambda: screen_rows_on_cluster(
                    cluster.scheduler_address, settings, rows, as_of=as_of))
                after = client.run(time.process_time)
                out[name] = (done, wall, cpu + sum(after[w] - before[w] for w in before))
    return out


def measure(var: Path, n: int, sample: int, dask: bool, profile_rows: int) -> None:
    """Time the paths against the data and model under ``var``; print and write the figures."""
    from wastescreen.core.settings import Settings
    from wastescreen.screening.batch import BatchRow
    from wastescreen.screening.bulk import CHUNK
    from wastescreen.screening.engine import load_engine
    from wastescreen.screening.usecases import Screener
    from wastescreen.storage.database import open_database

    use_var(var)
    load_before = os.getloadavg()
    proposals = _proposals(n)
    rows = [BatchRow(row=i + 2, proposal=p) for i, p in enumerate(proposals)]
    settings = Settings()
    db = open_database(settings)
    with db.sessions() as session:
        screener = Screener(load_engine(settings, session))
    db.dispose()
    as_of = dt.datetime.now(dt.UTC).date()
    step = max(n // sample, 1)
    picked = rows[::step][:sample]
    screener.screen_rows(rows[:CHUNK], as_of=as_of)  # warm-up of both paths
    for r in picked[:10]:
        screener.screen_row(r)

    per_row, per_row_s, per_row_cpu = _timed(lambda: [screener.screen_row(r) for r in picked])
    bulk, bulk_s, bulk_cpu = _timed(lambda: screener.screen_rows(rows, as_of=as_of))
    by_row = {r["row"]: r for r in bulk}
    if [by_row[r["row"]] for r in per_row] != per_row:
        raise SystemExit("bulk rows differ from the per-row rows of the sample")
    figures: dict[str, Any] = {
        "rows": n, "per_row_sample": len(picked), "bulk_chunk": CHUNK,
        "per_row_seconds": per_row_s, "per_row_cpu_seconds": per_row_cpu,
        "per_row_per_s": len(picked) / per_row_s,
        "bulk_seconds": bulk_s, "bulk_cpu_seconds": bulk_cpu, "bulk_per_s": n / bulk_s,
        "target_per_s": TARGET_PER_S, "as_of": as_of.isoformat(), "var": str(var),
        "bands": {b: sum(r["band"] == b for r in bulk) for b in ("low", "medium", "high")}}
    table: list[tuple[str, ...]] = [
        ("per row (baseline: screen_row, full screening)", f"{len(picked):,}",
         f"{per_row_s:.2f}", f"{len(picked) / per_row_s:,.0f}",
         f"{len(picked) / per_row_cpu:,.0f}", "", ""),
        ("bulk, this process (screen_rows)", f"{n:,}", f"{bulk_s:.2f}", f"{n / bulk_s:,.0f}",
         f"{n / bulk_cpu:,.0f}", f"{(n / bulk_s) / (len(picked) / per_row_s):.1f}×",
         f"≥ {TARGET_PER_S:,.0f}/s"),
    ]
    scipy_n = min(n, SCIPY_ROWS)
    scipy_rows, scipy_s, scipy_cpu = _without_compiled_pair_scores(
        lambda: screener.screen_rows(rows[:scipy_n], as_of=as_of))
    if scipy_rows != bulk[:scipy_n]:
        raise SystemExit("bulk rows with SciPy's pair scores differ from the compiled ones")
    figures.update({"bulk_scipy_rows": scipy_n, "bulk_scipy_seconds": scipy_s,
                    "bulk_scipy_per_s": scipy_n / scipy_s})
    table.insert(1, ("bulk, the pair scores by SciPy (before features.pair_dots)",
                     f"{scipy_n:,}", f"{scipy_s:.2f}", f"{scipy_n / scipy_s:,.0f}",
                     f"{scipy_n / scipy_cpu:,.0f}",
                     f"{(scipy_n / scipy_s) / (len(picked) / per_row_s):.1f}×", "same rows"))
    if dask:
        runs = _dask(rows, as_of)
        if any(remote != bulk for remote, _, _ in runs.values()):
            raise SystemExit("the Dask cluster's rows differ from the local bulk rows")
        (_, nanny_s, nanny_cpu), (_, dask_s, dask_cpu) = runs["nanny"], runs["kept"]
        figures.update({"dask_workers": DASK_WORKERS, "dask_seconds": dask_s,
                        "dask_cpu_seconds": dask_cpu, "dask_per_s": n / dask_s,
                        "dask_nanny_allocator_seconds": nanny_s,
                        "dask_nanny_allocator_cpu_seconds": nanny_cpu,
                        "dask_nanny_allocator_per_s": n / nanny_s})
        for label, wall, cpu, target in (
                ("the workers' allocator as Dask's nanny sets it", nanny_s, nanny_cpu,
                 "same rows"),
                ("freed blocks kept (core.memory, as the service runs)", dask_s, dask_cpu,
                 f"≥ {TARGET_PER_S:,.0f}/s")):
            table.append((f"bulk on a Dask LocalCluster, {DASK_WORKERS} worker processes, "
                          + label, f"{n:,}", f"{wall:.2f}", f"{n / wall:,.0f}",
                          f"{n / cpu:,.0f}", f"{(n / wall) / (len(picked) / per_row_s):.1f}×",
                          target))
    load_after = os.getloadavg()
    figures["load_average_1m_5m"] = [load_before[:2], load_after[:2]]
    print_rows(f"batch screening of {n:,} different proposals, wall time, the per-row path "
               f"beside bulk in the same run; load average {load_before[0]:.2f} → "
               f"{load_after[0]:.2f}", table)
    if profile_rows:
        stages = _profile(screener, rows[:profile_rows], as_of)
        whole = stages[STAGES[("screening/bulk.py", "screen_bulk")]] or 1.0
        figures["bulk_profile_seconds"] = {"rows": profile_rows, **stages}
        print_rows(f"where the bulk path's time goes: {profile_rows:,} rows under cProfile "
                   "(cumulative; nested stages are inside 'all')",
                   [(label, f"{sec:.2f}", f"{100 * sec / whole:.0f} %")
                    for label, sec in stages.items()], ("stage", "seconds", "share"))
    write_results("batch-throughput", figures)
    print(json.dumps({k: round(figures[k], 1) for k in (
        "per_row_per_s", "bulk_per_s", "dask_nanny_allocator_per_s", "dask_per_s")
        if k in figures}))


def print_rows(title: str, rows: list[tuple[str, ...]],
               columns: tuple[str, ...] = ("path", "rows", "seconds", "screenings/s",
                                           "per CPU second", "vs per row", "target")) -> None:
    """A table; by default: path, rows, wall seconds, screenings per wall second and per CPU
    second (of this process; for Dask, of its workers and this client), against the per-row
    baseline (wall), target."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    Console(width=140).print(table)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, help="an existing var folder with data and model")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=300, help="rows timed on the per-row path")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask cluster")
    parser.add_argument("--profile-rows", type=int, default=2000,
                        help="rows screened again under cProfile for the stages table (0: none)")
    args = parser.parse_args()
    with var_folder(args.var) as var:
        measure(var, args.rows, args.sample, not args.no_dask, args.profile_rows)


if __name__ == "__main__":
    main()
