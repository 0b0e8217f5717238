"""Dot products of (document row, query row) pairs of two CSR matrices, bit for bit as SciPy's
``A[rows].multiply(Q[pq])`` followed by the sums the overlap search takes of it.

The overlap search scores each query's candidate rows exactly. The SciPy way copies every
candidate row and every query row once per pair, multiplies them column by column and sums each
product row; in a batch that copying is most of the search. :func:`pair_dots`, compiled by
Numba, spreads each query row out once and walks each document row in place against it, and
adds in the order NumPy adds:

- literal columns (``< n_literal``): ``np.add.reduceat`` over the nonzero float32 products of a
  pair in column order, which is ``first + pairwise_sum(rest)`` with NumPy's unrolled pairwise
  summation (8 accumulators, blocks of 128);
- cross-language columns (``>= n_literal``): ``np.bincount`` with float64 weights, i.e. the
  float32 products turned to float64 and added one after the other from 0.

The kernel is in :mod:`features.pair_kernel`; Numba is imported and the kernel compiled (then
cached on disk) on the first call, so only the work that needs it pays for it: the overlap
search takes this path for large batches of pairs.
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp


class KernelUnavailable(RuntimeError):
    """Numba could not be imported or the kernel not set up (e.g. no writable cache directory:
    Numba raises at decoration time); the caller then takes the SciPy path."""


_kernel_error: str | None = None  # why the kernel could not be loaded, once it could not


def pair_dots(a: sp.csr_matrix, rows: np.ndarray, q: sp.csr_matrix, pq: np.ndarray,
              n_literal: int, *, compiled: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """For each pair k, the products of row ``rows[k]`` of ``a`` and row ``pq[k]`` of ``q``
    (float32 CSR matrices of the same width): (the sum over columns below ``n_literal`` as
    float32 ``(n_pairs,)``, the sum over the columns from ``n_literal`` on as float64
    ``(n_pairs,)``, or None when no pair has a nonzero product there). ``compiled``: by the
    compiled kernel where the matrices allow it and Numba loads, else by SciPy; the same
    bits either way."""
    if compiled and a.has_canonical_format and q.has_canonical_format:
        try:
            return compiled_pair_dots(a, rows, q, pq, n_literal)
        except KernelUnavailable:  # logged once when it first failed
            pass
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


def compiled_pair_dots(a: sp.csr_matrix, rows: np.ndarray, q: sp.csr_matrix, pq: np.ndarray,
                       n_literal: int) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`pair_dots` by the compiled kernel (canonical matrices only); raises
    :class:`KernelUnavailable` when Numba cannot load it."""
    global _kernel_error
    if _kernel_error is not None:  # failed once: not retried on every batch
        raise KernelUnavailable(_kernel_error)
    if not (a.has_canonical_format and q.has_canonical_format):
        raise ValueError("compiled pair dots need canonical CSR matrices (sorted, no duplicates)")
    if a.shape[1] != q.shape[1]:
        raise ValueError(f"pair_dots needs one width, not {a.shape[1]} and {q.shape[1]}")
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
    longest = (a.indptr[rows + 1] - a.indptr[rows]).max(initial=0)  # O(pairs), not O(rows of a)
    buf = np.zeros(max(int(longest), 1), np.float32)
    try:
        from wastescreen.features.pair_kernel import dots  # Numba: loaded on first use
    except (ImportError, RuntimeError, OSError) as exc:
        # e.g. a read-only install and no NUMBA_CACHE_DIR: said once, then SciPy's path
        _kernel_error = str(exc)
        logging.getLogger(__name__).warning("compiled pair scores unavailable (%s); the "
                                            "overlap search uses SciPy", exc)
        raise KernelUnavailable(_kernel_error) from exc

    dense = np.zeros(q.shape[1], np.float32)  # calloc'd: pages of untouched columns stay free
    n_cross = dots(a.indptr, a.indices, a_val, rows, q.indptr, q.indices, q_val, pq,
                   int(n_literal), num, num_x, buf, dense)
    return num, (num_x if n_cross else None)
