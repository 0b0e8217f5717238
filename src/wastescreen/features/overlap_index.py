"""Overlap search: which registry labs, programs and same-cycle proposals a proposal duplicates.

Two steps per query. (1) Candidates: a sparse product of the query's distinctive terms and
equipment categories with an inverted index, plus place/area/budget/agency, gives the
``n_candidates`` best rows per segment. (2) Those rows are scored exactly on six components in
[0, 1] (text, equipment, place, area, budget, agency), combined by ``weights`` over the
components the query carries.
A reviewer sees the components and the shared equipment units behind every score.

Storage is log-structured: ``add`` appends a segment (small segments merge geometrically, so no
insert rebuilds the index), ``remove`` and replacement mark rows dead. Rows hold BM25 weights that
depend only on the row and the fixed ``length_scale_``; IDF comes at query time from exact
document frequencies. So after ``add``/``remove`` results equal those of a refit on the same
documents with ``length_scale=length_scale_``, except for the order of candidates exactly tied at
the ``n_candidates`` cut-off. Documents sharing no term and no equipment category with a query
are never candidates, whatever their place or area.

This module holds the index and its storage; ``overlap_query`` the search (with
``overlap_candidates`` for step 1).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from wastescreen.core.agency import agency_key
from wastescreen.features import overlap_bm25 as bm25
from wastescreen.features import overlap_components as oc
from wastescreen.features import overlap_glossary as og
from wastescreen.features import overlap_text as ot
from wastescreen.features.overlap_docs import (
    OverlapDoc,
    OverlapMatch,
    applicable_components,
)
from wastescreen.features.overlap_query import TextMemo, query_many
from wastescreen.features.overlap_segment import CATEGORIES, Segment

__all__ = ["DEFAULT_WEIGHTS", "OverlapDoc", "OverlapIndex", "OverlapMatch", "TextMemo",
           "applicable_components"]

DEFAULT_WEIGHTS: Mapping[str, float] = {
    "text": 0.6, "equipment": 0.15, "place": 0.1, "area": 0.1, "budget": 0.05, "agency": 0.05,
}
# 2: agency names stored folded (core.agency.agency_key); 3: cross-language columns after the
# literal ones; 4: agency names folded as the agency's identity (accents kept)
FORMAT = "wastescreen-overlap-index/4"
_PARAMS = ("weights", "min_score", "n_features", "ngram_max", "k1", "b", "length_scale",
           "n_candidates", "candidate_max_df", "budget_span_decades", "text_similarity",
           "dense_share", "dense_model", "title_boost", "cross_language", "cross_features")


class OverlapIndex:
    """Explainable similarity search over labs, programs and proposals (scikit-learn style).

    ``weights`` per component (text should dominate); ``min_score`` drops weaker matches;
    ``n_features`` hashed text columns; ``ngram_max`` longest syllable n-gram; ``k1``/``b`` BM25;
    ``length_scale`` BM25 length normaliser in distinct terms (None: mean of the fitted docs);
    ``n_candidates`` rows per segment scored exactly; terms in more than ``candidate_max_df`` of
    the documents are left out of candidate generation (still scored); ``budget_span_decades``
    log10 budget gap that scores 0; ``text_similarity`` "cosine" or "coverage" (of the query);
    ``dense_share`` > 0 mixes that share of a sentence-embedding cosine (``dense_model``, an
    optional heavy dependency) into the text component; ``title_boost`` extra weight of the
    terms of a document's ``title`` (3: chosen on the tune half of the World Bank pairs).

    ``cross_language``: each row also holds ``cross_features`` columns of language-tagged
    glossary concepts (``overlap_glossary``); a query and a document written in different
    languages (Vietnamese, English) get as text component the larger of their literal cosine and
    the cosine of those concepts. Same-language pairs never share such a column, so their scores
    are exactly those without it.
    """

    def __init__(
        self, *, weights: Mapping[str, float] | None = None, min_score: float = 0.0,
        n_features: int = 2**21, ngram_max: int = 2, k1: float = 1.2, b: float = 0.75,
        length_scale: float | None = None, n_candidates: int = 200,
        candidate_max_df: float = 0.05, budget_span_decades: float = 2.0,
        text_similarity: str = "cosine", dense_share: float = 0.0,
        dense_model: str = ot.DEFAULT_DENSE_MODEL, title_boost: float = 3.0,
        cross_language: bool = True, cross_features: int = 2**18,
    ) -> None:
        self.weights = weights
        self.min_score = min_score
        self.n_features = n_features
        self.ngram_max = ngram_max
        self.k1 = k1
        self.b = b
        self.length_scale = length_scale
        self.n_candidates = n_candidates
        self.candidate_max_df = candidate_max_df
        self.budget_span_decades = budget_span_decades
        self.text_similarity = text_similarity
        self.dense_share = dense_share
        self.dense_model = dense_model
        self.title_boost = title_boost
        self.cross_language = cross_language
        self.cross_features = cross_features

    def get_params(self) -> dict[str, Any]:
        return {n: getattr(self, n) for n in _PARAMS}

    def __len__(self) -> int:
        return len(getattr(self, "where_", {}))

    # -- building ---------------------------------------------------------------------------
    def fit(self, docs: Sequence[OverlapDoc]) -> OverlapIndex:
        """Index ``docs`` from scratch (a later duplicate doc_id replaces an earlier one)."""
        docs = list({d.doc_id: d for d in docs}.values())
        self._start(length_scale=None)
        counts = self._counts(docs)
        if self.length_scale is not None:
            self.length_scale_ = float(self.length_scale)
        else:
            self.length_scale_ = float(np.diff(counts.indptr).mean()) if docs else 1.0
        self._append(docs, counts)
        return self

    def add(self, docs: Sequence[OverlapDoc]) -> OverlapIndex:
        """Insert or replace ``docs`` without rebuilding (hashed terms: nothing is out of
        vocabulary; document frequencies stay exact; ``length_scale_`` stays as fitted)."""
        if not hasattr(self, "df_"):
            return self.fit(docs)
        docs = list({d.doc_id: d for d in docs}.values())
        self._append(docs, self._counts(docs))
        return self

    def remove(self, doc_ids: Iterable[str]) -> OverlapIndex:
        """Drop documents by id (unknown ids are ignored); rows are purged at the next merge."""
        self._kill([i for i in dict.fromkeys(doc_ids) if i in getattr(self, "where_", {})])
        return self

    @property
    def _n_cross(self) -> int:
        return self.cross_features if self.cross_language else 0

    def _start(self, length_scale: float | None, vocab: dict[str, list[str]] | None = None) -> None:
        self._hasher = ot.TextHasher(self.n_features, self.ngram_max)
        self._cross = og.CrossHasher(self._n_cross)
        if length_scale is not None:
            self.length_scale_ = length_scale
        self.vocab_ = vocab or {c: [] for c in (*CATEGORIES, "equipment")}
        self._codes = {c: {v: i for i, v in enumerate(vs)} for c, vs in self.vocab_.items()}
        self.df_ = np.zeros(self.n_features + self._n_cross, np.int64)
        self._idf_cache: np.ndarray | None = None
        self._idf_literal: np.ndarray | None = None
        self.segments_: list[Segment] = []
        self.where_: dict[str, tuple[int, int]] = {}

    def _code(self, name: str, value: str, *, grow: bool) -> int:
        if not value:
            return oc.UNKNOWN
        codes = self._codes[name]
        if value not in codes:
            if not grow:
                return oc.UNSEEN
            codes[value] = len(codes)
            self.vocab_[name].append(value)
        return codes[value]

    def _equipment(self, docs: Sequence[OverlapDoc], *, grow: bool) -> sp.csr_matrix:
        """(len(docs), n_equipment) units per category; categories unknown to the index are
        dropped here (callers count them in the requested total). Canonical CSR (float32
        counts, int32 indices, sorted), as SciPy's COO conversion would build it."""
        indptr, indices, units = [0], [], []
        for d in docs:
            held = Counter(j for j in (self._code("equipment", c, grow=grow)
                                       for c in d.equipment) if j >= 0)
            for j in sorted(held):
                indices.append(j)
                units.append(held[j])
            indptr.append(len(indices))
        return sp.csr_matrix((np.array(units, np.float32), np.array(indices, np.int32),
                              np.array(indptr, np.int32)),
                             shape=(len(docs), len(self.vocab_["equipment"])))

    def _counts(self, docs: Sequence[OverlapDoc]) -> sp.csr_matrix:
        """Term counts of ``text``, plus ``title_boost`` times those of ``title``."""
        return ot.field_counts(self._hasher, [d.text for d in docs], [d.title for d in docs],
                               self.title_boost)

    def _rows(self, docs: Sequence[OverlapDoc], counts: sp.csr_matrix) -> sp.csr_matrix:
        """BM25 document rows: the literal columns, then (``cross_language``) the document's
        cross terms, each weighted 1 per distinct term (tf saturated, no length norm)."""
        rows = bm25.bm25_rows(counts, k1=self.k1, b=self.b, length_scale=self.length_scale_)
        if not self._n_cross:
            return rows
        cross = bm25.bm25_rows(self._cross.counts([d.text for d in docs], as_query=False),
                             k1=self.k1, b=0.0, length_scale=1.0)
        return sp.csr_matrix(sp.hstack([rows, cross], format="csr"), dtype=np.float32)

    def _dense(self, texts: Sequence[str]) -> np.ndarray:
        if self.dense_share <= 0:
            return np.zeros((len(texts), 0), np.float32)
        return ot.dense_vectors(texts, self.dense_model)

    def _append(self, docs: Sequence[OverlapDoc], counts: sp.csr_matrix) -> None:
        self._kill([d.doc_id for d in docs if d.doc_id in self.where_])
        if not docs:
            return
        rows = self._rows(docs, counts)
        values = {"kind": [d.kind for d in docs], "province": [d.province for d in docs],
                  "region": [d.region for d in docs], "area": [d.technology_area for d in docs],
                  "group": [agency_key(d.group) for d in docs]}
        arr = {f: np.array([self._code(f, v, grow=True) for v in vs], np.int32)
               for f, vs in values.items()}
        arr["year"] = np.array([d.year for d in docs], np.int32)
        arr["log_budget"] = np.array([oc.log10_budget(d.budget_vnd) for d in docs], np.float32)
        arr["dense"] = self._dense([d.text for d in docs])
        seg = Segment(np.array([d.doc_id for d in docs], dtype=str), rows,
                      self._equipment(docs, grow=True), arr)
        self.df_ += np.bincount(rows.indices, minlength=self.df_.size)
        self._idf_cache = None
        self._idf_literal = None
        self.segments_.append(seg)
        self._register(len(self.segments_) - 1)
        # Geometric merging keeps O(log n) segments and rewrites each row O(log n) times.
        while len(self.segments_) > 1 and (
            len(self.segments_[-2].ids) <= 2 * len(self.segments_[-1].ids)
        ):
            tail = self.segments_[-2:]
            self.segments_[-2:] = [Segment.merge(tail, len(self.vocab_["equipment"]))]
            self._register(len(self.segments_) - 1)

    def _register(self, pos: int) -> None:
        seg = self.segments_[pos]
        for row in np.flatnonzero(seg.alive):
            self.where_[str(seg.ids[row])] = (pos, int(row))

    def _kill(self, doc_ids: Sequence[str]) -> None:
        for doc_id in doc_ids:
            pos, row = self.where_.pop(doc_id)
            seg = self.segments_[pos]
            seg.alive[row] = False
            self.df_[seg.rows.indices[seg.rows.indptr[row] : seg.rows.indptr[row + 1]]] -= 1
            self._idf_cache = None
            self._idf_literal = None

    def _idf(self) -> np.ndarray:
        """(n_features,) float32 BM25 idf of the current documents, recomputed after changes."""
        idf = self._idf_cache
        if idf is None:
            idf = bm25.bm25_idf(self.df_, len(self))
            literal = idf.copy()
            literal[self.n_features :] = 0
            self._idf_literal, self._idf_cross = literal, idf - literal
            for seg in self.segments_:
                seg.reset_norms()
            # Published last: a reader that sees it sees the parts too (queries of a loaded
            # index are read-only and may run side by side; changes take the engine's lock).
            self._idf_cache = idf
        return idf

    def _idf_parts(self) -> tuple[np.ndarray, np.ndarray]:
        """(idf with the cross columns 0, idf with the literal columns 0), for the two norms."""
        self._idf()
        assert self._idf_literal is not None
        return self._idf_literal, self._idf_cross

    def component_weights(self) -> dict[str, float]:
        """The weight of every component (``weights`` or the defaults; missing ones are 0)."""
        w = dict(DEFAULT_WEIGHTS if self.weights is None else self.weights)
        return {c: float(w.get(c, 0.0)) for c in oc.COMPONENTS}

    # -- querying (overlap_query) -----------------------------------------------------------
    def query(self, q: OverlapDoc, *, k: int = 10, kinds: Collection[str] | None = None,
              max_year: int | None = None, exclude_ids: Collection[str] = ()) -> list[OverlapMatch]:
        """The ``k`` best matches of ``q``, best first (ties by doc_id), score >= ``min_score``.

        ``kinds`` keeps only those kinds; ``max_year`` keeps docs with 0 < year <= max_year (an
        unknown year cannot be shown to predate the query, so it is left out against leakage);
        ``exclude_ids`` drops ids (e.g. the query itself).
        """
        return self.query_many([q], k=k, kinds=kinds, max_year=max_year, exclude_ids=exclude_ids)[0]

    def query_many(self, qs: Sequence[OverlapDoc], *, k: int = 10,
                   kinds: Collection[str] | None = None, max_year: int | None = None,
                   exclude_ids: Collection[str] = (), per_kind: bool = False,
                   text_memo: TextMemo | None = None) -> list[list[OverlapMatch]]:
        """``query`` for each of ``qs`` with the same filters, in batches of sparse products;
        row i equals ``query(qs[i], ...)`` exactly (``query`` is this with one row).

        ``per_kind``: the ``k`` best of each kind (grouped by kind, best first within a kind),
        exactly what one call per kind would give, for the price of one call. ``text_memo``:
        the queries' hashed terms, kept for another index that hashes alike (one screening
        queries the registry and then the peers with the same texts)."""
        return query_many(self, qs, k=k, kinds=kinds, max_year=max_year,
                          exclude_ids=exclude_ids, per_kind=per_kind, text_memo=text_memo)

    # -- persistence (no pickle: scipy/numpy .npz with allow_pickle=False, and JSON) ---------
    def save(self, directory: Path) -> None:
        """Write ``index.json`` (format, parameters, length scale, vocabularies), ``text.npz``
        and ``equipment.npz`` (scipy CSR of the live rows), ``rows.npz`` (per-row arrays)."""
        directory.mkdir(parents=True, exist_ok=True)
        if not hasattr(self, "df_"):
            raise ValueError("nothing to save: the index is not fitted")
        n_eq = len(self.vocab_["equipment"])
        seg = (Segment.merge(self.segments_, n_eq) if self.segments_
               else Segment.empty(self.n_features + self._n_cross, n_eq))
        seg.save(directory, n_eq)
        meta = {"format": FORMAT, "params": self.get_params(),
                "length_scale_": self.length_scale_, "vocab_": self.vocab_,
                "glossary": og.glossary().digest if self._n_cross else ""}
        (directory / "index.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                              encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> OverlapIndex:
        """Read what ``save`` wrote; refuses another format version."""
        meta = json.loads((directory / "index.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{directory}: not a {FORMAT} index")
        self = cls(**meta["params"])
        if meta.get("glossary", "") != (og.glossary().digest if self._n_cross else ""):
            raise ValueError(f"{directory}: built with another cross-language glossary")
        self._start(float(meta["length_scale_"]), {c: list(v) for c, v in meta["vocab_"].items()})
        seg = Segment.load(directory)
        if seg is not None:
            self.segments_ = [seg]
            self.df_ = np.bincount(seg.rows.indices,
                                   minlength=self.df_.size).astype(np.int64)
            self._register(0)
        return self
