"""Ranking helpers of the overlap search: the best rows of each query (and kind), by value,
with exact ties decided as a full sort would decide them, without sorting every candidate.

``top_rows`` is one query's cut; ``top_per_group`` the same cut for many groups at once;
``best_per_group`` the final ranking of matches by score, then id.
"""

from __future__ import annotations

import numpy as np


def top_rows(idx: np.ndarray, val: np.ndarray, n: int) -> np.ndarray:
    """The n rows with the highest values; exact ties at the cut-off go to the lowest rows."""
    if val.size <= n:
        return idx
    thr = val[np.argpartition(-val, n - 1)[:n]].min()
    above = idx[val > thr]
    return np.concatenate([above, np.sort(idx[val == thr])[: n - above.size]])


_LANE_CELLS = 1 << 21  # side by side, the groups may take this many cells (or 4 per value)


def kth_largest_per_group(group: np.ndarray, val: np.ndarray, k: int,
                          n_groups: int) -> np.ndarray:
    """(n_groups,) the k-th largest of each group's values (``group`` in ``[0, n_groups)``,
    k >= 1), -inf for a group of fewer than k. The groups laid out side by side, one row each,
    and partitioned; when one group is much longer than the others that layout would be
    mostly padding, and a sort by group and value is taken instead."""
    by_group = (np.arange(group.size) if bool(np.all(group[1:] >= group[:-1]))
                else np.argsort(group, kind="stable"))
    g = group[by_group]
    starts = np.searchsorted(g, np.arange(n_groups + 1))
    sizes = np.diff(starts)
    width = int(sizes.max(initial=0))
    out = np.full(n_groups, -np.inf)
    if width < k:
        return out
    if n_groups * width > max(_LANE_CELLS, 4 * group.size):
        order = np.lexsort((-val, group))
        full = sizes >= k
        out[full] = val[order[starts[:-1][full] + k - 1]]
        return out
    lanes = np.full((n_groups, width), -np.inf)
    lanes[g, np.arange(g.size) - starts[g]] = val[by_group]
    kth: np.ndarray = -np.partition(-lanes, k - 1, axis=1)[:, k - 1]
    return kth


def top_per_group(group: np.ndarray, idx: np.ndarray, val: np.ndarray, n: int,
                  n_groups: int) -> np.ndarray:
    """Positions of what ``top_rows(idx[g], val[g], n)`` keeps of each group g, at once: the
    values above the group's n-th largest, then the lowest rows among those equal to it."""
    sizes = np.bincount(group, minlength=n_groups)
    big = sizes > n
    if not big.any():
        return np.arange(group.size)
    thr = kth_largest_per_group(group, val, n, n_groups)[group]
    keep = ~big[group] | (val > thr)
    ties = np.flatnonzero(big[group] & (val == thr))
    if ties.size:
        ties = ties[np.lexsort((idx[ties], group[ties]))]
        g = group[ties]
        rank = np.arange(ties.size) - np.searchsorted(g, g)
        above = np.bincount(group[keep & big[group]], minlength=n_groups)
        keep[ties[rank < n - above[g]]] = True
    out: np.ndarray = np.flatnonzero(keep)
    return out


def best_per_group(group: np.ndarray, total: np.ndarray, ids: np.ndarray, k: int,
                   n_groups: int) -> np.ndarray:
    """Positions of the ``k`` best of each group (``group`` in ``[0, n_groups)``), by
    ``total`` descending then ``ids`` ascending, grouped in group order: what
    ``np.lexsort((ids, -total, group))`` keeps of each group's first ``k``.

    Only values at least a group's k-th largest total can be among its k best, so the sort by
    id (slow on strings) runs on those alone."""
    if group.size == 0 or k <= 0:
        return np.zeros(0, np.int64)
    kth = kth_largest_per_group(group, total, k, n_groups)[group]
    # A NaN k-th value (NaN totals sort last in the full sort) keeps its group whole.
    sel = np.flatnonzero((total >= kth) | np.isnan(kth))
    order = sel[np.lexsort((ids[sel], -total[sel], group[sel]))]
    g = group[order]
    place = np.arange(order.size) - np.searchsorted(g, g)
    out: np.ndarray = order[place < k]
    return out
