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

import numpy as np
import scipy.sparse as sp


def pair_dots(a: sp.csr_matrix, rows: np.ndarray, q: sp.csr_matrix, pq: np.ndarray,
              n_literal: int) -> tuple[np.ndarray, np.ndarray | None]:
    """For each pair k, the products of row ``rows[k]`` of ``a`` and row ``pq[k]`` of ``q``
    (float32 CSR matrices of the same width, sorted indices): (the sum over columns below
    ``n_literal`` as float32 ``(n_pairs,)``, the sum over the columns from ``n_literal`` on as
    float64 ``(n_pairs,)``, or None when no pair has a nonzero product there)."""
    if not (a.has_canonical_format and q.has_canonical_format):
        raise ValueError("pair_dots needs CSR matrices in canonical form (sorted, no duplicates)")
    if a.shape[1] != q.shape[1]:
        raise ValueError(f"pair_dots needs one width, not {a.shape[1]} and {q.shape[1]}")
    a_val = np.asarray(a.data, np.float32)
    q_val = np.asarray(q.data, np.float32)
    num = np.zeros(rows.size, np.float32)
    num_x = np.zeros(rows.size, np.float64)
    buf = np.zeros(max(int(np.diff(q.indptr).max(initial=0)), 1), np.float32)
    from wastescreen.features.pair_kernel import dots  # Numba: loaded on first use

    dense = np.zeros(q.shape[1], np.float32)  # calloc'd: pages of untouched columns stay free
    n_cross = dots(a.indptr, a.indices, a_val, np.asarray(rows, np.int64), q.indptr, q.indices,
                   q_val, np.asarray(pq, np.int64), int(n_literal), num, num_x, buf, dense)
    return num, (num_x if n_cross else None)
