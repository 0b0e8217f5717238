"""BM25 weights of the overlap search and the text similarity built on them: document rows
(``bm25_rows``), inverse document frequencies (``bm25_idf``), the query side of a search
(``encode_queries``) and the similarity of (query, document) pairs (``text_similarity``).
Terms come hashed from ``features.overlap_text`` (literal) and ``features.overlap_glossary``
(cross-language).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def bm25_rows(counts: sp.csr_matrix, *, k1: float, b: float, length_scale: float) -> sp.csr_matrix:
    """BM25 term-frequency saturation per row: tf(k1+1) / (tf + k1(1 - b + b*len/length_scale)).

    ``counts`` (n_docs, n_features) term counts; the result has the same sparsity pattern.
    ``length_scale`` is a fixed number of terms (the mean document length learnt at fit), so a
    row's weights never depend on the other rows and ``add``/``remove`` need no rewrite.
    """
    out = counts.copy()
    doc_len = np.diff(out.indptr)  # distinct terms: robust to one phrase repeated many times
    out.data = bm25_weights(out.data, np.repeat(doc_len, doc_len), k1=k1, b=b,
                            length_scale=length_scale)
    return out


def bm25_weights(tf: np.ndarray, lengths: np.ndarray, *, k1: float, b: float,
                 length_scale: float) -> np.ndarray:
    """The ``bm25_rows`` formula on stored term counts ``tf``, each with the distinct-term count
    ``lengths`` of its row: float32, one per value."""
    norm = k1 * (1.0 - b + b * lengths / max(length_scale, 1e-9))
    out: np.ndarray = (tf * (k1 + 1.0) / (tf + norm)).astype(np.float32)
    return out


def bm25_idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """BM25 inverse document frequency (always > 0), float32 of df's shape."""
    n = float(max(n_docs, 0))
    # Most of the millions of hashed columns hold no term (df 0): they share one value, and the
    # formula runs only where a term is (elementwise, so each value is the same bit for bit).
    out = np.full(df.shape, np.float32(np.log1p((n + 0.5) / 0.5)), dtype=np.float32)
    used = np.flatnonzero(df)
    d = df[used]
    out[used] = np.log1p((n - d + 0.5) / (d + 0.5)).astype(np.float32)
    return out


def encode_queries(
    counts: sp.csr_matrix, idf: np.ndarray, df: np.ndarray, *, k1: float, b: float,
    length_scale: float, max_df: int, cross_from: int | None = None,
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, sp.csr_matrix]:
    """Query-side text arrays from term counts (n_queries, n_features).

    Returns (full, self, x_self, gen): ``full`` idf * BM25 weight per term; ``self``
    (n_queries,) the query's own sum of idf * weight^2 (its squared norm); ``gen`` = ``full`` /
    ``self`` restricted to terms seen in at most ``max_df`` documents: common terms carry
    little evidence but have the longest postings, so candidate generation skips them unless a
    query has nothing else.

    ``cross_from``: the columns from there on are another part (the cross-language terms,
    after each row's literal ones) encoded on their own, with ``b`` 0 and a length scale of 1;
    ``x_self`` is that part's norm (zeros without one), and each part's ``gen`` is divided by
    its own norm. Each part gets exactly the arrays it would get encoded alone.
    """
    if not counts.has_canonical_format:  # hashing gives canonical rows: this is a guard
        counts = counts.copy()
        counts.sum_duplicates()
    n = counts.shape[0]
    # Fresh index arrays: the counts may be kept for another index (a ``TextMemo``).
    indptr, indices = counts.indptr.copy(), counts.indices.copy()
    row_of = np.repeat(np.arange(n), np.diff(indptr))
    cross = (indices >= cross_from if cross_from is not None
             else np.zeros(indices.size, bool))
    part = row_of * 2 + cross  # (row, part): a row's literal values, then its cross ones
    lengths = np.bincount(part, minlength=2 * n)[part]  # of each value's row and part
    a = np.where(cross, bm25_weights(counts.data, lengths, k1=k1, b=0.0, length_scale=1.0),
                 bm25_weights(counts.data, lengths, k1=k1, b=b, length_scale=length_scale))
    full_data = a * idf[indices]
    full = sp.csr_matrix((full_data, indices, indptr), shape=counts.shape)
    norms = row_sums(full_data * a, part, 2 * n)
    term_df = df[indices]
    rare = (term_df > 0) & (term_df <= max_df)
    has_rare = np.bincount(part[rare], minlength=2 * n) > 0
    use = (rare | ~has_rare[part]) & (term_df > 0)
    gen_data = np.where(use, full_data / np.maximum(norms, 1e-12)[part], 0).astype(np.float32)
    keep = gen_data != 0  # what eliminate_zeros keeps
    gen_ptr = np.zeros_like(indptr)
    np.cumsum(np.bincount(row_of[keep], minlength=n), out=gen_ptr[1:])
    gen = sp.csr_matrix((gen_data[keep], indices[keep], gen_ptr), shape=counts.shape)
    return full, norms[0::2], norms[1::2], gen


def row_sums(products: np.ndarray, row_of: np.ndarray, n_rows: int) -> np.ndarray:
    """(n_rows,) float64 sums of each row's nonzero float32 ``products`` (stored values in
    row order, ``row_of`` the row of each, rows contiguous), as SciPy's
    ``x.multiply(y).sum(axis=1)`` of two canonical CSR matrices of one pattern gives: its
    product keeps the nonzero values in column order and each row is added up in float32 by
    ``np.add.reduceat``."""
    nonzero = products != 0
    ptr = np.zeros(n_rows + 1, np.int64)
    np.cumsum(np.bincount(row_of[nonzero], minlength=n_rows), out=ptr[1:])
    out = np.zeros(n_rows, np.float32)
    rows = np.flatnonzero(np.diff(ptr))
    if rows.size:
        out[rows] = np.add.reduceat(products[nonzero], ptr[rows])
    return out.astype(np.float64)


def text_similarity(num: np.ndarray, q_self: np.ndarray, d_self: np.ndarray | None) -> np.ndarray:
    """(n_pairs,) in [0, 1] from num = sum idf * a_q * a_d over shared terms: the cosine of the
    sqrt(idf)-weighted BM25 vectors, or, when ``d_self`` is None, coverage = num / q_self (how
    much of the query the document holds)."""
    den = q_self if d_self is None else np.sqrt(q_self * d_self)
    sim: np.ndarray = np.minimum(1.0, num / np.maximum(den, 1e-12))
    return sim
