"""Frozen: ``OverlapIndex.query_many`` as it was, with its ``_query_chunk``, ``_encode`` (each
query's text hashed for itself and encoded by ``_encode_queries``' SciPy matrix operations, the
literal and cross-language columns stacked by scipy, equipment counts by ``_equipment``'s COO
conversion),
``_candidates`` (one query at a time), ``_text`` (every pair scored, by SciPy below the compiled
path's size) and ``_rank`` (each match's shared equipment searched for on its own), as
functions of a live index (``self``); the index's other methods are the service's."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from wastescreen.core.agency import agency_key as _agency_key
from wastescreen.features import overlap_bm25 as bm25
from wastescreen.features import overlap_components as oc
from wastescreen.features.overlap_candidates import top_candidates
from wastescreen.features.overlap_index import (
    OverlapDoc,
    OverlapIndex,
    OverlapMatch,
    applicable_components,
)
from wastescreen.features.overlap_query import CHUNK as _CHUNK
from wastescreen.features.overlap_query import COMPILED_MIN_PAIRS as _COMPILED_MIN_PAIRS
from wastescreen.features.overlap_query import PRUNE_FLOOR as _PRUNE_FLOOR
from wastescreen.features.overlap_query import allowed_rows
from wastescreen.features.overlap_segment import Segment, self_scores
from wastescreen.features.pair_dots import pair_dots


def query_many(self: OverlapIndex, qs: Sequence[OverlapDoc], *, k: int = 10,
               kinds: Collection[str] | None = None, max_year: int | None = None,
               exclude_ids: Collection[str] = (), per_kind: bool = False
               ) -> list[list[OverlapMatch]]:
    """``query`` for each of ``qs`` with the same filters, in batches of sparse products;
    row i equals ``query(qs[i], ...)`` exactly (``query`` is this with one row).

    ``per_kind``: the ``k`` best of each kind (grouped by kind, best first within a kind),
    exactly what one call per kind would give, for the price of one call."""
    if not hasattr(self, "df_"):
        return [[] for _ in qs]
    out: list[list[OverlapMatch]] = []
    for start in range(0, len(qs), _CHUNK):
        out.extend(_query_chunk(self, qs[start : start + _CHUNK], k, kinds, max_year,
                                exclude_ids, per_kind))
    return out


def _query_chunk(
    self: OverlapIndex, qs: Sequence[OverlapDoc], k: int, kinds: Collection[str] | None,
    max_year: int | None, exclude_ids: Collection[str], per_kind: bool = False,
) -> list[list[OverlapMatch]]:
    enc = _encode(self, qs)
    n_eq = len(self.vocab_["equipment"])
    q_cols = np.unique(enc["eq"].indices)
    # Requested units in the requested categories, dense (n_queries, len(q_cols)): a few
    # dozen categories at most, so dense beats sparse fancy indexing per pair.
    q_units = enc["eq"][:, q_cols].toarray()
    found: list[dict[str, np.ndarray]] = []
    for pos, seg in enumerate(self.segments_):
        pq, rr = _candidates(self, enc, seg,
                             allowed_rows(self, pos, kinds, max_year, exclude_ids),
                             len(qs), per_kind)
        if pq.size == 0:
            continue
        held = np.zeros((rr.size, n_eq), np.float32)
        held[:, : seg.eq.shape[1]] = seg.eq[rr].toarray()
        cover, shared = oc.equipment_shared(q_units[pq], enc["eq_total"][pq],
                                            held[:, q_cols])
        parts = {
            "text": _text(self, seg, rr, enc, pq), "equipment": cover,
            "place": oc.place_score(enc["province"][pq], enc["region"][pq],
                                    seg.arr["province"][rr], seg.arr["region"][rr]),
            "area": oc.area_score(enc["area"][pq], seg.arr["area"][rr]),
            "budget": oc.budget_score(enc["log_budget"][pq], seg.arr["log_budget"][rr],
                                      self.budget_span_decades),
            "agency": oc.agency_score(enc["group"][pq], seg.arr["group"][rr]),
        }
        total = oc.combine(parts, {c: a[pq] for c, a in enc["applies"].items()},
                           self.component_weights())
        found.append({"q": pq, "total": total, "id": seg.ids[rr],
                      "kind": seg.arr["kind"][rr], "shared": shared,
                      **{f"c_{c}": np.asarray(v, np.float64) for c, v in parts.items()}})
    return _rank(self, found, len(qs), k, q_cols, per_kind)


def _encode(self: OverlapIndex, qs: Sequence[OverlapDoc]) -> dict[str, Any]:
    """Query-side arrays (one entry per query): text rows, equipment, codes, applicability."""
    w = self.component_weights()
    max_df = int(max(self.candidate_max_df * len(self), _PRUNE_FLOOR))
    idf, n_lit = self._idf(), self.n_features
    full, q_self, gen = _encode_queries(
        self._counts(qs), idf[:n_lit], self.df_[:n_lit], k1=self.k1,
        b=self.b, length_scale=self.length_scale_, max_df=max_df)
    x_self = np.zeros(len(qs))
    if self._n_cross:
        x_full, x_self, x_gen = _encode_queries(
            self._cross.counts([q.text for q in qs], as_query=True), idf[n_lit:],
            self.df_[n_lit:], k1=self.k1, b=0.0, length_scale=1.0, max_df=max_df)
        full = sp.csr_matrix(sp.hstack([full, x_full], format="csr"))
        gen = sp.csr_matrix(sp.hstack([gen, x_gen], format="csr"))
    eq = _equipment(self, qs)
    total = np.array([sum(1 for c in q.equipment if c) for q in qs], np.float32)
    applies = [applicable_components(q) for q in qs]
    cats = {"province": [q.province for q in qs], "region": [q.region for q in qs],
            "area": [q.technology_area for q in qs],
            "group": [_agency_key(q.group) for q in qs]}
    gen.data *= w["text"]  # gen is ours: scaled in place, as gen * w would, without a copy
    # Each requested unit's share of the equipment weight; one multiply per stored value,
    # as diag(w / total) @ eq gives, without building the diagonal matrix.
    per_unit = (w["equipment"] / np.maximum(total, 1)).astype(np.float32)
    eq_gen = sp.csr_matrix((eq.data * np.repeat(per_unit, np.diff(eq.indptr)), eq.indices,
                            eq.indptr), shape=eq.shape, dtype=np.float32)
    return {
        "full": full, "self": q_self, "gen": gen, "x_self": x_self,
        "eq": eq, "eq_total": total, "dense": self._dense([q.text for q in qs]),
        "eq_gen": eq_gen,
        **{f: np.array([self._code(f, v, grow=False) for v in vs], np.int32)
           for f, vs in cats.items()},
        "log_budget": np.array([oc.log10_budget(q.budget_vnd) for q in qs], np.float32),
        "applies": {c: np.array([a[c] for a in applies], bool) for c in oc.COMPONENTS},
    }


def _text(self: OverlapIndex, seg: Segment, rows: np.ndarray, enc: dict[str, Any],
          pq: np.ndarray) -> np.ndarray:
    num32, num_x = pair_dots(seg.rows, rows, enc["full"], pq, self.n_features,
                             compiled=rows.size >= _COMPILED_MIN_PAIRS)
    num = num32.astype(np.float64)
    idf_lit, idf_x = self._idf_parts()
    d_self = seg.norms(rows, idf_lit) if self.text_similarity == "cosine" else None
    sim = bm25.text_similarity(num, enc["self"][pq], d_self)
    if num_x is not None:
        # A query and a document of different languages: the larger of the two cosines.
        m = np.flatnonzero(num_x > 0)
        d_x = (self_scores(seg.rows[rows[m]], idf_x) if self.text_similarity == "cosine"
               else None)
        sim_x = bm25.text_similarity(num_x[m], enc["x_self"][pq[m]], d_x)
        sim[m] = np.maximum(sim[m], sim_x)
    if self.dense_share > 0:
        cos = np.einsum("ij,ij->i", seg.arr["dense"][rows], enc["dense"][pq])
        sim = (1 - self.dense_share) * sim + self.dense_share * np.clip(cos, 0.0, 1.0)
    return sim


def _rank(self: OverlapIndex, found: list[dict[str, np.ndarray]], n_queries: int, k: int,
          q_cols: np.ndarray, per_kind: bool) -> list[list[OverlapMatch]]:
    """Best ``k`` per query (per query and kind) by total score, then doc_id, at least
    ``min_score``."""
    out: list[list[OverlapMatch]] = [[] for _ in range(n_queries)]
    if not found:
        return out
    f = {key: np.concatenate([d[key] for d in found]) for key in found[0]}
    n_kinds = len(self.vocab_["kind"]) if per_kind else 1
    group = f["q"] * n_kinds + (f["kind"] if per_kind else 0)
    order = np.lexsort((f["id"], -f["total"], group))
    bounds = np.searchsorted(group[order], np.arange(n_queries * n_kinds + 1))
    place = np.arange(order.size) - bounds[group[order]]
    sel = order[(place < k) & (f["total"][order] >= self.min_score)]
    codes = [self.vocab_["equipment"][c] for c in q_cols]
    comps = list(zip(*(f[f"c_{c}"][sel].tolist() for c in oc.COMPONENTS), strict=True))
    shared, kinds = f["shared"][sel], self.vocab_["kind"]
    for j, (q, doc_id, kind, total) in enumerate(zip(
            f["q"][sel].tolist(), f["id"][sel].tolist(), f["kind"][sel].tolist(),
            f["total"][sel].tolist(), strict=True)):
        out[q].append(OverlapMatch(
            doc_id=doc_id, kind=kinds[kind], score=total,
            components=dict(zip(oc.COMPONENTS, comps[j], strict=True)),
            shared_equipment={codes[c]: int(shared[j, c]) for c in np.flatnonzero(shared[j])}))
    return out


def _candidates(self: OverlapIndex, enc: dict[str, Any], seg: Segment, ok: np.ndarray,
                n_queries: int, per_kind: bool) -> tuple[np.ndarray, np.ndarray]:
    """(query number, row) pairs: up to n_candidates rows of ``seg`` per query (per query
    and kind with ``per_kind``)."""
    w = self.component_weights()
    dense_w = w["text"] * self.dense_share
    # Place/area/budget/agency/dense add at most this much: rows whose term score is further
    # than that below the n-th best cannot enter the top n, so they are not scored.
    ctx_max = w["place"] + w["area"] + w["budget"] + w["agency"] + dense_w
    gen = enc["gen"] @ seg.inv
    if enc["eq_gen"].nnz and seg.eq_inv.shape[0]:
        gen = gen + enc["eq_gen"][:, : seg.eq_inv.shape[0]] @ seg.eq_inv
    gen = sp.csr_matrix(gen)
    pq_parts, row_parts = [], []
    for i in range(n_queries):
        idx = gen.indices[gen.indptr[i] : gen.indptr[i + 1]]
        val = gen.data[gen.indptr[i] : gen.indptr[i + 1]]
        keep = ok[idx]
        idx, val = idx[keep], val[keep]
        q = {f: enc[f][i] for f in ("province", "region", "area", "log_budget", "group")}
        q["applies"] = {c: a[i] for c, a in enc["applies"].items()}
        groups = [(idx, val)]
        if per_kind:
            kind = seg.arr["kind"][idx]
            groups = [(idx[kind == c], val[kind == c]) for c in np.unique(kind)]
        for g_idx, g_val in groups:
            top = top_candidates(self, g_idx, g_val, q, seg, enc, i, ctx_max, dense_w)
            pq_parts.append(np.full(top.size, i))
            row_parts.append(top)
    if not pq_parts:  # per kind, a query with no candidate row adds no group at all
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(pq_parts), np.concatenate(row_parts).astype(np.int64)


def _encode_queries(counts: sp.csr_matrix, idf: np.ndarray, df: np.ndarray, *, k1: float,
                    b: float, length_scale: float, max_df: int
                    ) -> tuple[sp.csr_matrix, np.ndarray, sp.csr_matrix]:
    """``overlap_bm25.encode_queries`` as it was: (full, self, gen) of one part."""
    a = bm25.bm25_rows(counts, k1=k1, b=b, length_scale=length_scale)
    full = sp.csr_matrix((a.data * idf[a.indices], a.indices, a.indptr), shape=a.shape)
    q_self = np.asarray(full.multiply(a).sum(axis=1), np.float64).ravel()
    term_df = df[a.indices]
    rare = (term_df > 0) & (term_df <= max_df)
    row_of = np.repeat(np.arange(a.shape[0]), np.diff(a.indptr))
    has_rare = np.bincount(row_of[rare], minlength=a.shape[0]) > 0
    use = (rare | ~has_rare[row_of]) & (term_df > 0)
    gen = sp.csr_matrix((np.where(use, full.data / np.maximum(q_self, 1e-12)[row_of], 0)
                         .astype(np.float32), a.indices.copy(), a.indptr.copy()), shape=a.shape)
    gen.eliminate_zeros()
    return full, q_self, gen


def _equipment(self: OverlapIndex, docs: Sequence[OverlapDoc]) -> sp.csr_matrix:
    """``OverlapIndex._equipment(docs, grow=False)`` as it was (SciPy's COO conversion)."""
    pairs = [(i, self._code("equipment", c, grow=False)) for i, d in enumerate(docs)
             for c in d.equipment]
    r = [i for i, j in pairs if j >= 0]
    c = [j for _, j in pairs if j >= 0]
    m = sp.csr_matrix((np.ones(len(r), np.float32), (r, c)),
                      shape=(len(docs), len(self.vocab_["equipment"])))
    m.sum_duplicates()
    return m
