"""Candidate rows of a segment for each query of the overlap search: the rows whose term and
equipment scores (a sparse product with the segment's inverted index) plus the most that
place, area, budget and agency can add put them among the ``n_candidates`` best. Only these
rows are scored exactly (``overlap_query``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from wastescreen.features import overlap_components as oc
from wastescreen.features.overlap_rank import kth_largest_per_group, top_per_group, top_rows
from wastescreen.features.overlap_searchable import SearchableIndex
from wastescreen.features.overlap_segment import CODE_COLUMNS, Segment
from wastescreen.features.pair_dots import KernelUnavailable, candidate_search

# Slack below the near cut (term score of the n-th best row minus what context can add), for
# the float32 rounding of that bound: each candidate path subtracts it, in float32.
NEAR_SLACK = 1e-6


def candidates(index: SearchableIndex, enc: dict[str, Any], seg: Segment, ok: np.ndarray,
               n_queries: int, per_kind: bool, *, compiled: bool = False
               ) -> tuple[np.ndarray, np.ndarray]:
    """(query number, row) pairs: up to n_candidates rows of ``seg`` per query (per query
    and kind with ``per_kind``), grouped by query. ``compiled``: by the compiled kernel
    (``features.candidate_kernel``, the same pairs) where the inputs allow it."""
    w = index.component_weights()
    dense_w = w["text"] * index.dense_share
    # Place/area/budget/agency/dense add at most this much: rows whose term score is further
    # than that below the n-th best cannot enter the top n, so they are not scored.
    ctx_max = w["place"] + w["area"] + w["budget"] + w["agency"] + dense_w
    if compiled and dense_w == 0:
        found = compiled_candidates(index, enc, seg, ok, per_kind, ctx_max)
        if found is not None:
            return found
    gen = enc["gen"] @ seg.inv
    eq_gen = enc["eq_gen"]
    if eq_gen.nnz and seg.eq_inv.shape[0]:
        if eq_gen.shape[1] != seg.eq_inv.shape[0]:  # categories the segment predates
            eq_gen = eq_gen[:, : seg.eq_inv.shape[0]]
        gen = gen + eq_gen @ seg.eq_inv
    gen = sp.csr_matrix(gen)
    if dense_w > 0:  # a sentence-embedding product per query: kept query by query
        return candidates_by_query(index, gen, enc, seg, ok, n_queries, per_kind, ctx_max,
                                   dense_w)
    q = np.repeat(np.arange(n_queries), np.diff(gen.indptr))
    keep = ok[gen.indices]
    q, idx, val = q[keep], gen.indices[keep], gen.data[keep]
    if per_kind:  # the groups of one query and kind, numbered query by query
        kinds, kind = np.unique(seg.arr["kind"][idx], return_inverse=True)
        group, n_groups = q * kinds.size + kind.ravel(), n_queries * kinds.size
    else:
        group, n_groups = q, n_queries
    # What top_candidates does to each group, for every group at once (same float32
    # arithmetic, element by element): the near cut, the context, the top rows.
    n = index.n_candidates
    if (np.bincount(group, minlength=n_groups) > n).any():
        nth = kth_largest_per_group(group, val, n, n_groups).astype(np.float32)
        near = np.flatnonzero(~np.isfinite(nth[group])
                              | (val >= nth[group] - ctx_max - NEAR_SLACK))
        q, idx, val, group = q[near], idx[near], val[near], group[near]
    val = val + oc.context_score_pairs(
        {f: enc[f][q] for f in ("province", "region", "area", "log_budget", "group")},
        {c: a[q] for c, a in enc["applies"].items()},
        {f: seg.arr[f][idx] for f in ("province", "region", "area", "log_budget", "group")},
        w, index.budget_span_decades)
    top = top_per_group(group, idx, val, n, n_groups)
    top = top[np.argsort(q[top], kind="stable")]
    return q[top], idx[top].astype(np.int64)


def compiled_candidates(index: SearchableIndex, enc: dict[str, Any], seg: Segment,
                        ok: np.ndarray, per_kind: bool, ctx_max: float
                        ) -> tuple[np.ndarray, np.ndarray] | None:
    """``candidates`` by the compiled kernel (each query's rows ascending), or None where it
    does not apply: other dtypes than float32, a budget span that is not a Python number or
    is 0, fewer than one candidate asked for, an equipment matrix narrower than the
    segment's, or a value that is not finite (the NumPy path then decides)."""
    gen, eq_gen = enc["gen_text"], enc["eq_gen"]
    inv, eq_inv = seg.inv, seg.eq_inv
    if any(m.dtype != np.float32 for m in (gen, eq_gen, inv, eq_inv)):
        return None
    span = index.budget_span_decades
    # The kernel divides by the span and subtracts ctx_max in float32, as NumPy does with a
    # Python number (with a NumPy float64, NumPy computes in float64); a span of 0 is left
    # to NumPy's inf and NaN.
    if (type(span) not in (int, float) or type(ctx_max) is not float
            or np.float32(span) == 0 or index.n_candidates < 1):
        return None
    if eq_gen.nnz and eq_inv.shape[0] and eq_gen.shape[1] < eq_inv.shape[0]:
        return None  # SciPy refuses the product: left to it to say so
    try:
        candidate_rows = candidate_search()
    except KernelUnavailable:  # logged once by the pair kernel's loader: NumPy instead
        return None
    w = index.component_weights()
    weights = np.array([w[c] for c in oc.CONTEXT], np.float32)
    if not np.isfinite(weights).all():
        return None
    applies = np.stack([enc["applies"][c] for c in oc.CONTEXT], axis=1)
    q_code = np.stack([enc[f] for f in CODE_COLUMNS], axis=1)
    r_code = seg.codes()
    status, pq, rows = candidate_rows(
        gen.indptr, gen.indices, gen.data, enc["text_of"], inv.indptr, inv.indices, inv.data,
        eq_gen.indptr, eq_gen.indices, eq_gen.data, eq_inv.indptr, eq_inv.indices,
        eq_inv.data, eq_inv.shape[0] if eq_gen.nnz else 0, ok, seg.arr["kind"], per_kind,
        q_code, enc["log_budget"], applies, r_code, seg.arr["log_budget"], weights,
        np.float32(span), np.float32(ctx_max), np.float32(NEAR_SLACK),
        index.n_candidates)
    return None if status < 0 else (pq, rows)


def candidates_by_query(index: SearchableIndex, gen: sp.csr_matrix, enc: dict[str, Any],
                        seg: Segment, ok: np.ndarray, n_queries: int, per_kind: bool,
                        ctx_max: float, dense_w: float) -> tuple[np.ndarray, np.ndarray]:
    """``candidates`` one query (and kind) at a time."""
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
            top = top_candidates(index, g_idx, g_val, q, seg, enc, i, ctx_max, dense_w)
            pq_parts.append(np.full(top.size, i))
            row_parts.append(top)
    if not pq_parts:  # per kind, a query with no candidate row adds no group at all
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(pq_parts), np.concatenate(row_parts).astype(np.int64)


def top_candidates(index: SearchableIndex, idx: np.ndarray, val: np.ndarray, q: dict[str, Any],
                   seg: Segment, enc: dict[str, Any], i: int, ctx_max: float,
                   dense_w: float) -> np.ndarray:
    """The n_candidates rows among ``idx`` (term scores ``val``) best by term + context."""
    if val.size > index.n_candidates:
        nth = np.partition(val, val.size - index.n_candidates)[-index.n_candidates]
        near = val >= nth - ctx_max - NEAR_SLACK
        idx, val = idx[near], val[near]
    val = val + oc.context_score(q, {f: seg.arr[f][idx] for f in q if f != "applies"},
                                 index.component_weights(), index.budget_span_decades)
    if dense_w > 0:
        val += dense_w * np.maximum(seg.arr["dense"][idx] @ enc["dense"][i], 0)
    return top_rows(idx, val, index.n_candidates)
