"""The query side of the overlap search built from numpy arrays gives SciPy's arrays, bit for
bit: the encoded query rows, a gather of rows, and the equipment counts."""

from __future__ import annotations

import random

import numpy as np
import scipy.sparse as sp

from wastescreen.features import overlap_text as ot
from wastescreen.features.overlap_docs import OverlapDoc
from wastescreen.features.overlap_index import OverlapIndex
from wastescreen.features.overlap_segment import take_rows

TEXTS = ["Phòng thí nghiệm đo lường chất lượng nước", "", "water quality testing laboratory",
         "phong thi nghiem do luong", "Trung tâm dữ liệu lớn và trí tuệ nhân tạo cho y tế",
         "laboratory laboratories lab labs", "nước nước nước nước"]


def _scipy_encode(counts: sp.csr_matrix, idf: np.ndarray, df: np.ndarray, *, k1: float,
                  b: float, length_scale: float, max_df: int
                  ) -> tuple[sp.csr_matrix, np.ndarray, sp.csr_matrix]:
    """The encoding as SciPy's matrix operations write it (the form before issue 17)."""
    a = ot.bm25_rows(counts, k1=k1, b=b, length_scale=length_scale)
    full = sp.csr_matrix((a.data * idf[a.indices], a.indices, a.indptr), shape=a.shape)
    q_self = np.asarray(full.multiply(a).sum(axis=1), np.float64).ravel()
    term_df = df[a.indices]
    rare = (term_df > 0) & (term_df <= max_df)
    row_of = np.repeat(np.arange(a.shape[0]), np.diff(a.indptr))
    has_rare = np.bincount(row_of[rare], minlength=a.shape[0]) > 0
    use = (rare | ~has_rare[row_of]) & (term_df > 0)
    gen = sp.csr_matrix((np.where(use, full.data / np.maximum(q_self, 1e-12)[row_of], 0)
                         .astype(np.float32), a.indices.copy(), a.indptr.copy()), shape=a.shape)
    gen.eliminate_zeros()
    return full, q_self, gen


def _same(x: sp.csr_matrix, y: sp.csr_matrix) -> bool:
    return (x.shape == y.shape and x.dtype == y.dtype
            and all(np.array_equal(getattr(x, f), getattr(y, f))
                    for f in ("data", "indices", "indptr")))


def test_queries_encode_to_scipys_bits() -> None:
    rng = np.random.default_rng(7)
    hasher = ot.TextHasher(2**12)
    restricted = 0
    for trial in range(40):
        texts = [TEXTS[i] for i in rng.integers(0, len(TEXTS), rng.integers(1, 6))]
        counts = ot.field_counts(hasher, texts, texts[::-1], 3.0 * (trial % 2))
        idf = rng.uniform(0.1, 9.0, 2**12).astype(np.float32)
        # Some terms unseen (df 0), some common (above max_df): both change ``gen``.
        df = rng.integers(0, 40, 2**12) * (rng.random(2**12) < 0.8)
        kw = {"k1": 1.2, "b": 0.75 * (trial % 3 != 0), "length_scale": 7.5, "max_df": 20}
        full, q_self, gen = ot.encode_queries(counts, idf, df, **kw)
        want = _scipy_encode(counts, idf, df, **kw)
        assert _same(full, want[0]) and _same(gen, want[2])
        assert q_self.dtype == want[1].dtype and np.array_equal(q_self, want[1])
        restricted += 0 < gen.nnz < full.nnz
    assert restricted > 5  # the cases where candidate generation leaves terms out came up


def test_encoding_leaves_the_counts_it_was_given_alone() -> None:
    counts = ot.TextHasher(2**12).counts(TEXTS)
    before = counts.copy()
    full, _, gen = ot.encode_queries(counts, np.ones(2**12, np.float32),
                                     np.ones(2**12, np.int64), k1=1.2, b=0.75,
                                     length_scale=5.0, max_df=10)
    full.indices[:] = 0
    gen.indices[:] = 0
    assert _same(counts, before)


def test_take_rows_is_scipys_row_gather() -> None:
    m = ot.TextHasher(2**10).counts(TEXTS)
    for rows in ([0], [3, 3, 1], [1, 1], list(range(len(TEXTS)))[::-1], []):
        got, want = take_rows(m, np.array(rows, np.int64)), m[np.array(rows, np.int64)]
        assert _same(got, sp.csr_matrix(want, dtype=m.dtype))


def _scipy_equipment(index: OverlapIndex, docs: list[OverlapDoc], grow: bool) -> sp.csr_matrix:
    pairs = [(i, index._code("equipment", c, grow=grow)) for i, d in enumerate(docs)
             for c in d.equipment]
    r = [i for i, j in pairs if j >= 0]
    c = [j for _, j in pairs if j >= 0]
    m = sp.csr_matrix((np.ones(len(r), np.float32), (r, c)),
                      shape=(len(docs), len(index.vocab_["equipment"])))
    m.sum_duplicates()
    return m


def test_equipment_counts_are_those_of_scipys_conversion() -> None:
    rnd = random.Random(3)
    cats = [f"cat-{i}" for i in range(20)] + [""]
    for trial in range(60):
        docs = [OverlapDoc(doc_id=str(i), text="", kind="lab",
                           equipment=tuple(rnd.choice(cats) for _ in range(rnd.randint(0, 9))))
                for i in range(rnd.randint(0, 5))]
        ours, theirs = OverlapIndex(), OverlapIndex()
        for index in (ours, theirs):
            index._start(length_scale=1.0)
            for c in cats[:8]:
                index._code("equipment", c, grow=True)
        grow = trial % 2 == 0  # unknown categories: new codes, or dropped
        assert _same(ours._equipment(docs, grow=grow), _scipy_equipment(theirs, docs, grow))
        assert ours.vocab_ == theirs.vocab_
