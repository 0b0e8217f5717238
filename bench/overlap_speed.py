"""Speed of the overlap search on synthetic registries (100k and 1M documents) against brute force.

Run from the repository root: ``.venv/bin/python -m bench.overlap_speed [--quick]``.
Documents are generated here (seeded): Vietnamese-like texts drawn with Zipf frequencies from the
syllables of the reference tables, equipment categories, provinces, areas, budgets and years.
The 1M build runs in a subprocess so that its peak resident memory (ru_maxrss, which includes
the generated texts) is measured alone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

from bench.common import print_table, write_results
from wastescreen.core import reference
from wastescreen.features.overlap_index import OverlapDoc, OverlapIndex
from wastescreen.features.overlap_text import word_ngrams

_FILLER = ("nghiên cứu phát triển ứng dụng công nghệ hệ thống xây dựng nâng cao năng lực đầu tư "
           "thiết bị phòng thí nghiệm trọng điểm quốc gia giải pháp sản xuất thử nghiệm mô hình "
           "dữ liệu quản lý đánh giá chất lượng tiêu chuẩn đào tạo nhân lực chuyển giao doanh "
           "nghiệp đổi mới sáng tạo chuyển đổi số hạ tầng dùng chung vùng tỉnh thành phố viện "
           "trường đại học khoa học kỹ thuật vật liệu năng lượng sinh học môi trường nông nghiệp")


def _syllables() -> list[str]:
    words = _FILLER.split()
    for area in reference.technology_areas():
        words += area.name_vi.replace(",", " ").replace("/", " ").split()
    for cat in reference.equipment_categories():
        words += cat.name_vi.split()
    for prov in reference.provinces():
        words += prov.name_vi.split()
    return sorted(set(w.lower() for w in words if w.isalpha()))


def synthetic_docs(n: int, seed: int, kind: str = "program") -> list[OverlapDoc]:
    """``n`` seeded documents: 20-80 tokens from 4,000 Zipf-distributed two-syllable terms."""
    rng = np.random.default_rng(seed)
    syl = _syllables()
    terms = [f"{syl[i]} {syl[j]}" for i, j in rng.integers(0, len(syl), size=(4000, 2))]
    cats = sorted(reference.equipment_category_codes())
    provs = reference.provinces()
    areas = sorted(reference.area_codes())
    rank = np.arange(1, len(terms) + 1)
    p = (1 / rank) / (1 / rank).sum()
    lengths = rng.integers(10, 40, size=n)
    draws = rng.choice(len(terms), size=int(lengths.sum()), p=p).tolist()
    ends = np.cumsum(lengths).tolist()
    prov_i = rng.integers(len(provs), size=n).tolist()
    area_i = rng.integers(len(areas), size=n).tolist()
    budgets = (10 ** rng.uniform(9, 11.5, size=n)).astype(np.int64).tolist()
    years = rng.integers(2000, 2026, size=n).tolist()
    n_eq = rng.integers(0, 6, size=n) if kind != "program" else np.zeros(n, np.int64)
    eq_codes = rng.integers(0, len(cats), size=int(n_eq.sum())).tolist()
    eq_ends = np.cumsum(n_eq).tolist()
    docs, start, eq_start = [], 0, 0
    for i in range(n):
        words = " ".join([terms[t] for t in draws[start : ends[i]]])
        equipment = tuple(cats[c] for c in eq_codes[eq_start : eq_ends[i]])
        start, eq_start = ends[i], eq_ends[i]
        prov = provs[prov_i[i]]
        docs.append(OverlapDoc(f"{kind}-{seed}-{i}", kind, words, equipment, prov.name_vi,
                               prov.region_code, areas[area_i[i]], budgets[i], years[i]))
    return docs


def _median_ms(fn: Callable[[OverlapDoc], object],
               queries: Sequence[OverlapDoc]) -> tuple[float, float]:
    """Median wall-clock and median CPU (process) milliseconds of one call. Both, because
    this machine is shared: wall time includes waiting for a core, CPU time does not."""
    wall, cpu = [], []
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        fn(q)
        wall.append((time.perf_counter() - t) * 1e3)
        cpu.append((time.process_time() - c) * 1e3)
    return statistics.median(wall), statistics.median(cpu)


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


class BruteForce:
    """Baseline: scikit-learn hashed word 1-2 gram TF-IDF, cosine against every row."""

    def __init__(self, docs: Sequence[OverlapDoc]) -> None:
        self.vec = HashingVectorizer(analyzer=word_ngrams, n_features=2**21, alternate_sign=False,
                                     norm=None)
        self.tfidf = TfidfTransformer(sublinear_tf=True)
        self.x = sp.csr_matrix(self.tfidf.fit_transform(self.vec.transform([d.text for d in docs])),
                               dtype=np.float32)

    def query_many(self, qs: Sequence[OverlapDoc], k: int = 10) -> np.ndarray:
        """(len(qs), k) row numbers of the best cosine matches (unordered within the k)."""
        q = sp.csr_matrix(self.tfidf.transform(self.vec.transform([d.text for d in qs])),
                          dtype=np.float32)
        scores = (self.x @ q.T).T.toarray()
        return np.argpartition(-scores, k, axis=1)[:, :k]


def measure(n_programs: int, n_labs: int, n_queries: int, brute: bool) -> dict[str, float]:
    """Build, single-query and (optionally) brute-force figures for one registry size."""
    docs = synthetic_docs(n_programs, 1) + synthetic_docs(n_labs, 2, "lab")
    queries = synthetic_docs(n_queries, 3, "proposal")
    out = {"peak_gb_texts_only": _peak_gb()}
    t, c = time.perf_counter(), time.process_time()
    index = OverlapIndex().fit(docs)
    out.update(build_s=time.perf_counter() - t, build_cpu_s=time.process_time() - c,
               peak_gb=_peak_gb(), n_docs=float(len(index)))
    index.query(queries[0])
    out["median_ms"], out["median_cpu_ms"] = _median_ms(lambda q: index.query(q, k=10), queries)
    out["median_ms_max_year"], _ = _median_ms(lambda q: index.query(q, k=10, max_year=2015),
                                              queries)
    if brute:
        del index  # the baseline's build is measured after, so it never sets the index's peak
        t = time.perf_counter()
        base = BruteForce(docs)
        out["baseline_build_s"] = time.perf_counter() - t
        out["baseline_median_ms"], out["baseline_median_cpu_ms"] = _median_ms(
            lambda q: base.query_many([q]), queries)
    return out


def features_30k(n_queries: int) -> dict[str, float]:
    """query_many for ``n_queries`` proposals against the 105k registry, and brute force on a
    tenth of them (scaled up, said so in the key)."""
    docs = synthetic_docs(100_000, 1) + synthetic_docs(5_000, 2, "lab")
    qs = synthetic_docs(n_queries, 4, "proposal")
    index = OverlapIndex().fit(docs)
    t, c = time.perf_counter(), time.process_time()
    index.query_many(qs, k=10)
    out = {"features_s": time.perf_counter() - t, "features_cpu_s": time.process_time() - c}
    base = BruteForce(docs)
    sub = qs[: max(1, n_queries // 10)]
    t = time.perf_counter()
    for start in range(0, len(sub), 500):
        base.query_many(sub[start : start + 500])
    out["baseline_features_s_scaled"] = (time.perf_counter() - t) * 10
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10x smaller sizes, no 1M run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:  # measured alone so ru_maxrss is this build's peak
        n_programs, n_labs, brute = json.loads(args.child)
        print(json.dumps(measure(n_programs, n_labs, 200, brute)))
        return
    scale = 10 if args.quick else 1
    # The sizes: 100,000 programs + 5,000 labs; 1,000,000 documents in all.
    small = measure(100_000 // scale, 5_000 // scale, 300, True)
    big_args = json.dumps([950_000 // scale, 50_000 // scale, True])
    run = subprocess.run([sys.executable, "-m", "bench.overlap_speed", "--child", big_args],
                         check=True, capture_output=True, text=True)
    big = json.loads(run.stdout.strip().splitlines()[-1])
    feats = features_30k(30_000 // scale)
    figures = {
        "median_ms_100k": small["median_ms"], "median_ms_1m": big["median_ms"],
        "build_s_1m": big["build_s"], "build_peak_gb_1m": big["peak_gb"],
        "features_30k_s": feats["features_s"],
        "median_ms_100k_max_year": small["median_ms_max_year"],
        "median_ms_1m_max_year": big["median_ms_max_year"],
        "median_cpu_ms_100k": small["median_cpu_ms"], "median_cpu_ms_1m": big["median_cpu_ms"],
        "build_cpu_s_1m": big["build_cpu_s"], "features_30k_cpu_s": feats["features_cpu_s"],
        "peak_gb_1m_texts_only": big["peak_gb_texts_only"],
        "load_average_1m_at_end": os.getloadavg()[0],
        "n_docs_small": small["n_docs"], "n_docs_big": big["n_docs"], "quick": args.quick,
        "baseline": {
            "what": "sklearn hashed word 1-2 gram TF-IDF, brute-force cosine over all rows",
            "median_ms_100k": small["baseline_median_ms"],
            "median_ms_1m": big["baseline_median_ms"],
            "build_s_1m": big["baseline_build_s"],
            "features_30k_s_scaled_from_3k": feats["baseline_features_s_scaled"],
        },
    }
    write_results("overlap-speed-quick" if args.quick else "overlap-speed", figures)
    b = figures["baseline"]
    print_table(f"overlap search speed, synthetic registries of {small['n_docs']:.0f} and "
                f"{big['n_docs']:.0f} docs", [
        ("median query ms, 100k programs + 5k labs", f"{b['median_ms_100k']:.1f}",
         f"{small['median_ms']:.2f}",
         "<= 5"),
        ("median query ms, 1M docs", f"{b['median_ms_1m']:.1f}", f"{big['median_ms']:.2f}",
         "<= 20"),
        ("build s, 1M docs", f"{b['build_s_1m']:.0f}", f"{big['build_s']:.0f}", "<= 120"),
        ("build peak GB, 1M (process, texts incl.)", "-",
         f"{big['peak_gb']:.2f} (texts {big['peak_gb_texts_only']:.2f})", "<= 4"),
        ("query_many 30k vs 100k + 5k, s",
         f"{b['features_30k_s_scaled_from_3k']:.0f} (x10 of 3k)",
         f"{feats['features_s']:.1f}", "well under 60"),
    ])


if __name__ == "__main__":
    main()
