"""Dot products of (document row, query row) pairs of two CSR matrices, bit for bit as SciPy's
``A[rows].multiply(Q[pq])`` followed by the sums the overlap search takes of it.

The overlap search scores each query's candidate rows exactly. The SciPy way copies every
candidate row and every query row once per pair, multiplies them column by column and sums each
product row; in a batch that copying is most of the search. :func:`pair_dots`, compiled by
Numba, marks each query row's columns once in a bitmap and walks each document row in place
against it, and adds in the order NumPy adds:

- literal columns (``< n_literal``): ``np.add.reduceat`` over the nonzero float32 products of a
  pair in column order, which is ``first + pairwise_sum(rest)`` with NumPy's unrolled pairwise
  summation (8 accumulators, blocks of 128);
- cross-language columns (``>= n_literal``): ``np.bincount`` with float64 weights, i.e. the
  float32 products turned to float64 and added one after the other from 0.

The kernel is in :mod:`features.pair_kernel` (loaded with the overlap search's compiled
candidate search, :mod:`features.candidate_kernel`); Numba is imported and the kernel
compiled (then cached on disk) on the first call, or at a server's start-up
(:func:`load_kernel`): the overlap search takes this path for large batches of pairs, and for
every pair once the kernel is loaded.

Where it is not loaded (a one-shot screening, which would spend a second on it), a few queries
against a small index (one pre-check: a proposal and its variants share one text) take
:func:`posting_pair_dots`: it walks the postings of the queries' terms in the index's
inverted rows and keeps the products of the pairs asked for, in the order SciPy's would be
added.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import scipy.sparse as sp


class KernelUnavailable(RuntimeError):
    """Numba could not be imported or the kernel not set up (e.g. no writable cache directory:
    Numba raises at decoration time); the caller then takes the SciPy path."""


_kernel_error: str | None = None  # why the kernel could not be loaded, once it could not
_pool: list[tuple[np.ndarray, np.ndarray]] = []  # (zeroed bits, first) arrays, see _scratch
_pool_lock = threading.Lock()


# The posting walk keeps a (distinct queries, rows of ``a``) table of pair numbers: above this
# many cells a batch is better served by the other paths.
_POSTING_TABLE_MAX = 1 << 22


def pair_dots(a: sp.csr_matrix, rows: np.ndarray, q: sp.csr_matrix, pq: np.ndarray,
              n_literal: int, *, compiled: bool, inv: sp.csr_matrix | None = None,
              finite: bool | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """For each pair k, the products of row ``rows[k]`` of ``a`` and row ``pq[k]`` of ``q``
    (float32 CSR matrices of the same width): (the sum over columns below ``n_literal`` as
    float32 ``(n_pairs,)``, the sum over the columns from ``n_literal`` on as float64
    ``(n_pairs,)``, or None when no pair has a nonzero product there). ``compiled``: by the
    compiled kernel where the matrices allow it and Numba loads; else, given ``inv`` (``a``
    transposed, CSR), ``finite`` (every value of ``a`` is finite, as the caller knows) and
    few enough distinct queries, by :func:`posting_pair_dots`; else by SciPy. The same bits
    every way: a query with an inf or NaN (which SciPy multiplies by the document's absent
    zeros) always goes to SciPy."""
    canonical = a.has_canonical_format and q.has_canonical_format
    if not (canonical and np.isfinite(q.data).all()):
        return scipy_pair_dots(a, rows, q, pq, n_literal)
    if compiled:
        try:
            return compiled_pair_dots(a, rows, q, pq, n_literal, finite=finite)
        except KernelUnavailable:  # logged once when it first failed
            pass
    if inv is not None and finite:
        found = posting_pair_dots(inv, rows, q, pq, n_literal)
        if found is not None:
            return found
    return scipy_pair_dots(a, rows, q, pq, n_literal)


def scipy_pair_dots(a: sp.csr_matrix, rows: np.ndarray, q: sp.csr_matrix, pq: np.ndarray,
                    n_literal: int) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`pair_dots` by SciPy: the pairs' rows gathered and multiplied, the cross columns
    summed by ``np.bincount`` in float64, the literal ones by ``sum(axis=1)``."""
    prod = sp.csr_matrix(a[rows].multiply(q[pq]))
    cross = prod.indices >= n_literal
    num_x = None
    if cross.any():
        num_x = np.bincount(np.repeat(np.arange(rows.size), np.diff(prod.indptr))[cross],
                            weights=prod.data[cross].astype(np.float64), minlength=rows.size)
        prod.data[cross] = 0
        prod.eliminate_zeros()  # the literal sum below then adds exactly what it added before
    return np.asarray(prod.sum(axis=1), np.float32).ravel(), num_x


def _spans(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions ``starts[i] .. starts[i] + lengths[i] - 1`` of every i, one after another."""
    shift = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return shift + np.arange(shift.size)


def posting_pair_dots(inv: sp.csr_matrix, rows: np.ndarray, q: sp.csr_matrix, pq: np.ndarray,
                      n_literal: int) -> tuple[np.ndarray, np.ndarray | None] | None:
    """:func:`pair_dots` from ``inv``, the (width, rows of ``a``) transpose of a canonical
    ``a`` of finite values (the overlap index keeps it as a segment's inverted index), and a
    canonical ``q`` of finite values (the caller checks both: a column one side lacks is never
    visited here, where SciPy multiplies an inf or NaN by its zero); None when the pairs are
    not distinct or their table would be too large (the caller then takes another path).

    Each query's terms are looked up in ``inv``; the postings of the rows paired with that
    query give the pair's products. Stable-sorted by pair (a CSC-to-CSR turn, linear), each
    pair's products come in column order, the order of SciPy's product row, so the sums below
    are the sums SciPy takes (``np.add.reduceat``; ``np.bincount`` for the cross columns)."""
    rows = np.asarray(rows, np.int64)
    n = rows.size
    uq, q_of_pair = np.unique(np.asarray(pq, np.int64), return_inverse=True)
    if uq.size * inv.shape[1] > _POSTING_TABLE_MAX:
        return None
    pair_at = np.full((uq.size, inv.shape[1]), -1, np.int64)
    pair_at[q_of_pair, rows] = np.arange(n)
    if n and not np.array_equal(pair_at[q_of_pair, rows], np.arange(n)):
        return None  # a pair asked for twice
    q_len = q.indptr[uq + 1] - q.indptr[uq]
    entry = _spans(q.indptr[uq], q_len)  # the queries' stored values, query by query
    cols, q_vals = q.indices[entry], q.data[entry]
    post_len = inv.indptr[cols + 1] - inv.indptr[cols]
    post = _spans(inv.indptr[cols], post_len)
    of_entry = np.repeat(np.arange(cols.size), post_len)
    pair = pair_at[np.repeat(np.repeat(np.arange(uq.size), q_len), post_len), inv.indices[post]]
    keep = np.flatnonzero(pair >= 0)
    of_entry = of_entry[keep]
    prod = (inv.data[post[keep]] * q_vals[of_entry]).astype(np.float32, copy=False)
    # By pair, each pair's products in entry (so column) order.
    starts = np.zeros(cols.size + 1, np.int64)
    np.cumsum(np.bincount(of_entry, minlength=cols.size), out=starts[1:])
    by_pair = sp.csc_matrix((prod, pair[keep], starts), shape=(n, cols.size)).tocsr()
    prod, col = by_pair.data, cols[by_pair.indices]
    pair = np.repeat(np.arange(n), np.diff(by_pair.indptr))
    nonzero = prod != 0  # SciPy's product keeps no zero
    cross = nonzero & (col >= n_literal)
    literal = nonzero & ~cross
    num_x = None
    if cross.any():
        num_x = np.bincount(pair[cross], weights=prod[cross].astype(np.float64), minlength=n)
    num = np.zeros(n, np.float32)
    lit_pair, lit_prod = pair[literal], prod[literal]
    if lit_pair.size:
        first = np.flatnonzero(np.r_[True, lit_pair[1:] != lit_pair[:-1]])
        num[lit_pair[first]] = np.add.reduceat(lit_prod, first)
    return num, num_x


def compiled_pair_dots(a: sp.csr_matrix, rows: np.ndarray, q: sp.csr_matrix, pq: np.ndarray,
                       n_literal: int, *, finite: bool | None = None
                       ) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`pair_dots` by the compiled kernel (canonical matrices, finite query values
    only); raises :class:`KernelUnavailable` when Numba cannot load it. ``finite``: whether
    every value of ``a`` is finite, when the caller knows (else the pairs' values are
    checked)."""
    if _kernel_error is not None:  # failed once: not retried on every batch
        raise KernelUnavailable(_kernel_error)
    if not (a.has_canonical_format and q.has_canonical_format):
        raise ValueError("compiled pair dots need canonical CSR matrices (sorted, no duplicates)")
    if a.shape[1] != q.shape[1]:
        raise ValueError(f"pair_dots needs one width, not {a.shape[1]} and {q.shape[1]}")
    if not np.isfinite(q.data).all():
        raise ValueError("compiled pair dots need finite query values")
    rows = np.asarray(rows, np.int64)
    pq = np.asarray(pq, np.int64)
    # The kernel runs without bounds checks: indices out of range would read or write
    # outside the arrays instead of raising IndexError as SciPy's gather does.
    if rows.shape != pq.shape or rows.ndim != 1:
        raise ValueError("pair_dots needs one query row number per document row number")
    if rows.size and (rows.min() < 0 or rows.max() >= a.shape[0]
                      or pq.min() < 0 or pq.max() >= q.shape[0]):
        raise IndexError("pair_dots: a row number is out of range")
    a_val = np.asarray(a.data, np.float32)
    q_val = np.asarray(q.data, np.float32)
    num = np.zeros(rows.size, np.float32)
    num_x = np.zeros(rows.size, np.float64)
    # A pair stores at most one product per column of its document row (canonical: no
    # duplicates). Sizing by the query rows is not enough: inf or NaN times an absent query
    # value is NaN, a nonzero product, as in SciPy (op(a, 0) is kept when != 0).
    lengths = a.indptr[rows + 1] - a.indptr[rows]  # O(pairs), not O(rows of a)
    buf = np.zeros(max(int(lengths.max(initial=0)), 1), np.float32)
    dots = _kernel()
    if finite is None:
        # Over the pairs' stored values, or all of ``a`` when that is fewer (a batch's chunk
        # reads each row many times).
        seen = a_val if a.nnz <= lengths.sum() else a_val[_spans(a.indptr[rows], lengths)]
        finite = bool(np.isfinite(seen).all())
    with _scratch(q.shape[1]) as (held, first):
        n_cross = dots(a.indptr, a.indices, a_val, rows, q.indptr, q.indices, q_val, pq,
                       int(n_literal), num, num_x, buf, held, first, finite)
    return num, (num_x if n_cross else None)


def _kernel() -> Any:
    """The compiled kernel; raises :class:`KernelUnavailable` (logged once) when Numba cannot
    load it."""
    global _kernel_error
    try:
        # Numba: loaded on first use, with the compiled candidate search (overlap_candidates)
        from wastescreen.features import candidate_kernel  # noqa: F401
        from wastescreen.features.pair_kernel import dots
    except (ImportError, RuntimeError, OSError) as exc:
        # e.g. a read-only install and no NUMBA_CACHE_DIR: said once, then SciPy's path
        _kernel_error = str(exc)
        logging.getLogger(__name__).warning("compiled pair scores unavailable (%s); the "
                                            "overlap search uses SciPy", exc)
        raise KernelUnavailable(_kernel_error) from exc
    return dots


@contextmanager
def _scratch(width: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(bits, first) of ``width`` columns for one kernel call, the bits all zeros: taken from
    a pool and given back, since the kernel leaves the bits as it found them (a one-query
    call would otherwise spend more on making them than on its pairs). The pool holds as
    many as ever ran at once, not one per thread of a server."""
    words = (width + 63) // 64
    with _pool_lock:
        found = next((i for i, (h, _) in enumerate(_pool) if h.size == words), None)
        arrays = (_pool.pop(found) if found is not None else
                  (np.zeros(words, np.uint64), np.zeros(words, np.int64)))
    try:
        yield arrays
    finally:
        with _pool_lock:
            _pool.append(arrays)


def candidate_search() -> Any:
    """The compiled candidate search (``features.candidate_kernel.candidate_rows``), loaded
    with the pair kernel; raises :class:`KernelUnavailable` where Numba cannot load them."""
    _kernel()
    from wastescreen.features.candidate_kernel import candidate_rows
    return candidate_rows


def load_kernel() -> bool:
    """Load the compiled kernel now (a long-running process at start-up: its first pre-check
    then does not pay for it); whether it loaded. Once loaded, :func:`kernel_loaded` is true
    and the overlap search scores every pair with it."""
    if _kernel_error is None:
        try:
            _kernel()
        except KernelUnavailable:
            return False
        # A first call with the array types the overlap search passes: Numba reads (or
        # compiles) the machine code at a function's first call, about 0.3 s for both.
        one = sp.csr_matrix(np.ones((1, 1), np.float32))
        compiled_pair_dots(one, np.zeros(1, np.int64), one, np.zeros(1, np.int64), 1,
                           finite=True)
        from wastescreen.features.candidate_kernel import warm_up
        warm_up()
    return kernel_loaded()


def kernel_loaded() -> bool:
    """Whether the compiled kernels are in this process already (loading them costs a
    second)."""
    return _kernel_error is None and "wastescreen.features.candidate_kernel" in sys.modules
