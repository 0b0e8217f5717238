"""The query half of the overlap search (``OverlapIndex.query_many``): the queries encoded once,
candidate rows per segment (``overlap_candidates``), each (query, row) pair scored exactly on the
six components, and the best ``k`` matches per query (per query and kind) ranked.

Functions of the index they search (its segments, vocabularies and term weights); the index's
``query`` and ``query_many`` are the entry points.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from wastescreen.core.agency import agency_key
from wastescreen.features import overlap_bm25 as bm25
from wastescreen.features import overlap_components as oc
from wastescreen.features import overlap_text as ot
from wastescreen.features.overlap_candidates import candidates
from wastescreen.features.overlap_docs import OverlapDoc, OverlapMatch, applicable_components
from wastescreen.features.overlap_rank import best_per_group
from wastescreen.features.overlap_searchable import SearchableIndex
from wastescreen.features.overlap_segment import (
    Segment,
    dense_columns,
    side_by_side,
    take_rows,
)
from wastescreen.features.pair_dots import kernel_loaded, pair_dots

PRUNE_FLOOR = 1000  # postings this short are cheap: never leave such a term out of generation
CHUNK = 256  # queries per sparse product in query_many: bounds the candidate matrix in memory
# From this many (query, row) pairs the exact text scores are compiled (features.pair_dots): a
# batch's chunk has about 100,000, one pre-check a few hundred, for which Numba is not loaded
# (a one-shot screening would spend a second on it) unless the process loaded it at start-up.
COMPILED_MIN_PAIRS = 20_000
# Hashed query terms by hashing settings and distinct (text, title) pairs: literal, then cross.
TextMemo = dict[tuple[Any, ...], sp.csr_matrix]


def query_many(index: SearchableIndex, qs: Sequence[OverlapDoc], *, k: int = 10,
               kinds: Collection[str] | None = None, max_year: int | None = None,
               exclude_ids: Collection[str] = (), per_kind: bool = False,
               text_memo: TextMemo | None = None) -> list[list[OverlapMatch]]:
    """``OverlapIndex.query_many`` (its docstring says what the options do): the queries in
    chunks of ``CHUNK``, each chunk's matches from ``query_chunk``."""
    if not hasattr(index, "df_"):
        return [[] for _ in qs]
    out: list[list[OverlapMatch]] = []
    for start in range(0, len(qs), CHUNK):
        out.extend(query_chunk(index, qs[start : start + CHUNK], k, kinds, max_year,
                               exclude_ids, per_kind, text_memo))
    return out


def allowed_rows(index: SearchableIndex, pos: int, kinds: Collection[str] | None,
                 max_year: int | None, exclude_ids: Collection[str]) -> np.ndarray:
    """(rows of segment ``pos``,) bool: alive, of ``kinds``, of a known year up to
    ``max_year``, not in ``exclude_ids``."""
    seg = index.segments_[pos]
    ok = seg.alive.copy()
    if kinds is not None:
        ok &= np.isin(seg.arr["kind"], [index._codes["kind"].get(x, -9) for x in kinds])
    if max_year is not None:
        ok &= (seg.arr["year"] > 0) & (seg.arr["year"] <= max_year)
    for doc_id in exclude_ids:
        hit = index.where_.get(doc_id)
        if hit is not None and hit[0] == pos:
            ok[hit[1]] = False
    return ok


def query_counts(index: SearchableIndex, qs: Sequence[OverlapDoc], memo: TextMemo | None
                 ) -> tuple[sp.csr_matrix, np.ndarray]:
    """The term counts (as ``OverlapIndex._counts``), then each row's cross terms in the
    columns after them, of each distinct text of the queries, each hashed once (a proposal and
    its what-if variants share theirs), and each query's text number (a row of those)."""
    first: dict[tuple[str, str], int] = {}
    for q in qs:
        first.setdefault((q.text, q.title), len(first))
    key = (index.n_features, index.ngram_max, index.title_boost, index._n_cross, tuple(first))
    found = None if memo is None else memo.get(key)
    if found is None:
        texts = [text for text, _ in first]
        found = ot.field_counts(index._hasher, texts, [title for _, title in first],
                                index.title_boost)
        if index._n_cross:
            found = side_by_side(found, index._cross.counts(texts, as_query=True))
        if memo is not None:
            memo[key] = found
    text_of = np.array([first[(q.text, q.title)] for q in qs], np.int64)
    return found, text_of


def query_arrays(index: SearchableIndex, qs: Sequence[OverlapDoc], memo: TextMemo | None = None
                 ) -> dict[str, Any]:
    """Query-side arrays: the text rows of each distinct text (``full``, ``self``, ``x_self``;
    ``text_of`` gives a query's), and per query the candidate rows (``gen``), equipment,
    codes and applicability. Every text row is computed from its own counts alone, so a text
    shared by several queries is encoded once, to the same bits."""
    w = index.component_weights()
    max_df = int(max(index.candidate_max_df * len(index), PRUNE_FLOOR))
    idf, n_lit = index._idf(), index.n_features
    counts, text_of = query_counts(index, qs, memo)
    full, q_self, x_self, gen = bm25.encode_queries(
        counts, idf, index.df_, k1=index.k1, b=index.b, length_scale=index.length_scale_,
        max_df=max_df, cross_from=n_lit if index._n_cross else None)
    dense = index._dense([q.text for q in qs])
    eq = index._equipment(qs, grow=False)
    total = np.array([sum(1 for c in q.equipment if c) for q in qs], np.float32)
    applies = [applicable_components(q) for q in qs]
    cats = {"province": [q.province for q in qs], "region": [q.region for q in qs],
            "area": [q.technology_area for q in qs],
            "group": [agency_key(q.group) for q in qs]}
    gen.data *= w["text"]  # gen is ours: scaled in place, as gen * w would, without a copy
    gen_text = gen  # one row per distinct text (the compiled candidate search reads these)
    if gen.shape[0] != len(qs):
        gen = take_rows(gen, text_of)
    # Each requested unit's share of the equipment weight; one multiply per stored value,
    # as diag(w / total) @ eq gives, without building the diagonal matrix.
    per_unit = (w["equipment"] / np.maximum(total, 1)).astype(np.float32)
    eq_gen = sp.csr_matrix((eq.data * np.repeat(per_unit, np.diff(eq.indptr)), eq.indices,
                            eq.indptr), shape=eq.shape, dtype=np.float32)
    return {
        "full": full, "self": q_self, "gen": gen, "gen_text": gen_text, "x_self": x_self,
        "text_of": text_of,
        "eq": eq, "eq_total": total, "dense": dense,
        # The dense rows of each text (those of its first query): text_pair_scores pairs rows
        # with texts, not queries.
        "dense_text": dense[np.unique(text_of, return_index=True)[1]],
        "eq_gen": eq_gen,
        **{f: np.array([index._code(f, v, grow=False) for v in vs], np.int32)
           for f, vs in cats.items()},
        "log_budget": np.array([oc.log10_budget(q.budget_vnd) for q in qs], np.float32),
        "applies": {c: np.array([a[c] for a in applies], bool) for c in oc.COMPONENTS},
    }


def text_scores(index: SearchableIndex, seg: Segment, rows: np.ndarray, enc: dict[str, Any],
                pq: np.ndarray) -> np.ndarray:
    """(len(rows),) text component of each (row of ``seg``, query ``pq``) pair. Queries
    with the same text (a proposal and its what-if variants) have the same text score
    against a row, so each distinct (text, row) pair is scored once."""
    text = enc["text_of"][pq]
    key = text * len(seg.ids) + rows
    first, back = _distinct(key, (int(text.max(initial=0)) + 1) * len(seg.ids))
    if first.size == key.size:
        return text_pair_scores(index, seg, rows, enc, text)
    sim: np.ndarray = text_pair_scores(index, seg, rows[first], enc, text[first])[back]
    return sim


def _distinct(key: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """(one position of each distinct value of ``key``, the number of each position's value
    among those): ``np.unique``'s index and inverse, up to the order of the distinct values.
    With few possible keys (``key`` in ``[0, n_keys)``; a pre-check's), a table of them does
    it in linear time."""
    if n_keys > max(4 * key.size, 4096):
        _, first, back = np.unique(key, return_index=True, return_inverse=True)
        return first, back.ravel()
    at = np.empty(n_keys, np.int64)
    at[key] = np.arange(key.size)  # of repeated keys, one position stays: any will do
    first = np.flatnonzero(at[key] == np.arange(key.size))
    at[key[first]] = np.arange(first.size)
    return first, at[key]


def text_pair_scores(index: SearchableIndex, seg: Segment, rows: np.ndarray,
                     enc: dict[str, Any], pq: np.ndarray) -> np.ndarray:
    """``text_scores`` of every (row, distinct text ``pq``) pair as given (no two alike)."""
    num32, num_x = pair_dots(seg.rows, rows, enc["full"], pq, index.n_features,
                             compiled=rows.size >= COMPILED_MIN_PAIRS or kernel_loaded(),
                             inv=seg.inv, finite=seg.all_finite())
    num = num32.astype(np.float64)
    idf_lit, idf_x = index._idf_parts()
    d_self = seg.norms(rows, idf_lit) if index.text_similarity == "cosine" else None
    sim = bm25.text_similarity(num, enc["self"][pq], d_self)
    if num_x is not None:
        # A query and a document of different languages: the larger of the two cosines.
        m = np.flatnonzero(num_x > 0)
        d_x = (seg.norms(rows[m], idf_x, cross=True) if index.text_similarity == "cosine"
               else None)
        sim_x = bm25.text_similarity(num_x[m], enc["x_self"][pq[m]], d_x)
        sim[m] = np.maximum(sim[m], sim_x)
    if index.dense_share > 0:
        cos = np.einsum("ij,ij->i", seg.arr["dense"][rows], enc["dense_text"][pq])
        sim = (1 - index.dense_share) * sim + index.dense_share * np.clip(cos, 0.0, 1.0)
    return sim


def query_chunk(index: SearchableIndex, qs: Sequence[OverlapDoc], k: int,
                kinds: Collection[str] | None, max_year: int | None,
                exclude_ids: Collection[str], per_kind: bool = False,
                text_memo: TextMemo | None = None) -> list[list[OverlapMatch]]:
    """``query_many`` of at most ``CHUNK`` queries: one encoding, one candidate search per
    segment, every (query, candidate) pair scored on the six components, then ranked."""
    enc = query_arrays(index, qs, text_memo)
    q_cols = np.unique(enc["eq"].indices)
    # Requested units in the requested categories, dense (n_queries, len(q_cols)): a few
    # dozen categories at most, so dense beats sparse fancy indexing per pair.
    q_units = dense_columns(enc["eq"], None, q_cols)
    found: list[dict[str, np.ndarray]] = []
    compiled = kernel_loaded()  # a server's: the candidates by the compiled kernel too
    for pos, seg in enumerate(index.segments_):
        ok = allowed_rows(index, pos, kinds, max_year, exclude_ids)
        pq, rr = candidates(index, enc, seg, ok, len(qs), per_kind, compiled=compiled)
        if pq.size == 0:
            continue
        cover, shared = oc.equipment_shared(q_units[pq], enc["eq_total"][pq],
                                            dense_columns(seg.eq, rr, q_cols))
        parts = {
            "text": text_scores(index, seg, rr, enc, pq), "equipment": cover,
            "place": oc.place_score(enc["province"][pq], enc["region"][pq],
                                    seg.arr["province"][rr], seg.arr["region"][rr]),
            "area": oc.area_score(enc["area"][pq], seg.arr["area"][rr]),
            "budget": oc.budget_score(enc["log_budget"][pq], seg.arr["log_budget"][rr],
                                      index.budget_span_decades),
            "agency": oc.agency_score(enc["group"][pq], seg.arr["group"][rr]),
        }
        total = oc.combine(parts, {c: a[pq] for c, a in enc["applies"].items()},
                           index.component_weights())
        found.append({"q": pq, "total": total, "id": seg.ids[rr],
                      "kind": seg.arr["kind"][rr], "shared": shared,
                      **{f"c_{c}": np.asarray(v, np.float64) for c, v in parts.items()}})
    return rank_matches(index, found, len(qs), k, q_cols, per_kind)


def rank_matches(index: SearchableIndex, found: list[dict[str, np.ndarray]], n_queries: int,
                 k: int, q_cols: np.ndarray, per_kind: bool) -> list[list[OverlapMatch]]:
    """Best ``k`` per query (per query and kind) by total score, then doc_id, at least
    ``min_score``."""
    out: list[list[OverlapMatch]] = [[] for _ in range(n_queries)]
    if not found:
        return out
    f = found[0] if len(found) == 1 else {
        key: np.concatenate([d[key] for d in found]) for key in found[0]}
    # A document indexed without a kind (code -1) is a kind of its own, after the others.
    n_kinds = len(index.vocab_["kind"]) + 1 if per_kind else 1
    kind_of = np.where(f["kind"] < 0, n_kinds - 1, f["kind"]) if per_kind else 0
    group = f["q"] * n_kinds + kind_of
    best = best_per_group(group, f["total"], f["id"], k, n_queries * n_kinds)
    sel = best[f["total"][best] >= index.min_score]
    codes = [index.vocab_["equipment"][c] for c in q_cols]
    comps = list(zip(*(f[f"c_{c}"][sel].tolist() for c in oc.COMPONENTS), strict=True))
    # The shared units of all kept matches at once, row by row (as np.flatnonzero of
    # each row would list them), rather than a search of every match's row.
    shared = f["shared"][sel]
    at, col = np.nonzero(shared)
    units: list[dict[str, int]] = [{} for _ in range(sel.size)]
    for j, c, n in zip(at.tolist(), col.tolist(), shared[at, col].astype(np.int64).tolist(),
                       strict=True):
        units[j][codes[c]] = n
    kinds = index.vocab_["kind"]
    for q, doc_id, kind, total, comp, eq in zip(
            f["q"][sel].tolist(), f["id"][sel].tolist(), f["kind"][sel].tolist(),
            f["total"][sel].tolist(), comps, units, strict=True):
        out[q].append(OverlapMatch(doc_id=doc_id, kind=kinds[kind] if kind >= 0 else "",
                                   score=total,
                                   components=dict(zip(oc.COMPONENTS, comp, strict=True)),
                                   shared_equipment=eq))
    return out
