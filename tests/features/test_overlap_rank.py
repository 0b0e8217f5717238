"""The ranking helper of the overlap search keeps what the full sort it replaces would keep."""

from __future__ import annotations

import numpy as np
import pytest

from wastescreen.features.overlap_rank import best_per_group, top_per_group, top_rows


def _by_full_sort(group: np.ndarray, total: np.ndarray, ids: np.ndarray, k: int,
                  n_groups: int) -> np.ndarray:
    order = np.lexsort((ids, -total, group))
    bounds = np.searchsorted(group[order], np.arange(n_groups + 1))
    place = np.arange(order.size) - bounds[group[order]]
    kept: np.ndarray = order[place < k]
    return kept


@pytest.mark.parametrize("seed", range(8))
def test_best_per_group_equals_the_full_sort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, n_groups, k = 3_000, 40, [1, 5, 11, 400][seed % 4]
    group = rng.integers(0, n_groups, n)
    if seed % 2:  # laid out group by group, as one segment's candidates are
        group = np.sort(group)
    # Few distinct totals: many exact ties, decided by the id, also at the k-th place.
    total = rng.integers(0, 6, n) / 5.0
    ids = np.array([f"doc-{i:05d}" for i in rng.permutation(n)])
    got = best_per_group(group, total, ids, k, n_groups)
    assert got.tolist() == _by_full_sort(group, total, ids, k, n_groups).tolist()
    assert len(got) == sum(min(k, int((group == g).sum())) for g in range(n_groups))


def test_best_per_group_of_nothing() -> None:
    empty = np.zeros(0, np.int64)
    assert best_per_group(empty, np.zeros(0), np.array([], dtype=str), 5, 3).size == 0
    one = np.zeros(1, np.int64)
    assert best_per_group(one, np.ones(1), np.array(["a"]), 0, 1).size == 0


@pytest.mark.parametrize("seed", range(8))
def test_top_per_group_keeps_what_top_rows_keeps_of_each_group(seed: int) -> None:
    rng = np.random.default_rng(50 + seed)
    n_groups, n = 30, [1, 3, 20, 500][seed % 4]
    group = rng.integers(0, n_groups, 2_000)
    idx = rng.permutation(2_000)  # distinct rows, in no order
    val = (rng.integers(0, 8, 2_000) / 7.0).astype(np.float32)  # many exact ties
    got = top_per_group(group, idx, val, n, n_groups)
    for g in range(n_groups):
        mine = np.flatnonzero(group == g)
        want = top_rows(idx[mine], val[mine], n)
        assert sorted(idx[got[group[got] == g]].tolist()) == sorted(want.tolist())


@pytest.mark.parametrize("seed", range(4))
def test_one_long_group_is_ranked_by_a_sort_not_laid_out(seed: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A group far longer than the others would make the side-by-side layout mostly padding
    (memory of groups x the longest group): the k-th values then come from a sort, and the
    kept rows are the same."""
    from wastescreen.features import overlap_rank
    rng = np.random.default_rng(70 + seed)
    group = np.r_[np.repeat(np.arange(40), 5), np.full(3_000, 40)]
    total = rng.integers(0, 6, group.size) / 5.0
    ids = np.array([f"doc-{i:05d}" for i in rng.permutation(group.size)])
    idx = rng.permutation(group.size)
    monkeypatch.setattr(overlap_rank, "_LANE_CELLS", 1 << 40)  # laid out side by side
    want_best = best_per_group(group, total, ids, 3, 41).tolist()
    want_top = top_per_group(group, idx, total, 3, 41).tolist()
    monkeypatch.setattr(overlap_rank, "_LANE_CELLS", 1 << 21)  # too much padding: a sort
    assert best_per_group(group, total, ids, 3, 41).tolist() == want_best
    assert top_per_group(group, idx, total, 3, 41).tolist() == want_top
    assert want_best == _by_full_sort(group, total, ids, 3, 41).tolist()


def test_a_nan_total_is_ranked_last_as_the_full_sort_ranks_it() -> None:
    group = np.zeros(3, np.int64)
    total = np.array([0.9, np.nan, 0.5])
    ids = np.array(["a", "b", "c"])
    got = best_per_group(group, total, ids, 3, 1)
    assert got.tolist() == _by_full_sort(group, total, ids, 3, 1).tolist() == [0, 2, 1]
