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
    # Eight float32 accumulators in locals (an array copy would be a heap allocation a pair).
    r0, r1, r2, r3 = buf[lo], buf[lo + 1], buf[lo + 2], buf[lo + 3]
    r4, r5, r6, r7 = buf[lo + 4], buf[lo + 5], buf[lo + 6], buf[lo + 7]
    i = 8
    while i < n - (n % 8):
        at = lo + i
        r0 += buf[at]
        r1 += buf[at + 1]
        r2 += buf[at + 2]
        r3 += buf[at + 3]
        r4 += buf[at + 4]
        r5 += buf[at + 5]
        r6 += buf[at + 6]
        r7 += buf[at + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
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
def _popcount(x: np.uint64) -> int:
    """Set bits of a 64-bit word (SWAR)."""
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2))
                                               & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return int((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@numba.njit(cache=True, nogil=True)
def dots(a_ptr: np.ndarray, a_ind: np.ndarray, a_val: np.ndarray, rows: np.ndarray,
         q_ptr: np.ndarray, q_ind: np.ndarray, q_val: np.ndarray, pq: np.ndarray,
         n_literal: int, num: np.ndarray, num_x: np.ndarray, buf: np.ndarray,
         held: np.ndarray, first: np.ndarray, finite: bool) -> int:
    """Fill ``num`` (float32) and ``num_x`` (float64) per pair; the number of nonzero products
    in columns from ``n_literal`` on. A pair's literal sum is ``np.add.reduceat``'s: the first
    product plus the pairwise sum of the others, in column order.

    The current query (pairs come grouped by query) is held as one bit per column (``held``,
    uint64 words, zeros outside a call) and, for each word it touches, the number of its
    first stored value in that word (``first``): a query value is found by counting the set
    bits below its column. A few hundred KB that stay in cache, where a dense row of every
    column (10 MB) would be read from memory at every shared term. ``finite``: every value
    of ``a`` is finite, so a column the query lacks gives a 0 product (else inf or NaN
    times 0 gives NaN, a product SciPy keeps)."""
    n_cross = 0
    cur = -1
    for p in range(rows.size):
        q = pq[p]
        if q != cur:
            if cur >= 0:
                for j in range(q_ptr[cur], q_ptr[cur + 1]):
                    held[q_ind[j] >> 6] = 0
            for j in range(q_ptr[q], q_ptr[q + 1]):
                w = q_ind[j] >> 6
                if held[w] == 0:
                    first[w] = j
                held[w] |= np.uint64(1) << np.uint64(q_ind[j] & 63)
            cur = q
        n, acc_x = 0, 0.0
        for i in range(a_ptr[rows[p]], a_ptr[rows[p] + 1]):
            col = a_ind[i]
            bits = held[col >> 6]
            bit = np.uint64(col & 63)
            if (bits >> bit) & np.uint64(1):
                below = bits & ((np.uint64(1) << bit) - np.uint64(1))
                prod = a_val[i] * q_val[first[col >> 6] + _popcount(below)]
            elif finite:
                continue
            else:
                prod = a_val[i] * np.float32(0.0)
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
            held[q_ind[j] >> 6] = 0
    return n_cross
