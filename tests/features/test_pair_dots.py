"""The compiled pair dot products must give, bit for bit, what the SciPy way gives
(``scipy_pair_dots``: the element-wise product of the gathered rows, its literal columns summed
by ``sum(axis=1)``, i.e. ``np.add.reduceat``, and its cross-language columns by ``np.bincount``
in float64): a saved screening is reproduced from them."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from wastescreen.features.pair_dots import (
    compiled_pair_dots,
    pair_dots,
    posting_pair_dots,
    scipy_pair_dots,
)


def _random_csr(rng: np.random.Generator, n_rows: int, n_cols: int, max_nnz: int,
                scale: float) -> sp.csr_matrix:
    parts = []
    for _ in range(n_rows):
        k = int(rng.integers(0, max_nnz + 1))
        cols = np.sort(rng.choice(n_cols, size=min(k, n_cols), replace=False))
        vals = (rng.random(cols.size) * scale + 1e-3).astype(np.float32)
        parts.append(sp.csr_matrix((vals, cols, [0, cols.size]), shape=(1, n_cols)))
    m = sp.csr_matrix(sp.vstack(parts, format="csr"), dtype=np.float32)
    m.sort_indices()
    return m


@pytest.mark.parametrize("seed", range(6))
def test_equal_to_the_scipy_way_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Few columns and long rows: pairs share up to several hundred columns, so NumPy's
    # pairwise summation recurses (blocks of 128) and its unrolled tail is exercised.
    n_cols, n_literal = (700, 600) if seed % 2 else (5_000, 4_800)
    a = _random_csr(rng, 60, n_cols, 600 if seed % 2 else 300, [1.0, 30.0, 1e-2][seed % 3])
    q = _random_csr(rng, 25, n_cols, 650 if seed % 2 else 250, 3.0)
    rows = rng.integers(0, a.shape[0], 3_000)
    pq = rng.integers(0, q.shape[0], 3_000)
    num, num_x = compiled_pair_dots(a, rows, q, pq, n_literal)
    want, want_x = scipy_pair_dots(a, rows, q, pq, n_literal)
    assert num.tobytes() == want.tobytes()
    assert want_x is not None and num_x is not None
    assert num_x.tobytes() == want_x.tobytes()
    assert (num > 0).mean() > 0.5  # the pairs do share columns


def test_no_cross_columns_and_empty_rows() -> None:
    rng = np.random.default_rng(9)
    a = _random_csr(rng, 30, 400, 50, 1.0)
    q = _random_csr(rng, 10, 400, 50, 1.0)
    a = sp.csr_matrix(sp.vstack([a, sp.csr_matrix((1, 400), dtype=np.float32)]), dtype=np.float32)
    rows = np.r_[rng.integers(0, 30, 200), [30, 30]]
    pq = rng.integers(0, 10, rows.size)
    num, num_x = compiled_pair_dots(a, rows, q, pq, 400)
    want, want_x = scipy_pair_dots(a, rows, q, pq, 400)
    assert num_x is None and want_x is None
    assert num.tobytes() == want.tobytes()
    assert num[-2:].tolist() == [0.0, 0.0]


def test_unsorted_indices_are_refused() -> None:
    a = sp.csr_matrix((np.ones(2, np.float32), [3, 1], [0, 2]), shape=(1, 5))
    with pytest.raises(ValueError, match="canonical"):
        compiled_pair_dots(a, np.zeros(1, np.int64), a, np.zeros(1, np.int64), 5)


def test_non_finite_document_values_stay_in_bounds() -> None:
    # inf/NaN times an absent query value is NaN, a product SciPy keeps: more products than
    # the query row has values (the buffer was sized by the query rows: heap overflow).
    n = 2_000
    d = np.ones(n, np.float32)
    d[::7], d[::11] = np.inf, np.nan
    a = sp.csr_matrix((d, np.arange(n), [0, n]), shape=(1, n))
    q = sp.csr_matrix((np.ones(3, np.float32), [0, 5, 1_990], [0, 3]), shape=(1, n))
    rows = pq = np.zeros(4, np.int64)
    num, num_x = compiled_pair_dots(a, rows, q, pq, 1_500)
    want, want_x = scipy_pair_dots(a, rows, q, pq, 1_500)
    assert num_x is not None and want_x is not None
    assert num.tobytes() == want.tobytes() and num_x.tobytes() == want_x.tobytes()


def test_row_numbers_out_of_range_are_refused() -> None:
    a = sp.csr_matrix(np.eye(3, dtype=np.float32))
    with pytest.raises(IndexError):
        compiled_pair_dots(a, np.array([3]), a, np.array([0]), 3)


def test_pair_dots_takes_scipy_for_matrices_the_kernel_refuses() -> None:
    """Unsorted indices: the kernel refuses them, ``pair_dots`` answers by SciPy all the same."""
    a = sp.csr_matrix((np.array([2.0, 3.0], np.float32), [3, 1], [0, 2]), shape=(1, 5))
    q = sp.csr_matrix((np.array([5.0, 7.0], np.float32), [1, 3], [0, 2]), shape=(1, 5))
    rows = pq = np.zeros(1, np.int64)
    num, num_x = pair_dots(a, rows, q, pq, 5, compiled=True)
    assert num.tolist() == [2.0 * 7.0 + 3.0 * 5.0] and num_x is None


def _distinct_pairs(rng: np.random.Generator, n_rows: int, n_queries: int, n: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` distinct (row, query) pairs in random order."""
    cells = rng.choice(n_rows * n_queries, size=n, replace=False)
    return cells % n_rows, cells // n_rows


@pytest.mark.parametrize("seed", range(6))
def test_the_posting_walk_equals_the_scipy_way_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n_cols, n_literal = (700, 600) if seed % 2 else (5_000, 4_800)
    a = _random_csr(rng, 80, n_cols, 600 if seed % 2 else 300, [1.0, 30.0, 1e-2][seed % 3])
    q = _random_csr(rng, 6, n_cols, 650 if seed % 2 else 250, 3.0)
    rows, pq = _distinct_pairs(rng, a.shape[0], q.shape[0], 300)
    found = posting_pair_dots(a.T.tocsr(), rows, q, pq, n_literal)
    want, want_x = scipy_pair_dots(a, rows, q, pq, n_literal)
    assert found is not None
    num, num_x = found
    assert num.tobytes() == want.tobytes()
    assert want_x is not None and num_x is not None
    assert num_x.tobytes() == want_x.tobytes()
    assert (num > 0).mean() > 0.5


def test_the_posting_walk_without_cross_columns_and_with_empty_rows() -> None:
    rng = np.random.default_rng(19)
    a = _random_csr(rng, 30, 400, 50, 1.0)
    a = sp.csr_matrix(sp.vstack([a, sp.csr_matrix((1, 400), dtype=np.float32)]), dtype=np.float32)
    q = _random_csr(rng, 4, 400, 50, 1.0)
    rows, pq = _distinct_pairs(rng, a.shape[0], q.shape[0], 100)
    rows, pq = np.r_[rows, [30]], np.r_[pq, [q.shape[0]]]  # the empty row with a new query
    q = sp.csr_matrix(sp.vstack([q, q[:1]]), dtype=np.float32)
    found = posting_pair_dots(a.T.tocsr(), rows, q, pq, 400)
    want, want_x = scipy_pair_dots(a, rows, q, pq, 400)
    assert found is not None and found[1] is None and want_x is None
    assert found[0].tobytes() == want.tobytes() and found[0][-1] == 0.0


def test_the_posting_walk_declines_a_pair_asked_twice_and_pair_dots_answers_anyway() -> None:
    rng = np.random.default_rng(23)
    a = _random_csr(rng, 20, 300, 40, 1.0)
    q = _random_csr(rng, 3, 300, 40, 1.0)
    rows, pq = np.array([4, 7, 4]), np.array([1, 2, 1])
    assert posting_pair_dots(a.T.tocsr(), rows, q, pq, 300) is None
    num, _ = pair_dots(a, rows, q, pq, 300, compiled=False, inv=a.T.tocsr())
    want, _ = scipy_pair_dots(a, rows, q, pq, 300)
    assert num.tobytes() == want.tobytes() and num[0] == num[2]


def test_a_loaded_kernel_leaves_its_pooled_scratch_as_zeros() -> None:
    from wastescreen.features import pair_dots as pd_
    assert pd_.load_kernel() and pd_.kernel_loaded()
    rng = np.random.default_rng(31)
    a = _random_csr(rng, 50, 3_000, 200, 1.0)
    q = _random_csr(rng, 4, 3_000, 200, 1.0)
    for _ in range(3):
        rows, pq = _distinct_pairs(rng, a.shape[0], q.shape[0], 120)
        num, _ = compiled_pair_dots(a, rows, q, pq, 2_900)
        assert num.tobytes() == scipy_pair_dots(a, rows, q, pq, 2_900)[0].tobytes()
    pooled = [arrays for arrays in pd_._pool if arrays[0].size == (3_000 + 63) // 64]
    assert len(pooled) == 1  # one call at a time: one set of arrays, reused
    assert not pooled[0][0].any()  # no column of the last query left marked


def test_a_query_with_an_inf_is_scored_as_scipy_scores_it_on_every_path() -> None:
    """SciPy multiplies a query's inf by a document's absent zero (NaN, kept); the posting
    walk and the kernel never visit that column, so such a query goes to SciPy."""
    from wastescreen.features import pair_dots as pd_
    assert pd_.load_kernel()
    rng = np.random.default_rng(41)
    a = _random_csr(rng, 20, 500, 60, 1.0)
    q = _random_csr(rng, 2, 500, 60, 1.0)
    q.data[3] = np.inf
    rows, pq = _distinct_pairs(rng, a.shape[0], q.shape[0], 30)
    want, _ = scipy_pair_dots(a, rows, q, pq, 500)
    assert np.isnan(want).any()
    for compiled in (True, False):
        num, _ = pair_dots(a, rows, q, pq, 500, compiled=compiled, inv=a.T.tocsr(), finite=True)
        assert num.tobytes() == want.tobytes()


def test_a_document_with_an_inf_is_not_walked_by_postings() -> None:
    rng = np.random.default_rng(43)
    a = _random_csr(rng, 20, 500, 60, 1.0)
    a.data[5] = np.inf
    q = _random_csr(rng, 2, 500, 60, 1.0)
    rows, pq = _distinct_pairs(rng, a.shape[0], q.shape[0], 30)
    want, _ = scipy_pair_dots(a, rows, q, pq, 500)
    num, _ = pair_dots(a, rows, q, pq, 500, compiled=False, inv=a.T.tocsr(), finite=False)
    assert num.tobytes() == want.tobytes() and np.isnan(want).any()
