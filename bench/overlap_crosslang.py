"""Overlap search across Vietnamese and English: recall with and without the glossary, one run.

The pairs (``bench/data/crosslang_pairs.json``) were written by hand before the glossary existed
and were not used to build it (the file says how). Four checks, each run on an index built with
``cross_language=False`` (the baseline) and with the glossary (ours):

- en->vi: the English translation of a demo registry program, as a proposal's text, against the
  demo registry (400 labs, 5,000 Vietnamese programs); the right program is its source.
- vi->en: the Vietnamese original against the same registry with those 40 programs written in
  English instead.
- same cycle: the English text against a cycle's proposals (the 40 Vietnamese originals filed by
  another agency, among the other proposals of the demo cycle 2025).
- World Bank vi->en: Vietnamese translations of 21 World Bank projects in Viet Nam against the
  14,774 World Bank projects that have an objective text (English; real data, skipped when
  absent).

Queries carry text only (no place, area, budget or agency), so the ranks are the text's. Also
timed: one query (median), the cross terms of one text, the build.

    python -m bench.overlap_crosslang
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np

from bench.common import ROOT, WORLDBANK, median_ms, print_table, write_results
from wastescreen.demo_portfolio import generate_portfolio
from wastescreen.demo_portfolio.registry_gen import make_registry
from wastescreen.features import overlap_glossary as og
from wastescreen.features.overlap_index import OverlapDoc, OverlapIndex
from wastescreen.features.registry_context import lab_doc, program_doc

PAIRS = ROOT / "bench" / "data" / "crosslang_pairs.json"
PEER_CYCLE_SEED = (57, 60, 600, 2500)  # the test suite's demo service: its cycles' proposals


def _query(doc_id: str, text: str) -> OverlapDoc:
    return OverlapDoc(doc_id=f"q:{doc_id}", kind="proposal", text=text)


def _recall(index: OverlapIndex, queries: Sequence[OverlapDoc], targets: Sequence[str],
            kinds: Sequence[str] | None = None) -> dict[str, Any]:
    """recall@1 and @10 of ``targets`` among the top 10 of each query; the ranks (0 = missed)."""
    found = index.query_many(queries, k=10, kinds=kinds)
    ranks = []
    for matches, target in zip(found, targets, strict=True):
        ids = [m.doc_id for m in matches]
        ranks.append(ids.index(target) + 1 if target in ids else 0)
    r = np.array(ranks)
    return {"recall_at_1": float(np.mean(r == 1)), "recall_at_10": float(np.mean(r > 0)),
            "n": len(ranks), "ranks": ranks}


def _registry(spec: dict[str, int]) -> tuple[list[Any], list[Any]]:
    """Labs and programs of the demo registry exactly as ``generate_portfolio`` draws them."""
    rng = np.random.default_rng(spec["seed"])
    rnd = random.Random(int(rng.integers(2**62)))  # the generator's own recipe
    reg = make_registry(spec["n_labs"], spec["n_programs"], rnd)
    return reg.labs, reg.programs


def _both(docs: Sequence[OverlapDoc]) -> dict[str, OverlapIndex]:
    return {"without": OverlapIndex(cross_language=False).fit(docs),
            "with": OverlapIndex().fit(docs)}


def demo_checks(data: dict[str, Any]) -> dict[str, Any]:
    labs, programs = _registry(data["demo_registry"])
    pairs = data["demo_programs"]
    # Each pair carries the Vietnamese program it translates: that program stands in the
    # registry with those texts, among today's demo labs and programs (the generator's texts
    # may have changed since the pairs were written; the pairs stay pairs).
    source = {p["code"]: p for p in pairs}
    programs = [prog.model_copy(update={"title": source[prog.program_code]["vi_title"],
                                        "objectives": source[prog.program_code]["vi_objectives"]})
                if prog.program_code in source else prog for prog in programs]
    docs = [lab_doc(lab) for lab in labs] + [program_doc(p) for p in programs]
    t0 = time.perf_counter()
    base = OverlapIndex(cross_language=False).fit(docs)
    t1 = time.perf_counter()
    ours = OverlapIndex().fit(docs)
    t2 = time.perf_counter()
    idx = {"without": base, "with": ours}
    targets = [f"program:{p['code']}" for p in pairs]
    en_q = [_query(p["code"], f"{p['en_title']} {p['en_objectives']}") for p in pairs]
    vi_q = [_query(p["code"], f"{p['vi_title']} {p['vi_objectives']}") for p in pairs]
    out: dict[str, Any] = {"n_registry_docs": len(docs)}
    out["en_to_vi"] = {k: _recall(i, en_q, targets, ["program"]) for k, i in idx.items()}
    out["vi_to_vi"] = {k: _recall(i, vi_q, targets, ["program"]) for k, i in idx.items()}
    english = [OverlapDoc(doc_id=t, kind="program", text=q.text) for t, q in zip(targets, en_q,
                                                                                 strict=True)]
    swapped = {d.doc_id: d for d in docs} | {d.doc_id: d for d in english}
    idx_en = _both(list(swapped.values()))
    out["vi_to_en"] = {k: _recall(i, vi_q, targets, ["program"]) for k, i in idx_en.items()}
    out["build_s"] = {"without": t1 - t0, "with": t2 - t1}
    out["query_ms"] = {k: median_ms(partial(i.query, en_q[7], k=10), 50) for k, i in idx.items()}
    out["cross_terms_us"] = 1000 * median_ms(
        lambda: [og.analyse(q.text) for q in en_q + vi_q], 20) / (2 * len(en_q))
    return out


def same_cycle_check(data: dict[str, Any]) -> dict[str, Any]:
    seed, n_labs, n_programs, n_proposals = PEER_CYCLE_SEED
    pf = generate_portfolio(seed, n_labs=n_labs, n_programs=n_programs, n_proposals=n_proposals)
    cycle = max(p.cycle for p in pf.proposals)
    peers = [OverlapDoc(doc_id=f"proposal:{p.reference_code}", kind="proposal",
                        text=f"{p.title} {p.summary} {p.objectives}", group=p.agency)
             for p in pf.proposals if p.cycle == cycle]
    pairs = data["demo_programs"]
    peers += [OverlapDoc(doc_id=f"peer:{p['code']}", kind="proposal", group="other agency",
                         text=f"{p['vi_title']} {p['vi_objectives']}") for p in pairs]
    targets = [f"peer:{p['code']}" for p in pairs]
    en_q = [_query(p["code"], f"{p['en_title']} {p['en_objectives']}") for p in pairs]
    out = {k: _recall(i, en_q, targets) for k, i in _both(peers).items()}
    return {"cycle": cycle, "n_peers": len(peers), **out}


def worldbank_check(data: dict[str, Any]) -> dict[str, Any] | None:
    if not WORLDBANK.is_dir():
        return None
    from bench import worldbank_overlap_adapter as wb

    projects = wb.load_projects(WORLDBANK)
    docs = [wb.registry_doc(p) for p in projects.values()]
    idx = _both(docs)
    rows = data["worldbank_vi"]
    queries = [_query(r["project_id"], r["vi"]) for r in rows]
    out: dict[str, Any] = {k: _recall(i, queries, [r["project_id"] for r in rows])
                           for k, i in idx.items()}
    out["query_ms"] = {k: median_ms(partial(i.query, queries[0], k=10), 30)
                       for k, i in idx.items()}
    out["n_registry_docs"] = len(docs)
    return out


def _fmt(r: dict[str, Any]) -> str:
    return f"{r['recall_at_1']:.3f} / {r['recall_at_10']:.3f}"


def main() -> None:
    data = json.loads(PAIRS.read_text("utf-8"))
    demo = demo_checks(data)
    peer = same_cycle_check(data)
    wbk = worldbank_check(data)
    n = len(data["demo_programs"])
    rows = [
        (f"en->vi demo programs ({n}) recall@1 / @10", _fmt(demo["en_to_vi"]["without"]),
         _fmt(demo["en_to_vi"]["with"]), "found"),
        (f"vi->en demo programs ({n}) recall@1 / @10", _fmt(demo["vi_to_en"]["without"]),
         _fmt(demo["vi_to_en"]["with"]), "found"),
        (f"same cycle, en vs vi peer ({n}) recall@1 / @10", _fmt(peer["without"]),
         _fmt(peer["with"]), "found"),
        ("vi->vi (the originals) recall@1 / @10", _fmt(demo["vi_to_vi"]["without"]),
         _fmt(demo["vi_to_vi"]["with"]), "unchanged"),
    ]
    if wbk is not None:
        rows.append((f"World Bank vi->en ({len(data['worldbank_vi'])}) recall@1 / @10",
                     _fmt(wbk["without"]), _fmt(wbk["with"]), "found"))
        rows.append((f"one query, {wbk['n_registry_docs']:,} World Bank docs, median ms",
                     f"{wbk['query_ms']['without']:.1f}", f"{wbk['query_ms']['with']:.1f}", "—"))
    rows += [
        (f"one query, {demo['n_registry_docs']:,} demo docs, median ms",
         f"{demo['query_ms']['without']:.1f}", f"{demo['query_ms']['with']:.1f}", "few ms"),
        ("build, demo registry, s", f"{demo['build_s']['without']:.2f}",
         f"{demo['build_s']['with']:.2f}", "—"),
        ("cross terms of one text, µs", "—", f"{demo['cross_terms_us']:.0f}", "—"),
    ]
    print_table("Overlap search across Vietnamese and English (baseline: no glossary)", rows)
    out = write_results("overlap_crosslang", {
        "glossary_digest": og.glossary().digest, "pairs": str(PAIRS.relative_to(ROOT)),
        "demo": demo, "same_cycle": peer, "worldbank_vi_to_en": wbk,
    })
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
