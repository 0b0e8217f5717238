"""Benchmark: the portfolio page (``GET /ui/portfolio``) for a cycle of 10,000 stored submissions.

Ours: ``screening.portfolio.portfolio_of`` — aggregates in SQL over compact columns, clusters
from ``proposal_overlaps``. Baseline, measured in the same run on the same database: the
approach it replaced (``results_portfolio_of`` below, kept here only), which loaded every
submission with its full stored result (~15 KB of JSON) to read the managing level and the
same-cycle evidence. Each side runs in its own fresh process (so that one side's memory does
not count against the other), serving the page through the ASGI app to a signed-in reviewer:
the median time of a request, and the growth of the process's resident memory over
``REQUESTS`` requests, both at its peak (``ru_maxrss``) and after the last request.

The database is written through ``storage.screenings.save_screening`` (the path every
screening takes): submissions of one agency pool, each with the fixed sample result
(``reporting.sample``) carrying 8 same-cycle proposal matches.

Run from the repository root: ``.venv/bin/python -m bench.portfolio`` (``--n 2000`` for a
quick run).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.common import ROOT, print_table, write_results

N = 10_000
CYCLE = 2026
REQUESTS = {"ours": 20, "baseline": 5}
TARGET_MS, TARGET_MB = 300.0, 50.0


# --- the approach replaced (baseline only) --------------------------------------------------

def results_portfolio_of(session: Any, cycle: int | None, agency: str | None,
                         threshold: float = 0.5) -> Any:
    """The portfolio as it was computed before: every submission loaded with its result."""
    from wastescreen.screening.portfolio import Group, Member, Portfolio, clusters_of
    from wastescreen.screening.review import submissions_query
    from wastescreen.storage.tables import ScreeningRow

    # A version superseded by a revised one is not counted (its successor is).
    query = submissions_query().where(ScreeningRow.status != "revised")
    if cycle is not None:
        query = query.where(ScreeningRow.cycle == cycle)
    if agency is not None:
        query = query.where(ScreeningRow.agency == agency)
    rows = session.execute(query).all()
    total = Group("*")
    groups: dict[str, dict[str, Group]] = defaultdict(dict)
    members: dict[str, Member] = {}

    def add(kind: str, key: str, s: Any, p: Any) -> Group:
        g = groups[kind].setdefault(key, Group(key))
        for h in (g, total) if kind == "agency" else (g,):
            h.count += 1
            h.score_sum += s.overall_score
            h.high += s.band == "high"
            h.budget_vnd += p.total_budget_vnd
        return g

    for s, p in rows:
        level = str(p.payload.get("managing_level", ""))
        add("agency", s.agency, s, p).level = level
        add("level", level, s, p)
        add("province", p.province, s, p)
        add("area", p.technology_area, s, p)
        members[s.proposal_id] = Member(s.id, s.proposal_id, p.title, s.agency, p.province,
                                        p.total_budget_vnd, s.overall_score, s.band,
                                        s.created_at)
    edges: dict[tuple[str, str], float] = {}
    for s, _ in rows:
        for ev in s.result.get("evidence", []):
            other, score = str(ev.get("code", "")), float(ev.get("score", 0.0))
            if ev.get("kind") != "proposal" or other == s.proposal_id or other not in members:
                continue
            if score >= threshold:
                a, b = sorted((s.proposal_id, other))
                edges[(a, b)] = max(score, edges.get((a, b), 0.0))

    def ranked(kind: str) -> list[Group]:
        return sorted(groups[kind].values(), key=lambda g: (-g.high_share, -g.mean_score, g.key))

    return Portfolio(cycle, total, ranked("agency"), ranked("level"), ranked("province"),
                     ranked("area"), clusters_of(members, edges), threshold)


# --- the database ---------------------------------------------------------------------------

def build(var: Path, n: int) -> tuple[str, float]:
    """``n`` submissions of one cycle under ``var``; returns a reviewer key and the mean stored
    result size in KB."""
    from wastescreen.core.settings import Settings
    from wastescreen.domain.proposal import ManagingLevel, Proposal
    from wastescreen.domain.result import MatchComponent, MatchEvidence
    from wastescreen.reporting.sample import sample_result
    from wastescreen.storage.agencies import ensure_agencies
    from wastescreen.storage.api_keys import Role, create_key
    from wastescreen.storage.database import open_database
    from wastescreen.storage.screenings import ScreeningKind, new_id, save_screening

    rnd = random.Random(57)
    db = open_database(Settings(var_dir=var))
    base = Proposal.model_validate_json((ROOT / "examples" / "proposal.json").read_text("utf-8"))
    sample = sample_result()
    agencies = [f"Viện Đo lường Mẫu {k:02d}" for k in range(60)]
    provinces = ["Hà Nội", "Huế", "Đà Nẵng", "Cần Thơ", "Bắc Ninh", "Hồ Chí Minh"]
    ids: list[str] = []
    sizes = []
    with db.sessions() as s:
        ensure_agencies(s, agencies, "admin")
        s.commit()
        for i in range(n):
            pid = new_id()
            # 8 weak same-cycle matches each, and every 50th a near-copy of the one before
            # (score 0.85): about n/50 clusters, as in a cycle where duplicates are the exception.
            peers = [(o, round(rnd.uniform(0.1, 0.45), 3))
                     for o in rnd.sample(ids, min(8, len(ids)))]
            if i % 50 == 1:
                peers[-1] = (ids[-1], 0.85)
            evidence = list(sample.evidence) + [MatchEvidence(
                kind="proposal", code=other, name=f"Đề xuất {other[:8]}",
                host=rnd.choice(agencies), province=rnd.choice(provinces),
                distance="same_region", score=score,
                components=MatchComponent(text=0.5, equipment=0.4, place=0.6, area=1.0,
                                          budget=0.5)) for other, score in peers]
            risk = rnd.random()
            result = sample.model_copy(update={
                "evidence": evidence, "overall_score": risk, "cycle": CYCLE,
                "band": "high" if risk >= 0.6 else "medium" if risk >= 0.35 else "low"})
            proposal = base.model_copy(update={
                "title": f"{base.title} — {i}", "agency": agencies[i % len(agencies)],
                "province": provinces[i % len(provinces)], "cycle": CYCLE,
                "managing_level": ManagingLevel.MINISTRY if i % 3 else ManagingLevel.PROVINCE,
                "total_budget_vnd": base.total_budget_vnd})
            save_screening(s, proposal, pid, result, ScreeningKind.SUBMISSION, actor="bench")
            ids.append(pid)
            if i < 50:
                sizes.append(len(result.model_dump_json()))
        key, _ = create_key(s, Role.REVIEWER, label="bench")
    db.dispose()
    return key, statistics.mean(sizes) / 1024


# --- one side, in its own process -----------------------------------------------------------

def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def measure(var: Path, key: str, side: str, requests: int) -> dict[str, Any]:
    """Serve the page ``requests`` times as a reviewer; time and memory of this process."""
    from fastapi.testclient import TestClient

    from wastescreen.api.app import create_app
    from wastescreen.api.pages import portfolio as page
    from wastescreen.core.settings import Settings

    if side == "baseline":
        page.portfolio_of = results_portfolio_of  # type: ignore[attr-defined]  # as it was
    settings = Settings(var_dir=var, rate_limit_per_minute=10**6)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        assert client.post("/ui/login", data={"key": key}).status_code == 303
        client.get("/ui/queue")  # warm: templates, statements, the connection pool
        before = _rss_mb()
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        times, after = [], []
        for _ in range(requests):
            t0 = time.perf_counter()
            r = client.get(f"/ui/portfolio?cycle={CYCLE}")
            times.append((time.perf_counter() - t0) * 1000.0)
            assert r.status_code == 200 and 'id="by-agency"' in r.text
            after.append(_rss_mb())
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # ru_maxrss is the process's high-water mark: it tells the peak during the requests only
    # when they set a new one; otherwise the highest RSS seen after a request is the bound.
    peak_during = peak if peak > peak_before else max(after)
    return {"median_ms": statistics.median(times), "first_ms": times[0],
            "rss_before_mb": round(before, 1), "rss_after_mb": [round(a, 1) for a in after],
            "peak_growth_mb": max(0.0, peak_during - before), "growth_mb": after[-1] - before,
            "requests": requests, "clusters": r.text.count('<article class="cluster">')}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=N)
    parser.add_argument("--measure", choices=["ours", "baseline"])
    parser.add_argument("--var", type=Path)
    parser.add_argument("--key", default="")
    args = parser.parse_args()
    if args.measure:  # the child process
        print(json.dumps(measure(args.var, args.key, args.measure, REQUESTS[args.measure])))
        return
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp) / "var"
        t0 = time.perf_counter()
        key, kb = build(var, args.n)
        built_s = time.perf_counter() - t0
        side: dict[str, dict[str, Any]] = {}
        for name in ("ours", "baseline"):
            out = subprocess.run([sys.executable, "-m", "bench.portfolio", "--measure", name,
                                  "--var", str(var), "--key", key], cwd=ROOT, check=True,
                                 capture_output=True, text=True)
            side[name] = json.loads(out.stdout.strip().splitlines()[-1])
    ours, base = side["ours"], side["baseline"]
    assert ours["clusters"] == base["clusters"]  # the same page, at another cost
    print_table(f"portfolio page, one cycle of {args.n:,} submissions "
                f"(stored results {kb:.1f} KB each; each side in a fresh process)", [
        ("median request (ms)", f"{base['median_ms']:.0f}", f"{ours['median_ms']:.1f}",
         f"<= {TARGET_MS:.0f}"),
        ("peak memory growth (MB)", f"{base['peak_growth_mb']:.0f}",
         f"{ours['peak_growth_mb']:.1f}", f"<= {TARGET_MB:.0f}"),
        (f"memory growth after all requests (MB; {base['requests']} / {ours['requests']})",
         f"{base['growth_mb']:.0f}", f"{ours['growth_mb']:.1f}", "flat"),
        ("clusters on the page", str(base["clusters"]), str(ours["clusters"]), "same"),
    ])
    out_path = write_results("portfolio", {
        "submissions": args.n, "result_kb": round(kb, 1), "build_s": round(built_s, 1),
        "median_ms": round(ours["median_ms"], 1),
        "peak_growth_mb": round(ours["peak_growth_mb"], 1),
        "growth_mb": round(ours["growth_mb"], 1), "rss_after_mb": ours["rss_after_mb"],
        "requests": ours["requests"], "target_ms": TARGET_MS, "target_mb": TARGET_MB,
        "baseline": {"what": "every submission loaded with its full result (the replaced "
                             "portfolio_of), same page, same database",
                     "median_ms": round(base["median_ms"], 1),
                     "peak_growth_mb": round(base["peak_growth_mb"], 1),
                     "growth_mb": round(base["growth_mb"], 1),
                     "rss_after_mb": base["rss_after_mb"], "requests": base["requests"]},
    })
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main()
