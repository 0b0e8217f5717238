"""The compiled candidate search of :func:`features.overlap_candidates.candidates` (Numba;
imported only where the process loaded the compiled kernels, as a server does at start-up).

It gives the candidates the SciPy and NumPy steps give, from the same float32 arithmetic in
the same order: the term products accumulated as SciPy's sparse product accumulates them (each
row's sum in the order of the query's stored terms), the equipment products likewise, added to
them afterwards, zeros dropped; the near cut, the context scores and the top cut as
``overlap_candidates.candidates`` and ``overlap_rank`` make them. A value that is not finite
stops it (-1): the caller then takes the NumPy path, which decides such cases its own way.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _kth_largest(vals: np.ndarray, k: int) -> np.float32:
    """The k-th largest of ``vals`` (1 <= k <= size, finite values), by selection."""
    kth: np.float32 = np.partition(vals, vals.size - k)[vals.size - k]
    return kth


@numba.njit(cache=True, nogil=True)
def _context(q: int, rows: np.ndarray, q_code: np.ndarray, q_logb: np.ndarray,
             applies: np.ndarray, r_code: np.ndarray, r_logb: np.ndarray, w: np.ndarray,
             span: np.float32, out: np.ndarray) -> None:
    """``overlap_components.context_score_pairs`` of query ``q`` and each of ``rows`` into
    ``out``: place, area, budget, agency (each weight times its score, float32) added in
    that order to 0. ``q_code`` and ``r_code`` (n, 4) int codes: province, region, area,
    group. Written without branches on the rows (they would be mispredicted)."""
    half = np.float32(0.5)
    zero, one = np.float32(0.0), np.float32(1.0)
    province, region, area, group = q_code[q, 0], q_code[q, 1], q_code[q, 2], q_code[q, 3]
    logb = q_logb[q]
    for i in range(rows.size):
        r = rows[i]
        c = zero
        if applies[q, 0]:
            same_p = (province >= 0) & (province == r_code[r, 0])
            same_r = (region >= 0) & (region == r_code[r, 1])
            c += w[0] * (half * np.float32(same_p | same_r) + half * np.float32(same_p))
        if applies[q, 1]:
            c += w[1] * np.float32((area >= 0) & (area == r_code[r, 2]))
        if applies[q, 2]:
            close = one - np.abs(r_logb[r] - logb) / span
            # np.clip to [0, 1], then NaN (a budget unknown on either side) to 0
            close = min(close, one) if close > zero else zero
            c += w[2] * close
        if applies[q, 3]:
            c += w[3] * np.float32((group >= 0) & (group == r_code[r, 3]))
        out[i] = c


@numba.njit(cache=True, nogil=True)
def _products(a_ptr: np.ndarray, a_ind: np.ndarray, a_val: np.ndarray, q: int,
              inv_ptr: np.ndarray, inv_ind: np.ndarray, inv_val: np.ndarray, n_terms: int,
              acc: np.ndarray, seen: np.ndarray, touched: np.ndarray, n_touched: int) -> int:
    """Add query ``q``'s products with the inverted index (terms below ``n_terms``) into
    ``acc``, as SciPy's ``csr_matmat`` adds them; new rows are listed in ``touched``."""
    for jj in range(a_ptr[q], a_ptr[q + 1]):
        j = a_ind[jj]
        if j >= n_terms:
            continue
        v = a_val[jj]
        for kk in range(inv_ptr[j], inv_ptr[j + 1]):
            k = inv_ind[kk]
            if not seen[k]:
                seen[k] = True
                touched[n_touched] = k
                n_touched += 1
            acc[k] += v * inv_val[kk]
    return n_touched


@numba.njit(cache=True, nogil=True)
def candidate_rows(g_ptr: np.ndarray, g_ind: np.ndarray, g_val: np.ndarray,
                   text_of: np.ndarray,
                   inv_ptr: np.ndarray, inv_ind: np.ndarray, inv_val: np.ndarray,
                   e_ptr: np.ndarray, e_ind: np.ndarray, e_val: np.ndarray,
                   einv_ptr: np.ndarray, einv_ind: np.ndarray, einv_val: np.ndarray,
                   n_eq_terms: int, ok: np.ndarray, kind: np.ndarray, per_kind: bool,
                   q_code: np.ndarray, q_logb: np.ndarray, applies: np.ndarray,
                   r_code: np.ndarray, r_logb: np.ndarray, w: np.ndarray, span: np.float32,
                   ctx_max: np.float32, slack: np.float32, n: int
                   ) -> tuple[int, np.ndarray, np.ndarray]:
    """(status, query numbers, rows): up to ``n`` candidate rows per query (per query and
    kind with ``per_kind``), grouped by query, each query's rows ascending; status -1 when a
    value was not finite (nothing else is then meaningful).

    ``g_*``: the weighted terms of each distinct text (CSR), ``text_of`` each query's text
    (queries of one text side by side share its products), ``inv_*`` the segment's inverted
    index (CSR, terms by rows); ``e_*`` the queries' equipment shares, ``einv_*`` the
    segment's equipment presence (equipment columns from ``n_eq_terms`` on are left out, as
    the caller's slice does); ``ok`` the rows allowed, ``kind`` their kind codes;
    ``q_code``/``r_code`` (n, 4) int province, region, area, group codes (``Segment.codes``),
    ``q_logb``/``r_logb`` log10 budgets, ``applies`` (queries, 4) whether place, area, budget
    and agency apply (``overlap_components.CONTEXT``), ``w`` their float32 weights; ``slack``
    the near cut's (``overlap_candidates.NEAR_SLACK``)."""
    n_queries = text_of.size
    n_rows = ok.size
    acc = np.zeros(n_rows, np.float32)
    acc_eq = np.zeros(n_rows, np.float32)
    seen = np.zeros(n_rows, np.bool_)  # rows in ``touched``
    touched = np.empty(n_rows, np.int64)
    by_text = np.zeros(n_rows, np.bool_)  # rows the current text's products reached
    n_text = 0  # touched[:n_text]: those rows
    # Kinds side by side: each query's candidates of kind code c (-1 too) in bucket c + 1.
    n_buckets = 1
    if per_kind:
        for k in range(n_rows):
            n_buckets = max(n_buckets, kind[k] + 2)
    # Every query's allowed nonzero rows (a row of a query at most once), by query and
    # bucket: c_ptr[q * n_buckets + b] is where bucket b of query q starts.
    c_ptr = np.zeros(n_queries * n_buckets + 1, np.int64)
    c_row = np.empty(n_queries * n_rows if n_queries * n_rows < 1 << 22 else 16, np.int64)
    c_val = np.empty(c_row.size, np.float32)
    counts = np.zeros(n_buckets, np.int64)
    total = 0
    for q in range(n_queries):
        if q == 0 or text_of[q] != text_of[q - 1]:  # a new text: its products, once
            for t in range(n_text):
                acc[touched[t]] = 0
                seen[touched[t]] = False
                by_text[touched[t]] = False
            n_text = _products(g_ptr, g_ind, g_val, text_of[q], inv_ptr, inv_ind, inv_val,
                               inv_ptr.size - 1, acc, seen, touched, 0)
            for t in range(n_text):
                by_text[touched[t]] = True
        m = _products(e_ptr, e_ind, e_val, q, einv_ptr, einv_ind, einv_val, n_eq_terms,
                      acc_eq, seen, touched, n_text)
        counts[:] = 0
        for t in range(m):
            k = touched[t]
            value = acc[k] + acc_eq[k]
            if value != 0 and ok[k]:
                if not np.isfinite(value):
                    return -1, touched[:0], touched[:0]
                counts[kind[k] + 1 if per_kind else 0] += 1
        if total + m > c_row.size:
            grown = max(2 * c_row.size, total + m)
            c_row = np.concatenate((c_row[:total], np.empty(grown - total, np.int64)))
            c_val = np.concatenate((c_val[:total], np.empty(grown - total, np.float32)))
        base = q * n_buckets
        for b in range(n_buckets):
            c_ptr[base + b + 1] = c_ptr[base + b] + counts[b]
        fill = c_ptr[base : base + n_buckets].copy()
        for t in range(m):
            k = touched[t]
            value = acc[k] + acc_eq[k]
            acc_eq[k] = 0
            if not by_text[k]:  # reached by equipment alone: not kept for the next query
                seen[k] = False
            if value != 0 and ok[k]:
                b = kind[k] + 1 if per_kind else 0
                c_row[fill[b]] = k
                c_val[fill[b]] = value
                fill[b] += 1
        total = c_ptr[base + n_buckets]
    # The near cut applies to every group once any group is longer than n (as the cut of
    # all groups at once does), with the n-th largest term score of the group.
    any_big = False
    for g in range(n_queries * n_buckets):
        any_big |= c_ptr[g + 1] - c_ptr[g] > n
    out_q = np.empty(total, np.int64)
    out_r = np.empty(total, np.int64)
    n_out = 0
    rows = np.empty(max(total, 1), np.int64)
    vals = np.empty(max(total, 1), np.float32)
    ctx = np.empty(max(total, 1), np.float32)
    for q in range(n_queries):
        first_out = n_out
        for g in range(q * n_buckets, (q + 1) * n_buckets):
            lo, hi = c_ptr[g], c_ptr[g + 1]
            size = 0
            if any_big and hi - lo >= n:
                floor = (_kth_largest(c_val[lo:hi], n) - ctx_max) - slack
                for i in range(lo, hi):
                    if c_val[i] >= floor:
                        rows[size] = c_row[i]
                        vals[size] = c_val[i]
                        size += 1
            else:
                size = hi - lo
                rows[:size] = c_row[lo:hi]
                vals[:size] = c_val[lo:hi]
            _context(q, rows[:size], q_code, q_logb, applies, r_code, r_logb, w, span, ctx)
            for i in range(size):
                vals[i] = vals[i] + ctx[i]
                if not np.isfinite(vals[i]):
                    return -1, touched[:0], touched[:0]
            if size <= n:
                out_r[n_out : n_out + size] = rows[:size]
                n_out += size
                continue
            thr = _kth_largest(vals[:size], n)
            ties = n
            for i in range(size):
                if vals[i] > thr:
                    out_r[n_out] = rows[i]
                    n_out += 1
                    ties -= 1
            # the lowest rows among those equal to the n-th largest fill the group
            tied = np.sort(rows[:size][vals[:size] == thr])
            out_r[n_out : n_out + ties] = tied[:ties]
            n_out += ties
        out_r[first_out:n_out] = np.sort(out_r[first_out:n_out])
        out_q[first_out:n_out] = q
    return 0, out_q[:n_out], out_r[:n_out]


def warm_up() -> None:
    """Call :func:`candidate_rows` once on one row, with the array types the overlap search
    passes (int32 sparse indices, float32 values), so that a server's first pre-check does
    not wait for its machine code to be read or compiled."""
    i32 = np.zeros(1, np.int32)
    ptr = np.array([0, 1], np.int32)
    f32 = np.ones(1, np.float32)
    none_i, none_f = np.zeros(0, np.int32), np.zeros(0, np.float32)
    codes = np.zeros((1, 4), np.int32)
    candidate_rows(ptr, i32, f32, np.zeros(1, np.int64), ptr, i32, f32,
                   np.zeros(2, np.int32), none_i, none_f, np.zeros(1, np.int32), none_i,
                   none_f, 0, np.ones(1, np.bool_), i32, True, codes, f32,
                   np.ones((1, 4), np.bool_), codes, f32, np.ones(4, np.float32),
                   np.float32(2.0), np.float32(1.0), np.float32(1e-6), 1)
