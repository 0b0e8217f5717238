"""Cross-language terms of the overlap search: a bilingual science-and-technology glossary.

``reference_data/st_glossary.csv`` (columns concept, vi, en; variants separated by "|") maps
Vietnamese and English terms to one concept; the provinces of ``provinces_2025.csv`` (and the
old provinces merged into them) are concepts too, under their Vietnamese and ASCII names. A text
yields its language ("vi" or "en") and its cross terms: the concepts of every glossary term it
contains plus its tokens holding a digit ("5G", "2025", "19"), which read the same in both
languages. "giải mã hệ gen cây trồng" and "crop genome decoding" then share the concepts genome,
sequencing, genome_sequencing and crop.

Matching: Vietnamese terms are matched on syllables that keep their diacritics, because folding
merges words ("mạng" network, "màng" membrane); a text typed without diacritics is matched on
folded syllables. A Vietnamese single syllable counts only where no longer term covers it ("điện"
inside "điện tử" is not "electricity"); English terms count at every span, single words
included. English tokens are folded to the singular as the literal side does.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import scipy.sparse as sp

from wastescreen.core.reference import provinces
from wastescreen.core.text import fold
from wastescreen.features.overlap_text import fast_fold, singular
from wastescreen.features.term_hashing import hashed_counts

GLOSSARY_FILE = "st_glossary.csv"
_WORD = re.compile(r"\w+")
_DIGIT_WORD = re.compile(r"\b\w*?\d\w*")
# Letters only Vietnamese writes (đ, ă, ơ, ư and the vowels of Latin Extended Additional with a
# dot below, hook above or tilde): French, Spanish or Portuguese accents (é, à, ç, ã) are not.
_VI_WORD = re.compile(r"\b\w*?[đĐăĂơƠưƯ\u1EA0-\u1EF9]\w*")
# A text is Vietnamese when at least this share of its words hold such a letter (Vietnamese
# prose: about half of them).
_VI_LETTER_SHARE = 0.1
# Without diacritics, Vietnamese is recognised when its glossary terms cover at least this share
# of the words (Vietnamese S&T prose: most of them) and more than English terms do.
_VI_ASCII_COVER = 0.25

Key = tuple[str, ...]


@dataclass(frozen=True)
class Glossary:
    """Term -> concepts per matching mode: ``vi`` (syllables with diacritics, casefolded),
    ``vi_folded`` (folded syllables), ``en`` (folded, singular); ``max_len`` longest term in
    tokens; ``digest`` first 16 hex digits of the SHA-256 of the glossary file."""

    vi: dict[Key, tuple[str, ...]]
    vi_folded: dict[Key, tuple[str, ...]]
    en: dict[Key, tuple[str, ...]]
    max_len: int
    digest: str
    starts: dict[str, tuple[int, ...]]  # first token of a term -> the lengths of such terms


def vi_tokens(text: str) -> list[str]:
    """Syllables in NFC, casefolded, diacritics kept ("Mạng" -> "mạng"; đ stays đ)."""
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def en_tokens(text: str) -> list[str]:
    """Folded words, English plurals to the singular ("Smart Contracts" -> smart, contract)."""
    return [singular(t) if t[-1] == "s" else t for t in _WORD.findall(fast_fold(text))]


def _add(table: dict[Key, list[str]], key: Key, concept: str) -> None:
    if key and concept not in table.setdefault(key, []):
        table[key].append(concept)


@lru_cache(maxsize=1)
def glossary() -> Glossary:
    """The packaged glossary plus the province names (read once)."""
    raw = resources.files("wastescreen").joinpath("reference_data", GLOSSARY_FILE).read_bytes()
    vi: dict[Key, list[str]] = {}
    vi_f: dict[Key, list[str]] = {}
    en: dict[Key, list[str]] = {}

    def add_vi(term: str, concept: str) -> None:
        _add(vi, tuple(vi_tokens(term)), concept)
        _add(vi_f, tuple(_WORD.findall(fold(term))), concept)

    for row in csv.DictReader(raw.decode("utf-8").splitlines()):
        for term in row["vi"].split("|"):
            add_vi(term, row["concept"])
        for term in row["en"].split("|"):
            _add(en, tuple(en_tokens(term)), row["concept"])
    for p in provinces():
        for name in (p.name_vi, *p.merged_from):
            concept = "place_" + "_".join(_WORD.findall(fold(name)))
            add_vi(name, concept)
            _add(en, tuple(en_tokens(name)), concept)
    tables = (vi, vi_f, en)
    lengths: dict[str, set[int]] = {}
    for key in (k for t in tables for k in t):
        lengths.setdefault(key[0], set()).add(len(key))
    vi_t, vi_f_t, en_t = ({k: tuple(v) for k, v in t.items()} for t in tables)
    return Glossary(vi_t, vi_f_t, en_t,
                    max_len=max(max(v) for v in lengths.values()),
                    digest=hashlib.sha256(raw).hexdigest()[:16],
                    starts={k: tuple(sorted(v)) for k, v in lengths.items()})


Span = tuple[int, int, tuple[str, ...]]


def _spans(tokens: list[str], table: dict[Key, tuple[str, ...]],
           starts: dict[str, tuple[int, ...]]) -> list[Span]:
    """(start, end, concepts) of every span of ``tokens`` that is a term of ``table``."""
    out = []
    n = len(tokens)
    for i, tok in enumerate(tokens):
        for size in starts.get(tok, ()):
            if i + size > n:
                break
            hit = table.get(tuple(tokens[i : i + size]))
            if hit:
                out.append((i, i + size, hit))
    return out


def _covered(spans: list[Span]) -> int:
    return len({k for i, j, _ in spans for k in range(i, j)})


def _vi_concepts(spans: list[Span]) -> list[str]:
    # A single syllable counts only where no longer term covers it (see the module docstring).
    multi = {k for i, j, _ in spans if j - i > 1 for k in range(i, j)}
    return [c for i, j, cs in spans if j - i > 1 or i not in multi for c in cs]


def analyse(text: str) -> tuple[str, list[str]]:
    """(language, cross terms) of ``text``. The language is "vi" when at least
    ``_VI_LETTER_SHARE`` of the words hold a letter only Vietnamese writes, or, in a text typed
    without diacritics, when Vietnamese glossary terms cover more of it than English ones; else
    "en". The cross terms: one concept per matched term occurrence, then the folded tokens
    holding a digit."""
    g = glossary()
    nfc = unicodedata.normalize("NFC", text)
    words = _WORD.findall(nfc)
    marked = len(_VI_WORD.findall(nfc))
    if words and marked >= _VI_LETTER_SHARE * len(words):
        lang, concepts = "vi", _vi_concepts(_spans(_WORD.findall(nfc.casefold()), g.vi, g.starts))
    else:
        en = _spans(en_tokens(text), g.en, g.starts)
        lang, concepts = "en", [c for _, _, cs in en for c in cs]
        if words and text.isascii():  # maybe Vietnamese typed without diacritics
            vi = _spans([w.casefold() for w in words], g.vi_folded, g.starts)
            covered = _covered(vi)
            if covered > _covered(en) and covered >= _VI_ASCII_COVER * len(words):
                lang, concepts = "vi", _vi_concepts(vi)
    concepts.extend(_DIGIT_WORD.findall(fast_fold(text)))
    return lang, concepts


def language(text: str) -> str:
    """"vi" or "en" (see ``analyse``)."""
    return analyse(text)[0]


def cross_terms(text: str) -> list[str]:
    """The language-neutral terms of ``text`` (see ``analyse``)."""
    return analyse(text)[1]


class CrossHasher:
    """Hashes cross terms into ``n_features`` columns, tagged by language so that only texts of
    different languages share a column: a document's terms carry its own language, a query's
    the other one. Same-language pairs therefore meet only on the literal side, unchanged."""

    def __init__(self, n_features: int) -> None:
        self.n_features = n_features
        # Each language hashes into its own half, so a Vietnamese-tagged term can never collide
        # with an English-tagged one (a collision would let same-language pairs meet here).
        self._half = max(n_features // 2, 1)

    def counts(self, texts: Sequence[str], *, as_query: bool) -> sp.csr_matrix:
        """(len(texts), n_features) float32 CSR term counts with sorted indices."""
        if not texts:
            return sp.csr_matrix((0, self.n_features), dtype=np.float32)
        terms, offsets = [], []
        for text in texts:
            lang, found = analyse(text)
            tag = ("en" if lang == "vi" else "vi") if as_query else lang
            terms.append(found)
            offsets.append(self._half if tag == "en" else 0)
        m = hashed_counts(terms, self._half)
        m.indices = m.indices + np.repeat(np.array(offsets, m.indices.dtype), np.diff(m.indptr))
        return sp.csr_matrix((m.data, m.indices, m.indptr), shape=(len(texts), self.n_features))
