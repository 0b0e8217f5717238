"""Terms hashed into a fixed number of columns: scikit-learn's ``HashingVectorizer``, bit for bit.

A term's column is ``abs(h) % n_features``, ``h`` the signed 32-bit MurmurHash3 (seed 0) of its
UTF-8 bytes, exactly as scikit-learn's ``FeatureHasher`` computes it (with
``alternate_sign=False`` and no normalisation). The hash comes from the small ``mmh3`` extension
instead, because importing scikit-learn costs about a second, and a one-shot ``wastescreen
screen`` would pay it for nothing. ``tests/features/test_term_hashing.py`` holds the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import mmh3
import numpy as np
import scipy.sparse as sp


def term_columns(terms: Sequence[str], n_features: int) -> np.ndarray:
    """The column of each term, int32 of shape (len(terms),)."""
    # In int64, abs(-2**31) is defined; scikit-learn special-cases that hash to the same column,
    # (2**31 - 1 - (n - 1)) % n == 2**31 % n.
    h = np.array(list(map(mmh3.hash, terms)), dtype=np.int64).reshape(len(terms))
    return (np.abs(h) % n_features).astype(np.int32)


def hashed_counts(docs: Iterable[Sequence[str]], n_features: int) -> sp.csr_matrix:
    """Term counts of each document's terms: float32 CSR of shape (n_docs, n_features), with
    duplicates summed and indices sorted."""
    indptr = [0]
    terms: list[str] = []
    for doc in docs:
        terms.extend(doc)
        indptr.append(len(terms))
    out = sp.csr_matrix(
        (np.ones(len(terms), dtype=np.float32), term_columns(terms, n_features),
         np.array(indptr, dtype=np.int64 if len(terms) >= 2**31 else np.int32)),
        shape=(len(indptr) - 1, n_features), dtype=np.float32)
    out.sum_duplicates()
    return out
