"""``term_hashing`` against scikit-learn's HashingVectorizer, which it replaces bit for bit."""

from __future__ import annotations

import random

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from wastescreen.demo_portfolio import generate_portfolio
from wastescreen.features.overlap_text import word_ngrams
from wastescreen.features.term_hashing import hashed_counts, term_columns


def _sklearn(docs: list[list[str]], n_features: int) -> sp.csr_matrix:
    vec = HashingVectorizer(analyzer=lambda d: d, n_features=n_features, alternate_sign=False,
                            norm=None, dtype=np.float32)
    out = vec.transform(docs)
    out.sum_duplicates()
    return out


def _docs() -> list[list[str]]:
    pf = generate_portfolio(7, n_labs=20, n_programs=200, n_proposals=50)
    texts = [f"{p.title} {p.objectives}" for p in pf.programs]
    texts += [f"{p.title} {p.objectives}" for p in pf.proposals]
    rnd = random.Random(3)
    odd = ["", " ", "Đ", "ở", "🙂 emoji", "\x00", "a" * 300, "tiếng Việt có dấu",
           "".join(chr(rnd.randrange(32, 0x2FFF)) for _ in range(40))]
    return [word_ngrams(t, 2) for t in texts] + [[w] for w in odd] + [[]]


@pytest.mark.parametrize("n_features", [2**8, 2**18, 2**20 + 7])
def test_counts_equal_scikit_learn_bit_for_bit(n_features: int) -> None:
    docs = _docs()
    ours, theirs = hashed_counts(docs, n_features), _sklearn(docs, n_features)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype == np.float32
    assert ours.has_canonical_format
    assert np.array_equal(ours.indptr, theirs.indptr)
    assert np.array_equal(ours.indices, theirs.indices)
    assert ours.data.tobytes() == theirs.data.tobytes()


def test_columns_are_in_range_and_stable() -> None:
    cols = term_columns(["a", "b", "a"], 1000)
    assert cols.dtype == np.int32 and ((cols >= 0) & (cols < 1000)).all()
    assert cols[0] == cols[2] != cols[1]
