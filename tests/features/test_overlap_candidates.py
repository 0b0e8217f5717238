"""The compiled candidate search (features/candidate_kernel.py) keeps the rows the NumPy
candidate search keeps, for every query, kind and cut; never timing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from wastescreen.features import overlap_query as oq
from wastescreen.features.overlap_candidates import candidates, compiled_candidates
from wastescreen.features.overlap_index import OverlapDoc, OverlapIndex
from wastescreen.features.pair_dots import load_kernel

WORDS = ("vật liệu", "nano", "sinh học", "vắc xin", "vi mạch", "bán dẫn", "lúa", "giống",
         "trí tuệ", "nhân tạo", "y tế", "đo lường")
UNITS = ("MASS_SPECTROMETER", "ELECTRON_MICROSCOPE", "PCR", "NMR")
PLACES = (("Hà Nội", "RRD"), ("Hải Phòng", "RRD"), ("Đà Nẵng", "NCC"), ("Cần Thơ", "MD"),
          ("", ""))
AREAS = ("MATERIALS", "BIOTECH", "AI", "")
AGENCIES = ("Viện A", "Viện B", "")


def _docs(rng: np.random.Generator, n: int, prefix: str, kinds: Sequence[str]
          ) -> list[OverlapDoc]:
    """``n`` documents of few words each from a small vocabulary (so that many share a score
    exactly), some without budget, place, area, agency or kind."""
    docs = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS, size=int(rng.integers(1, 4))))
        units = tuple(rng.choice(UNITS, size=int(rng.integers(0, 3))))
        province, region = PLACES[int(rng.integers(len(PLACES)))]
        budget = int(rng.choice([0, 10**9, 5 * 10**9, 3 * 10**10, 10**12]))
        docs.append(OverlapDoc(f"{prefix}-{i}", str(rng.choice(kinds)), text, units, province,
                               region, str(rng.choice(AREAS)), budget,
                               int(rng.integers(2010, 2027)), str(rng.choice(AGENCIES))))
    return docs


def _pairs(found: tuple[np.ndarray, np.ndarray]) -> list[tuple[int, int]]:
    return sorted(zip(found[0].tolist(), found[1].tolist(), strict=True))


@pytest.fixture(scope="module", autouse=True)
def kernel() -> None:
    assert load_kernel()


WEIGHTS = [None, {"text": 0.5, "equipment": 0.3, "place": 0.0, "area": 0.2, "budget": 1.0,
                  "agency": 0.1},
           {"text": 1.0, "equipment": 0.0, "place": 0.4, "area": 0.4, "budget": 0.0,
            "agency": 0.4}]


@pytest.mark.parametrize("n_candidates", [1, 2, 3, 8, 200])
@pytest.mark.parametrize("weights", range(len(WEIGHTS)))
def test_the_compiled_candidates_are_the_numpy_candidates(n_candidates: int,
                                                         weights: int) -> None:
    rng = np.random.default_rng(n_candidates * 10 + weights)
    docs = _docs(rng, 300, "d", ("lab", "program", "proposal", ""))
    index = OverlapIndex(n_candidates=n_candidates, weights=WEIGHTS[weights],
                         budget_span_decades=float(rng.choice([1.0, 2.0, 3.0]))).fit(docs[:200])
    index.add(docs[200:250])  # a second segment, which predates no category here
    index.remove([d.doc_id for d in docs[:20]])
    qs = _docs(rng, 12, "q", ("proposal",))
    # Variants of one text side by side (a proposal and its what-if variants: other budget,
    # other equipment, none), and the same text again further on.
    qs = [v for q in qs[:6] for v in (q, replace(q, doc_id=f"{q.doc_id}-b", budget_vnd=0),
                                      replace(q, doc_id=f"{q.doc_id}-e", equipment=UNITS[:2]),
                                      replace(q, doc_id=f"{q.doc_id}-n", equipment=()))]
    qs += [replace(q, doc_id=f"{q.doc_id}-again") for q in qs[::5]]
    enc = oq.query_arrays(index, qs)
    compared = 0
    for pos, seg in enumerate(index.segments_):
        for kinds, max_year in ((None, None), ({"lab", "program"}, 2020)):
            ok = oq.allowed_rows(index, pos, kinds, max_year, ())
            for per_kind in (False, True):
                want = candidates(index, enc, seg, ok, len(qs), per_kind)
                got = candidates(index, enc, seg, ok, len(qs), per_kind, compiled=True)
                assert _pairs(got) == _pairs(want)
                # grouped by query, each query's rows ascending
                assert np.all(np.diff(got[0]) >= 0)
                assert all(np.all(np.diff(got[1][got[0] == q]) > 0) for q in range(len(qs)))
                compared += got[0].size
    assert compared > 0


def test_the_matches_are_the_same_with_or_without_the_compiled_candidates(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    index = OverlapIndex(n_candidates=5).fit(_docs(rng, 400, "d", ("lab", "program")))
    qs = _docs(rng, 20, "q", ("proposal",))
    options: list[dict[str, object]] = [{}, {"kinds": {"lab"}, "max_year": 2020},
                                        {"per_kind": True}]
    compiled = [index.query_many(qs, k=4, **kw) for kw in options]  # type: ignore[arg-type]
    monkeypatch.setattr(oq, "kernel_loaded", lambda: False)
    assert [index.query_many(qs, k=4, **kw) for kw in options] == compiled  # type: ignore[arg-type]
    assert sum(len(m) for row in compiled for m in row) > 0


def test_a_value_that_is_not_finite_is_left_to_numpy() -> None:
    rng = np.random.default_rng(3)
    index = OverlapIndex(n_candidates=3).fit(_docs(rng, 50, "d", ("lab",)))
    qs = _docs(rng, 3, "q", ("proposal",))
    enc = oq.query_arrays(index, qs)
    seg = index.segments_[0]
    ok = oq.allowed_rows(index, 0, None, None, ())
    assert compiled_candidates(index, enc, seg, ok, False, 0.5) is not None
    enc["gen_text"].data[:1] = np.inf  # the texts' terms, which the kernel reads
    assert compiled_candidates(index, enc, seg, ok, False, 0.5) is None
    enc["gen_text"].data[:1] = np.nan
    assert compiled_candidates(index, enc, seg, ok, False, 0.5) is None


@pytest.mark.parametrize("option", [{"budget_span_decades": 0.0},
                                    {"budget_span_decades": 1e-50},
                                    {"budget_span_decades": np.float64(1.7)},
                                    {"dense_share": np.float64(0.0)},
                                    {"n_candidates": 0}])
def test_settings_the_kernel_would_read_otherwise_are_left_to_numpy(
        option: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    """A span of 0 (NumPy divides into inf and NaN, the kernel would raise), a NumPy float64
    span or context bound (NumPy then computes in float64, the kernel in float32), no
    candidates asked for: the kernel is not called, and a query answers as NumPy does."""
    from wastescreen.features import overlap_candidates as ocand
    from wastescreen.features.pair_dots import candidate_search
    rng = np.random.default_rng(5)
    index = OverlapIndex(**option).fit(_docs(rng, 60, "d", ("lab", "program")))  # type: ignore[arg-type]
    qs = _docs(rng, 4, "q", ("proposal",))
    enc = oq.query_arrays(index, qs)
    ok = oq.allowed_rows(index, 0, None, None, ())
    called: list[bool] = []

    def search() -> object:
        called.append(True)
        return candidate_search()

    monkeypatch.setattr(ocand, "candidate_search", search)
    with np.errstate(divide="ignore", invalid="ignore"):
        got = candidates(index, enc, index.segments_[0], ok, len(qs), False, compiled=True)
        want = candidates(index, enc, index.segments_[0], ok, len(qs), False)
        loaded = index.query_many(qs, k=3)  # a server's process: no error
        monkeypatch.setattr(oq, "kernel_loaded", lambda: False)
        assert index.query_many(qs, k=3) == loaded
    assert not called
    assert _pairs(got) == _pairs(want)


def test_the_compiled_context_scores_are_numpys_bit_for_bit() -> None:
    from wastescreen.features import overlap_components as oc
    from wastescreen.features.candidate_kernel import _context
    rng = np.random.default_rng(11)
    n_rows, n_q = 3000, 6
    r_code = rng.integers(-1, 4, (n_rows, 4)).astype(np.int32)
    q_code = rng.integers(-2, 4, (n_q, 4)).astype(np.int32)
    r_logb = (rng.random(n_rows) * 4 + 8).astype(np.float32)
    r_logb[rng.random(n_rows) < 0.1] = np.nan
    q_logb = (rng.random(n_q) * 4 + 8).astype(np.float32)
    q_logb[0] = np.nan
    applies = rng.random((n_q, 4)) < 0.7
    w = rng.random(4).astype(np.float64) * 0.37
    span = 1.7
    rows = rng.permutation(n_rows)[:2000]
    out = np.empty(rows.size, np.float32)
    names = ("place", "area", "budget", "agency")
    for q in range(n_q):
        _context(q, rows, q_code, q_logb, applies, r_code, r_logb, w.astype(np.float32),
                 np.float32(span), out)
        fields = ("province", "region", "area", "group")
        want = oc.context_score_pairs(
            {**{f: np.full(rows.size, q_code[q, i]) for i, f in enumerate(fields)},
             "log_budget": np.full(rows.size, q_logb[q])},
            {c: np.full(rows.size, applies[q, i]) for i, c in enumerate(names)},
            {**{f: r_code[rows, i] for i, f in enumerate(fields)},
             "log_budget": r_logb[rows]},
            dict(zip(names, w.tolist(), strict=True)), span)
        assert out.tobytes() == want.tobytes()


@pytest.mark.parametrize("n_keys", [50, 10**6])
def test_pairs_are_told_apart_as_np_unique_tells_them(n_keys: int) -> None:
    """By a table of the keys (few possible keys) or by np.unique (many): one position of each
    distinct key, and each key's number among them."""
    rng = np.random.default_rng(n_keys)
    key = rng.integers(0, min(n_keys, 40), 300) * (n_keys // 40 or 1)
    first, back = oq._distinct(key, n_keys)
    assert sorted(key[first].tolist()) == np.unique(key).tolist()
    assert np.array_equal(key[first][back], key)


def test_loading_the_kernels_compiles_what_the_first_query_calls() -> None:
    """In a new process: after ``load_kernel`` both kernels hold the machine code of the
    array types a query passes, so the first pre-check of a server reads or compiles none."""
    script = """
from wastescreen.features.pair_dots import load_kernel
assert load_kernel()
from wastescreen.features.candidate_kernel import candidate_rows
from wastescreen.features.pair_kernel import dots
loaded = (len(candidate_rows.signatures), len(dots.signatures))
from wastescreen.features.overlap_index import OverlapDoc, OverlapIndex
docs = [OverlapDoc(f"d-{i}", "lab", f"phong thi nghiem vat lieu {i}", ("PCR",), "Ha Noi")
        for i in range(30)]
index = OverlapIndex(n_candidates=5).fit(docs)
index.query_many(docs[:3], k=3, per_kind=True)
assert loaded == (1, 1), loaded
assert (len(candidate_rows.signatures), len(dots.signatures)) == loaded
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
