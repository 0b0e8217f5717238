"""The compiled loop of :func:`features.pair_dots.pair_dots` (Numba; imported only by it, on
first use, because importing Numba and loading the kernel costs about a second)."""

from __future__ import annotations

import numba
import numpy as np

_BLOCK = 128  # NumPy's PW_BLOCKSIZE


@numba.njit(cache=True, nogil=True)
def _block(buf: np.ndarray, lo: int, n: int) -> np.float32:
    """NumPy's float32 sum of ``buf[lo:lo + n]`` for n <= 128: sequential below 8 values, else
    8 accumulators, their pairs added, then the rest."""
    if n < 8:
        res = np.float32(-0.0)
        for i in range(lo, lo + n):
            res += buf[i]
        return res
    r = buf[lo : lo + 8].copy()
    i = 8
    while i < n - (n % 8):
        for j in range(8):
            r[j] += buf[lo + i + j]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        res += buf[lo + i]
        i += 1
    return np.float32(res)


@numba.njit(cache=True, nogil=True)
def pairwise(buf: np.ndarray, lo: int, n: int) -> np.float32:
    """NumPy's pairwise float32 sum of ``buf[lo:lo + n]`` (``pairwise_sum`` of its loops):
    above 128 values, the sum of the two halves (the first a multiple of 8), each summed so.
    The halving runs on a stack, not by recursion (Numba's cache does not hold recursive
    functions safely)."""
    if n <= _BLOCK:
        return _block(buf, lo, n)
    los = np.empty(64, np.int64)
    ns = np.empty(64, np.int64)
    stage = np.zeros(64, np.int8)
    vals = np.empty(64, np.float32)
    top, n_vals = 0, 0
    los[0], ns[0] = lo, n
    while top >= 0:
        at, m = los[top], ns[top]
        if m <= _BLOCK:
            vals[n_vals] = _block(buf, at, m)
            n_vals += 1
            top -= 1
            continue
        half = m // 2
        half -= half % 8
        if stage[top] == 2:  # both halves summed: add them
            vals[n_vals - 2] = vals[n_vals - 2] + vals[n_vals - 1]
            n_vals -= 1
            top -= 1
            continue
        stage[top] += 1
        first = stage[top] == 1
        top += 1
        los[top] = at if first else at + half
        ns[top] = half if first else m - half
        stage[top] = 0
    return np.float32(vals[0])


@numba.njit(cache=True, nogil=True)
def dots(a_ptr: np.ndarray, a_ind: np.ndarray, a_val: np.ndarray, rows: np.ndarray,
         q_ptr: np.ndarray, q_ind: np.ndarray, q_val: np.ndarray, pq: np.ndarray,
         n_literal: int, num: np.ndarray, num_x: np.ndarray, buf: np.ndarray,
         dense: np.ndarray, held: np.ndarray) -> int:
    """Fill ``num`` (float32) and ``num_x`` (float64) per pair; the number of nonzero products
    in columns from ``n_literal`` on. A pair's literal sum is ``np.add.reduceat``'s: the first
    product plus the pairwise sum of the others, in column order. ``dense`` (zeros, one per
    column) holds the current query's values while its pairs are scored (pairs come grouped
    by query) and ``held`` (uint64 zeros, one bit per column) which columns it has; both are
    left as zeros. The bits (a few hundred KB) stay in cache where the values (MB) do not:
    most of a document's columns are not the query's and are passed over on the bit alone."""
    n_cross = 0
    cur = -1
    for p in range(rows.size):
        q = pq[p]
        if q != cur:
            if cur >= 0:
                for j in range(q_ptr[cur], q_ptr[cur + 1]):
                    dense[q_ind[j]] = 0
                    held[q_ind[j] >> 6] = 0
            for j in range(q_ptr[q], q_ptr[q + 1]):
                dense[q_ind[j]] = q_val[j]
                held[q_ind[j] >> 6] |= np.uint64(1) << np.uint64(q_ind[j] & 63)
            cur = q
        n, acc_x = 0, 0.0
        for i in range(a_ptr[rows[p]], a_ptr[rows[p] + 1]):
            col = a_ind[i]
            if (held[col >> 6] >> np.uint64(col & 63)) & np.uint64(1):
                prod = a_val[i] * dense[col]
            elif np.isfinite(a_val[i]):
                continue  # a finite value times the query's 0
            else:
                prod = a_val[i] * np.float32(0.0)  # inf or NaN times 0: NaN, kept as SciPy
            if prod != 0:
                if col < n_literal:
                    buf[n] = prod
                    n += 1
                else:
                    acc_x += np.float64(prod)
                    n_cross += 1
        if n > 0:
            num[p] = buf[0] + pairwise(buf, 1, n - 1)
        num_x[p] = acc_x
    if cur >= 0:
        for j in range(q_ptr[cur], q_ptr[cur + 1]):
            dense[q_ind[j]] = 0
            held[q_ind[j] >> 6] = 0
    return n_cross
