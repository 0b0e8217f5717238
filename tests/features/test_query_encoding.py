"""The query side of the overlap search built from numpy arrays gives SciPy's arrays, bit for
bit: the encoded query rows (beside the SciPy form frozen in ``bench.baseline``), a gather of
rows, the requested columns made dense, and the equipment counts."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest
import scipy.sparse as sp

from bench.baseline.overlap import _encode_queries, _equipment
from wastescreen.features import overlap_bm25 as bm25
from wastescreen.features import overlap_text as ot
from wastescreen.features.overlap_docs import OverlapDoc
from wastescreen.features.overlap_index import OverlapIndex
from wastescreen.features.overlap_segment import dense_columns, side_by_side, take_rows

TEXTS = ["Phòng thí nghiệm đo lường chất lượng nước", "", "water quality testing laboratory",
         "phong thi nghiem do luong", "Trung tâm dữ liệu lớn và trí tuệ nhân tạo cho y tế",
         "laboratory laboratories lab labs", "nước nước nước nước"]


def _same(x: sp.csr_matrix, y: sp.csr_matrix) -> bool:
    return (x.shape == y.shape and x.dtype == y.dtype
            and all(np.array_equal(getattr(x, f), getattr(y, f))
                    for f in ("data", "indices", "indptr")))


def test_queries_encode_to_scipys_bits() -> None:
    """One part alone, and the literal and cross-language parts side by side: each part's
    arrays are those it gets encoded alone (the cross part with b 0 and a length scale of 1),
    its norm its own."""
    rng = np.random.default_rng(7)
    hasher, cross = ot.TextHasher(2**12), ot.TextHasher(2**9, ngram_max=1)
    restricted = 0
    for trial in range(40):
        texts = [TEXTS[i] for i in rng.integers(0, len(TEXTS), rng.integers(1, 6))]
        counts = ot.field_counts(hasher, texts, texts[::-1], 3.0 * (trial % 2))
        x_counts = cross.counts(texts[1:] + texts[:1])
        width = 2**12 + 2**9
        idf = rng.uniform(0.1, 9.0, width).astype(np.float32)
        # Some terms unseen (df 0), some common (above max_df): both change ``gen``.
        df = rng.integers(0, 40, width) * (rng.random(width) < 0.8)
        b, max_df = 0.75 * (trial % 3 != 0), 20
        lit = _encode_queries(counts, idf[: 2**12], df[: 2**12], k1=1.2, b=b,
                              length_scale=7.5, max_df=max_df)
        full, q_self, x_self, gen = bm25.encode_queries(
            counts, idf[: 2**12], df[: 2**12], k1=1.2, b=b, length_scale=7.5, max_df=max_df)
        assert _same(full, lit[0]) and _same(gen, lit[2]) and np.array_equal(q_self, lit[1])
        assert q_self.dtype == lit[1].dtype and not x_self.any()
        restricted += 0 < gen.nnz < full.nnz
        x = _encode_queries(x_counts, idf[2**12 :], df[2**12 :], k1=1.2, b=0.0,
                            length_scale=1.0, max_df=max_df)
        full, q_self, x_self, gen = bm25.encode_queries(
            side_by_side(counts, x_counts), idf, df, k1=1.2, b=b, length_scale=7.5,
            max_df=max_df, cross_from=2**12)
        assert _same(full, side_by_side(lit[0], x[0])) and _same(gen, side_by_side(lit[2], x[2]))
        assert np.array_equal(q_self, lit[1]) and np.array_equal(x_self, x[1])
    assert restricted > 5  # the cases where candidate generation leaves terms out came up


def test_encoding_leaves_the_counts_it_was_given_alone() -> None:
    counts = ot.TextHasher(2**12).counts(TEXTS)
    before = counts.copy()
    full, _, _, gen = bm25.encode_queries(counts, np.ones(2**12, np.float32),
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
        assert _same(ours._equipment(docs, grow=False), _equipment(theirs, docs))
        assert ours.vocab_ == theirs.vocab_
        # Growing: new categories get the next codes, in order of first appearance, and the
        # counts are those the grown vocabulary gives.
        grown = ours._equipment(docs, grow=True)
        new = list(dict.fromkeys(c for d in docs for c in d.equipment if c and c not in cats[:8]))
        assert ours.vocab_["equipment"] == cats[:8] + new
        assert _same(grown, _equipment(ours, docs))


def test_dense_columns_are_those_of_scipys_toarray() -> None:
    rng = np.random.default_rng(11)
    for trial in range(40):
        m = sp.random(int(rng.integers(0, 7)), 12, density=0.4, format="csr", dtype=np.float32,
                      random_state=int(rng.integers(1 << 30)))
        if trial % 4 == 0:  # not canonical: each value stored twice, and toarray adds them
            m = sp.csr_matrix((np.repeat(m.data, 2), np.repeat(m.indices, 2), m.indptr * 2),
                              shape=m.shape)
            assert not m.nnz or not m.has_canonical_format
        cols = np.unique(rng.integers(0, 16, int(rng.integers(0, 8))))  # some past the width
        rows = rng.integers(0, max(m.shape[0], 1), int(rng.integers(0, 9))) if m.shape[0] else (
            np.zeros(0, np.int64))
        wide = np.zeros((m.shape[0], 16), np.float32)
        wide[:, :12] = m.toarray()
        assert np.array_equal(dense_columns(m, None, cols), wide[:, cols])
        got = dense_columns(m, rows, cols)
        assert got.dtype == np.float32 and np.array_equal(got, wide[rows][:, cols])


def test_queries_sharing_a_text_keep_their_own_dense_rows(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With a sentence-embedding share, texts are scored once each: a query after a repeated
    text still gets its own text's embedding (each row of ``query_many`` is ``query``'s)."""
    def fake_dense(texts: list[str], model: str = "") -> np.ndarray:
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest(), np.uint8)[:8] for t in texts]
        out = np.array(rows, np.float32) - 127.5
        unit: np.ndarray = out / np.linalg.norm(out, axis=1, keepdims=True)
        return unit

    monkeypatch.setattr(ot, "dense_vectors", fake_dense)
    docs = [OverlapDoc(doc_id=f"d{i}", text=t, kind="lab") for i, t in enumerate(TEXTS) if t]
    index = OverlapIndex(dense_share=0.5).fit(docs)
    a = OverlapDoc(doc_id="qa", text="water quality laboratory", kind="lab")
    b = OverlapDoc(doc_id="qb", text="phòng thí nghiệm dữ liệu lớn", kind="lab")
    qs = [a, a, b, a, b]
    assert index.query_many(qs, k=3) == [index.query(q, k=3) for q in qs]
