"""Where one screening's CPU goes, in process (no HTTP): the steps of ``screen_proposal`` and of
a pre-check's storage, each timed alone on the example proposal, beside the pandas-frame path
the service used before (``build_features`` on a frame of the proposal and its what-if variants,
``explain_frame`` on all of them) measured in the same run.

The last figure is a whole ``POST /v1/prechecks`` through the app in this process (one at a
time, the in-process HTTP client's own CPU included), so that the CPU outside the steps above
(framework, key check, storage, response) shows beside them.

Usage: ``python -m bench.screening_cost [--var DIR]``: a var folder with data and a promoted
model (e.g. the one ``make run`` fills); without it a small demo set-up (60 labs, 600 programs)
is built in a temporary folder. Figures are median CPU milliseconds (process time) of
``--repeat`` calls. Writes ``bench/results/screening-cost.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import ROOT, median_ms, print_table, write_results


def _cpu_ms(fn: Callable[[], object], repeat: int) -> float:
    return median_ms(fn, repeat, clock=time.process_time)  # the first call warms the caches


def _request_cpu_ms(body: str, key: str, r: int) -> float:
    """Median CPU ms of one whole pre-check through the app (middleware, dependencies, body
    validation, screening, storage, response JSON; the in-process httpx client included), one
    request at a time, in this process with its thread pool (``process_time``)."""
    import asyncio

    import httpx

    from wastescreen.api.app import create_app

    os.environ["WASTESCREEN_RATE_LIMIT_PER_MINUTE"] = "10000000"
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    async def run() -> list[float]:
        app = create_app()
        times = []
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            for i in range(r + 5):  # the first five warm the caches
                start = time.process_time()
                answer = await client.post("/v1/prechecks", content=body, headers=headers)
                if answer.status_code != 201:
                    raise RuntimeError(f"pre-check answered {answer.status_code}: {answer.text}")
                if i >= 5:
                    times.append((time.process_time() - start) * 1000.0)
        return times

    return statistics.median(asyncio.run(run()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, help="an existing var folder with data and model")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.var is None:
            from tests.demo_service import build_demo_service

            args.var = Path(tmp) / "var"
            build_demo_service(args.var)
        measure(args.var, args.repeat)


def measure(var: Path, r: int) -> None:
    """Time the steps against the data and model under ``var`` and print / write them."""
    os.environ["WASTESCREEN_VAR_DIR"] = str(var)
    from wastescreen.core.reference import region_of
    from wastescreen.core.settings import Settings
    from wastescreen.domain.proposal import Proposal
    from wastescreen.features.build import build_feature_columns, build_features
    from wastescreen.features.peers import proposal_docs
    from wastescreen.features.proposal_frame import proposal_rows, proposals_to_frame
    from wastescreen.screening.engine import load_engine
    from wastescreen.screening.service import screen_proposal
    from wastescreen.screening.what_if import make_variants, om_target, requested_units
    from wastescreen.storage.api_keys import Role, authenticate, create_key, revoke_key
    from wastescreen.storage.database import open_database
    from wastescreen.storage.screenings import ScreeningKind, new_id, save_screening

    settings = Settings()
    db = open_database(settings)
    with db.sessions() as session:
        engine = load_engine(settings, session)
    model = engine.model
    if model is None:
        raise SystemExit(f"no promoted model under {var}: run `wastescreen train`")
    raw = (ROOT / "examples" / "proposal.json").read_text("utf-8")
    proposal = Proposal.model_validate(json.loads(raw))
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
    frame = proposals_to_frame(batch, ids, as_of=today)
    features_frame, _ = build_features(frame, context, engine.peers)
    doc = proposal_docs(rows)[0]
    ours: dict[str, float] = {
        "validate the JSON body": _cpu_ms(lambda: Proposal.model_validate_json(raw), r),
        "what-if variants": _cpu_ms(lambda: make_variants(
            proposal, om_ratio_target=om_target(model.ranges), holders=holders), r),
        "features (numpy columns)": _cpu_ms(
            lambda: build_feature_columns(proposal_rows(batch, ids, as_of=today), context,
                                          engine.peers), r),
        "  of which overlap search": _cpu_ms(lambda: context.index.query_many(
            [doc], k=5, kinds={"lab", "program"}, max_year=today.year, per_kind=True), r),
        "SHAP for the proposal + variant scores": _cpu_ms(
            lambda: model.explainer.explain_first(x), r),
        "whole screen_proposal": _cpu_ms(lambda: screen_proposal(engine, proposal, "p"), r),
    }
    with db.sessions() as session:
        result = screen_proposal(engine, proposal, "p")
        ours["store proposal, result, audit event"] = _cpu_ms(lambda: save_screening(
            session, proposal, new_id(), result, ScreeningKind.PRECHECK, actor="bench"), r // 4)
        ours["catch up with other workers"] = _cpu_ms(lambda: engine.sync(session), r)
        key, row = create_key(session, Role.REVIEWER, label="bench-screening-cost",
                              actor="bench")
        key_id = row.id
    try:
        with db.sessions() as session:
            ours["check the API key"] = _cpu_ms(lambda: authenticate(session, key), r)
        ours["POST /v1/prechecks in process (ASGI, sequential)"] = _request_cpu_ms(raw, key,
                                                                                  r // 4)
    finally:  # the key must not outlive the run in a database the service uses
        with db.sessions() as session:
            revoke_key(session, key_id, actor="bench")
    # The frame path, keyed by the step of ours it stands beside.
    base = {
        "features (numpy columns)": ("features (pandas frame)", _cpu_ms(lambda: build_features(
            proposals_to_frame(batch, ids, as_of=today), context, engine.peers), r)),
        "SHAP for the proposal + variant scores": (
            "SHAP for all rows (explain_frame)",
            _cpu_ms(lambda: model.explainer.explain_frame(features_frame), r)),
    }
    db.dispose()
    table: list[tuple[str, str, str, str]] = [
        (step, f"{base[step][1]:.2f} ({base[step][0]})" if step in base else "-", f"{ms:.2f}",
         "-") for step, ms in ours.items()]
    print_table(f"one screening, median CPU ms of {r} calls ({len(variants)} what-if variants)",
                table)
    figures: dict[str, Any] = {"cpu_ms": ours,
                               "frame_path_cpu_ms": dict(base.values()),
                               "variants": len(variants), "repeat": r, "var": str(var)}
    write_results("screening-cost", figures)


if __name__ == "__main__":
    main()
