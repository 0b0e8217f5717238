"""Segments of the overlap index: rows appended together, their inverted indexes, row norms and
files. ``features.overlap_index`` appends and merges them; ``features.overlap_query`` queries them.

A segment never changes its rows after it is built; removal only clears ``alive``. Files are
scipy/numpy ``.npz`` read with ``allow_pickle=False`` (no pickle anywhere).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

CATEGORIES = ("kind", "province", "region", "area", "group")  # int32 codes per row, -1 unknown
CODE_COLUMNS = ("province", "region", "area", "group")  # the columns of ``Segment.codes``
_SELF_CACHE_MIN_ROWS = 50_000  # below this, norms of a whole segment are cheap to cache at once
_PARTIAL_NORM_QUERIES = 16  # then a large segment's norms are cached whole (see Segment.norms)


@dataclass
class Segment:
    """Rows appended together. ``arr``: per-row arrays (CATEGORIES codes, year, log_budget,
    dense)."""

    ids: np.ndarray  # (n,) str
    rows: sp.csr_matrix  # (n, n_features) BM25 document weights
    eq: sp.csr_matrix  # (n, n_equipment) units per equipment category
    arr: dict[str, np.ndarray]
    inv: sp.csr_matrix = field(init=False)  # (n_features, n): the inverted index
    eq_inv: sp.csr_matrix = field(init=False)  # (n_equipment, n): 1 where a row holds it
    alive: np.ndarray = field(init=False)
    self_score: np.ndarray | None = None  # (n,) sum idf * weight^2, reset when the idf changes
    cross_score: np.ndarray | None = None  # the same over the cross-language columns
    partial_norms: int = 0  # queries since the idf changed that computed candidates' norms only
    # Every text weight is finite (rows never change once built): checked on first use.
    _finite: bool | None = field(default=None, init=False, repr=False)
    _codes: np.ndarray | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.inv = self.rows.T.tocsr()
        presence = self.eq.copy()
        presence.data = np.ones_like(presence.data)
        self.eq_inv = presence.T.tocsr()
        self.alive = np.ones(len(self.ids), bool)

    @classmethod
    def merge(cls, segs: Sequence[Segment], n_eq: int) -> Segment:
        """The live rows of ``segs``, in order, as one segment (dead rows are dropped here)."""
        keep = [s.alive for s in segs]
        pairs = list(zip(segs, keep, strict=True))
        return cls(np.concatenate([s.ids[k] for s, k in pairs]),
                   sp.csr_matrix(sp.vstack([s.rows[k] for s, k in pairs], format="csr")),
                   sp.csr_matrix(sp.vstack([with_cols(s.eq, n_eq)[k] for s, k in pairs])),
                   {a: np.concatenate([s.arr[a][k] for s, k in pairs]) for a in segs[0].arr})

    @classmethod
    def empty(cls, n_features: int, n_eq: int) -> Segment:
        arr = {c: np.zeros(0, np.int32) for c in (*CATEGORIES, "year")}
        arr["log_budget"] = np.zeros(0, np.float32)
        arr["dense"] = np.zeros((0, 0), np.float32)
        return cls(np.array([], dtype=str), sp.csr_matrix((0, n_features), dtype=np.float32),
                   sp.csr_matrix((0, n_eq), dtype=np.float32), arr)

    def all_finite(self) -> bool:
        """Whether every stored text weight is finite (checked once: rows never change)."""
        if self._finite is None:
            self._finite = bool(np.isfinite(self.rows.data).all())
        return self._finite

    def codes(self) -> np.ndarray:
        """(n, 4) int32 province, region, area and group codes side by side (made once: rows
        never change)."""
        if self._codes is None:
            self._codes = np.stack([self.arr[f].astype(np.int32) for f in CODE_COLUMNS],
                                   axis=1)
        return self._codes

    def reset_norms(self) -> None:
        """Forget the cached norms (the idf they were computed with changed)."""
        self.self_score = None
        self.cross_score = None
        self.partial_norms = 0

    def norms(self, rows: np.ndarray, idf: np.ndarray, *, cross: bool = False) -> np.ndarray:
        """(len(rows),) float64 squared norms (sum idf * weight^2) of the given rows: of the
        literal columns, or with ``cross`` of the cross-language ones (``idf`` 0 elsewhere)."""
        cached = self.cross_score if cross else self.self_score
        if cached is not None:
            picked: np.ndarray = cached[rows]
            return picked
        if (rows.size * 4 < len(self.ids) and len(self.ids) > _SELF_CACHE_MIN_ROWS
                and self.partial_norms < _PARTIAL_NORM_QUERIES):
            # A few queries right after a change: norms of the candidates only, rather than a
            # pass over every row of a large segment (same arithmetic, same values). Once
            # queries keep coming, the whole segment's norms are cached as for small ones.
            self.partial_norms += 1
            return self_scores(self.rows[rows], idf)
        whole = self_scores(self.rows, idf)
        if cross:
            self.cross_score = whole
        else:
            self.self_score = whole
        picked = whole[rows]
        return picked

    def save(self, directory: Path, n_eq: int) -> None:
        """``text.npz`` and ``equipment.npz`` (scipy CSR), ``rows.npz`` (ids and arr)."""
        sp.save_npz(directory / "text.npz", self.rows)
        sp.save_npz(directory / "equipment.npz", with_cols(self.eq, n_eq))
        np.savez(directory / "rows.npz", allow_pickle=False, ids=self.ids, **self.arr)

    @classmethod
    def load(cls, directory: Path) -> Segment | None:
        """What ``save`` wrote, or None when it holds no rows."""
        with np.load(directory / "rows.npz", allow_pickle=False) as z:
            arr = {name: z[name] for name in z.files}
        rows = sp.csr_matrix(sp.load_npz(directory / "text.npz"), dtype=np.float32)
        if not rows.shape[0]:
            return None
        return cls(arr.pop("ids"), rows, sp.csr_matrix(sp.load_npz(directory / "equipment.npz")),
                   arr)


def with_cols(m: sp.csr_matrix, n_cols: int) -> sp.csr_matrix:
    """``m`` seen with ``n_cols`` columns (the equipment vocabulary only grows)."""
    return sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], n_cols))


def side_by_side(left: sp.csr_matrix, right: sp.csr_matrix) -> sp.csr_matrix:
    """``sp.hstack([left, right], format="csr")`` of two CSR matrices with the same rows: the
    same arrays (each row's entries of ``left``, then those of ``right`` shifted past its
    columns), built with a few numpy operations instead of scipy's general stacking."""
    n_left = np.diff(left.indptr)
    n_right = np.diff(right.indptr)
    indptr = left.indptr + right.indptr
    size = int(indptr[-1])
    cols = left.shape[1] + right.shape[1]
    index = np.int32 if max(size, cols) <= np.iinfo(np.int32).max else np.int64
    starts = indptr[:-1]
    to_left = np.arange(left.nnz) + np.repeat(starts - left.indptr[:-1], n_left)
    to_right = np.arange(right.nnz) + np.repeat(starts + n_left - right.indptr[:-1], n_right)
    data = np.empty(size, np.result_type(left.dtype, right.dtype))
    indices = np.empty(size, index)
    data[to_left], data[to_right] = left.data, right.data
    indices[to_left] = left.indices
    indices[to_right] = right.indices + left.shape[1]
    return sp.csr_matrix((data, indices, indptr.astype(index)), shape=(left.shape[0], cols))


def take_rows(m: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
    """``m[rows]`` (rows may repeat): the same arrays as SciPy's row gather, built with a few
    numpy operations (a pre-check gathers a handful of rows, where SciPy's checks cost more
    than the copy)."""
    starts = m.indptr[rows]
    lengths = m.indptr[rows + 1] - starts
    indptr = np.zeros(rows.size + 1, m.indptr.dtype)
    np.cumsum(lengths, out=indptr[1:])
    pos = np.repeat(starts - indptr[:-1], lengths) + np.arange(int(indptr[-1]))
    return sp.csr_matrix((m.data[pos], m.indices[pos], indptr), shape=(rows.size, m.shape[1]))


def dense_columns(m: sp.csr_matrix, rows: np.ndarray | None, cols: np.ndarray) -> np.ndarray:
    """``m[rows][:, cols].toarray()`` as float32 (all rows when ``rows`` is None; ``cols``
    sorted and distinct; a column past ``m``'s width is 0): only the stored values that land
    in ``cols`` are placed, instead of densifying every column of every row."""
    sub = m if rows is None else take_rows(m, rows)
    at = np.minimum(np.searchsorted(cols, sub.indices), max(cols.size - 1, 0))
    hit = np.flatnonzero(cols[at] == sub.indices) if cols.size else np.zeros(0, np.int64)
    row_of = np.repeat(np.arange(sub.shape[0]), np.diff(sub.indptr))[hit]
    out = np.zeros((sub.shape[0], cols.size), sub.dtype)
    if sub.has_canonical_format:  # one value per cell
        out[row_of, at[hit]] = sub.data[hit]
    else:  # duplicates add up, in the order toarray adds them
        np.add.at(out, (row_of, at[hit]), sub.data[hit])
    return out.astype(np.float32, copy=False)


def self_scores(rows: sp.csr_matrix, idf: np.ndarray) -> np.ndarray:
    """(n,) float64 sum over each row's terms of idf * weight^2 (a row's squared norm)."""
    sq = rows.multiply(rows).tocsr()
    sq.data *= idf[sq.indices]
    sq.eliminate_zeros()  # columns given idf 0 (another part's) must not change the float sums
    return np.asarray(sq.sum(axis=1), np.float64).ravel()
