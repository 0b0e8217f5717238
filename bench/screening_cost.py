"""The CPU of one pre-check in process, today's path beside the frozen baseline (``bench/
baseline``: the path before issue 17), in the same run and over the same proposals.

Both run in one app in this process, one request at a time, through straight ASGI calls
(``bench.precheck_driver``: no sockets, no HTTP client library): the service's
``POST /v1/prechecks`` and the baseline's copy of it mounted at ``/v1/baseline/prechecks``,
behind the same middleware, key check and body validation. Each of ``--proposals`` different
proposals (the example, then historical proposals of the database moved to the example's budget
cycle) goes to the baseline and to the service in turn, so that both see the same load; the
two answers' results must be equal. Then the screening alone (``screen_and_record``, nothing
stored) is timed the same way, and the service's steps one by one on the example.

Usage: ``python -m bench.screening_cost [--var DIR] [--proposals 240]``: a var folder with data
and a promoted model (e.g. the one ``make run`` fills); without it a small demo set-up is built
in a temporary folder. CPU is ``time.process_time`` (all threads of this process). Writes
``bench/results/screening-cost.json`` (top-level ``precheck_cpu_ms`` and
``precheck_cpu_ms_baseline``: medians over the proposals).
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import median_ms, print_table, write_results
from bench.precheck_driver import (
    PRECHECKS,
    client,
    example_body,
    post,
    proposal_bodies,
    reviewer_key,
    use_var,
    var_folder,
)

WARM_UP = 10
TARGET_MS = 7.0


def _same_result(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two answers' results, equal but for what names the stored screening."""
    return bool(a["result"] == b["result"])


async def _requests(bodies: list[str], key: str) -> dict[str, list[float]]:
    """CPU ms of each body through the baseline's route and the service's, in turn."""
    from bench.baseline.route import PATH as BASELINE
    from bench.baseline.route import mount
    from wastescreen.api.app import create_app

    times: dict[str, list[float]] = {"baseline": [], "service": []}
    mismatched = 0
    async with client(mount(create_app())) as c:
        for _ in range(WARM_UP):
            for path in (BASELINE, PRECHECKS):
                await post(c, path, example_body(), key)
        for i, body in enumerate(bodies):
            # Alternate which goes first, so neither always follows the other.
            order = [("baseline", BASELINE), ("service", PRECHECKS)][:: 1 if i % 2 else -1]
            answers = {}
            for name, path in order:
                start = time.process_time()
                answer = await post(c, path, body, key)
                times[name].append((time.process_time() - start) * 1000.0)
                answers[name] = answer.json()
            mismatched += not _same_result(answers["baseline"], answers["service"])
    if mismatched:
        raise SystemExit(f"{mismatched} of {len(bodies)} proposals got another result from the "
                         "service than from the baseline")
    return times


def _screenings(bodies: list[str]) -> dict[str, list[float]]:
    """CPU ms of ``screen_and_record`` alone (nothing stored), baseline and service in turn."""
    from bench.baseline.service import screen_and_record as baseline
    from wastescreen.core.settings import Settings
    from wastescreen.domain.proposal import Proposal
    from wastescreen.screening.engine import load_engine
    from wastescreen.screening.service import screen_and_record
    from wastescreen.storage.database import open_database

    settings = Settings()
    db = open_database(settings)
    with db.sessions() as session:
        engine = load_engine(settings, session)
    db.dispose()
    proposals = [Proposal.model_validate_json(b) for b in bodies]
    as_of = dt.datetime.now(dt.UTC).date()
    fns = {"baseline": baseline, "service": screen_and_record}
    times: dict[str, list[float]] = {"baseline": [], "service": []}
    for fn in fns.values():
        for _ in range(WARM_UP):
            fn(engine, proposals[0], "bench", as_of=as_of)
    for i, p in enumerate(proposals):
        for name in (["baseline", "service"] if i % 2 else ["service", "baseline"]):
            fn = fns[name]
            start = time.process_time()
            fn(engine, p, f"bench-{i}", as_of=as_of)
            times[name].append((time.process_time() - start) * 1000.0)
    return times


def _steps(repeat: int) -> dict[str, float]:
    """The service's steps on the example proposal, each timed alone (median CPU ms)."""
    from wastescreen.core.reference import region_of
    from wastescreen.core.settings import Settings
    from wastescreen.domain.proposal import Proposal
    from wastescreen.features.build import build_feature_columns
    from wastescreen.features.peers import proposal_docs
    from wastescreen.features.proposal_frame import proposal_rows
    from wastescreen.screening.catch_up import catch_up
    from wastescreen.screening.engine import load_engine
    from wastescreen.screening.what_if import make_variants, om_target, requested_units
    from wastescreen.storage.database import open_database

    settings = Settings()
    db = open_database(settings)
    with db.sessions() as session:
        engine = load_engine(settings, session)
        model = engine.model
        if model is None:
            raise SystemExit("no promoted model: run `wastescreen train`")
        raw = example_body()
        proposal = Proposal.model_validate_json(raw)
        today = dt.datetime.now(dt.UTC).date()
        context = engine.context
        holders = context.shared_use.holders(region_of(proposal.province), today.year,
                                             requested_units(proposal))
        variants = make_variants(proposal, om_ratio_target=om_target(model.ranges),
                                 holders=holders)
        batch = [proposal] + [v.proposal for v in variants]
        ids = ["p"] + [f"p~{v.change}" for v in variants]
        rows = proposal_rows(batch, ids, as_of=today)
        columns, _ = build_feature_columns(rows, context, engine.peers)
        x = model.bundle.encoder.encode_columns(columns, len(rows))
        doc = proposal_docs(rows)[0]

        def cpu(fn: Callable[[], object]) -> float:
            return median_ms(fn, repeat, clock=time.process_time)

        steps = {
            "validate the JSON body": cpu(lambda: Proposal.model_validate_json(raw)),
            "what-if variants": cpu(lambda: make_variants(
                proposal, om_ratio_target=om_target(model.ranges), holders=holders)),
            "features (proposal and variants)": cpu(lambda: build_feature_columns(
                proposal_rows(batch, ids, as_of=today), context, engine.peers)),
            "  of which one registry overlap query": cpu(lambda: context.index.query_many(
                [doc], k=5, kinds={"lab", "program"}, max_year=today.year, per_kind=True)),
            "SHAP for the proposal + variant scores": cpu(
                lambda: model.explainer.explain_first(x)),
            "catch up with other workers": cpu(lambda: catch_up(engine, session)),
        }
    db.dispose()
    return steps


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} / {five:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, help="an existing var folder with data and model")
    parser.add_argument("--proposals", type=int, default=240)
    parser.add_argument("--repeat", type=int, default=100, help="calls per step (steps table)")
    args = parser.parse_args()
    if args.proposals < 200:
        parser.error("--proposals: at least 200 (issue 17)")
    with var_folder(args.var) as var:
        measure(var, args.proposals, args.repeat)


def measure(var: Path, n: int, repeat: int) -> None:
    """Time both paths against the data and model under ``var``; print and write the figures."""
    use_var(var)
    load_before = _load()
    bodies = proposal_bodies(n)
    with reviewer_key("bench-screening-cost") as key:
        requests = asyncio.run(_requests(bodies, key))
    screenings = _screenings(bodies)
    steps = _steps(repeat)
    load_after = _load()

    def med(xs: list[float]) -> float:
        return statistics.median(xs)

    def mean(xs: list[float]) -> float:
        return statistics.fmean(xs)

    req, scr = requests, screenings
    table = [
        ("POST /v1/prechecks in process, median CPU ms", f"{med(req['baseline']):.2f}",
         f"{med(req['service']):.2f}", f"≤ {TARGET_MS:g}"),
        ("  mean CPU ms", f"{mean(req['baseline']):.2f}", f"{mean(req['service']):.2f}", ""),
        ("screen_and_record alone, median CPU ms", f"{med(scr['baseline']):.2f}",
         f"{med(scr['service']):.2f}", ""),
        ("  mean CPU ms", f"{mean(scr['baseline']):.2f}", f"{mean(scr['service']):.2f}", ""),
    ]
    table += [(f"service step: {step}", "", f"{ms:.2f}", "") for step, ms in steps.items()]
    print_table(f"one pre-check, CPU ms over {n} different proposals, baseline (frozen) beside "
                f"the service in the same run; load average {load_before} → {load_after}",
                table)
    figures: dict[str, Any] = {
        "precheck_cpu_ms": med(req["service"]),
        "precheck_cpu_ms_baseline": med(req["baseline"]),
        "precheck_cpu_ms_mean": mean(req["service"]),
        "precheck_cpu_ms_mean_baseline": mean(req["baseline"]),
        "screen_cpu_ms": med(scr["service"]), "screen_cpu_ms_baseline": med(scr["baseline"]),
        "service_steps_cpu_ms": steps, "proposals": n, "target_cpu_ms": TARGET_MS,
        "load_average_1m_5m": [load_before, load_after], "var": str(var),
        "clock": "process_time"}
    write_results("screening-cost", figures)
    print(json.dumps({k: figures[k] for k in ("precheck_cpu_ms", "precheck_cpu_ms_baseline")}))


if __name__ == "__main__":
    main()
