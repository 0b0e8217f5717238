"""``bm25_idf`` computes the formula only where a term is; every value must stay as the plain
formula over all columns gives it, bit for bit (a saved screening is reproduced from it)."""

from __future__ import annotations

import numpy as np
import pytest

from wastescreen.features.overlap_bm25 import bm25_idf


def _plain(df: np.ndarray, n_docs: int) -> np.ndarray:
    n = float(max(n_docs, 0))
    return np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float64])
@pytest.mark.parametrize("n_docs", [0, 1, 7, 5_400, 1_000_003])
def test_idf_equals_the_plain_formula_bit_for_bit(dtype: type, n_docs: int) -> None:
    rng = np.random.default_rng(n_docs)
    df: np.ndarray = np.zeros(2**20 + 2**17, dtype)
    if n_docs:  # a term is in at most every document
        where = rng.integers(0, len(df), 40_000)
        df[where] = rng.integers(1, n_docs + 1, len(where))
    ours, plain = bm25_idf(df, n_docs), _plain(df, n_docs)
    assert ours.dtype == np.float32 and ours.shape == df.shape
    assert ours.tobytes() == plain.tobytes()
    assert (ours > 0).all()


def test_no_term_at_all() -> None:
    df = np.zeros(16, np.int64)
    assert bm25_idf(df, 3).tobytes() == _plain(df, 3).tobytes()
