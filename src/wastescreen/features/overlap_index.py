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
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from wastescreen.core.agency import agency_key
from wastescreen.features import overlap_components as oc
from wastescreen.features import overlap_glossary as og
from wastescreen.features import overlap_text as ot
from wastescreen.features.overlap_docs import (
    OverlapDoc,
    OverlapMatch,
    applicable_components,
)
from wastescreen.features.overlap_rank import (
    best_per_group,
    kth_largest_per_group,
    top_per_group,
    top_rows,
)
from wastescreen.features.overlap_segment import (
    CATEGORIES,
    Segment,
    self_scores,
    side_by_side,
)
from wastescreen.features.pair_dots import kernel_loaded, pair_dots

__all__ = ["DEFAULT_WEIGHTS", "OverlapDoc", "OverlapIndex", "OverlapMatch", "TextMemo",
           "applicable_components"]

DEFAULT_WEIGHTS: Mapping[str, float] = {
    "text": 0.6, "equipment": 0.15, "place": 0.1, "area": 0.1, "budget": 0.05, "agency": 0.05,
}
# 2: agency names stored folded (core.agency.agency_key); 3: cross-language columns after the
# literal ones; 4: agency names folded as the agency's identity (accents kept)
FORMAT = "wastescreen-overlap-index/4"
_PRUNE_FLOOR = 1000  # postings this short are cheap: never leave such a term out of generation
_CHUNK = 256  # queries per sparse product in query_many: bounds the candidate matrix in memory
# From this many (query, row) pairs the exact text scores are compiled (features.pair_dots): a
# batch's chunk has about 100,000, one pre-check a few hundred, for which Numba is not loaded
# (a one-shot screening would spend a second on it) unless the process loaded it at start-up.
_COMPILED_MIN_PAIRS = 20_000
# Hashed query terms by hashing settings and distinct (text, title) pairs: literal, cross.
TextMemo = dict[tuple[Any, ...], tuple[sp.csr_matrix, sp.csr_matrix | None]]
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
        dropped here (callers count them in the requested total)."""
        pairs = [(i, self._code("equipment", c, grow=grow)) for i, d in enumerate(docs)
                 for c in d.equipment]
        r = [i for i, j in pairs if j >= 0]
        c = [j for _, j in pairs if j >= 0]
        m = sp.csr_matrix((np.ones(len(r), np.float32), (r, c)),
                          shape=(len(docs), len(self.vocab_["equipment"])))
        m.sum_duplicates()
        return m

    def _counts(self, docs: Sequence[OverlapDoc]) -> sp.csr_matrix:
        """Term counts of ``text``, plus ``title_boost`` times those of ``title``."""
        return ot.field_counts(self._hasher, [d.text for d in docs], [d.title for d in docs],
                               self.title_boost)

    def _rows(self, docs: Sequence[OverlapDoc], counts: sp.csr_matrix) -> sp.csr_matrix:
        """BM25 document rows: the literal columns, then (``cross_language``) the document's
        cross terms, each weighted 1 per distinct term (tf saturated, no length norm)."""
        rows = ot.bm25_rows(counts, k1=self.k1, b=self.b, length_scale=self.length_scale_)
        if not self._n_cross:
            return rows
        cross = ot.bm25_rows(self._cross.counts([d.text for d in docs], as_query=False),
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
            idf = ot.bm25_idf(self.df_, len(self))
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

    # -- querying ---------------------------------------------------------------------------
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
        if not hasattr(self, "df_"):
            return [[] for _ in qs]
        out: list[list[OverlapMatch]] = []
        for start in range(0, len(qs), _CHUNK):
            out.extend(self._query_chunk(qs[start : start + _CHUNK], k, kinds, max_year,
                                         exclude_ids, per_kind, text_memo))
        return out

    def _allowed(self, pos: int, kinds: Collection[str] | None, max_year: int | None,
                 exclude_ids: Collection[str]) -> np.ndarray:
        seg = self.segments_[pos]
        ok = seg.alive.copy()
        if kinds is not None:
            ok &= np.isin(seg.arr["kind"], [self._codes["kind"].get(x, -9) for x in kinds])
        if max_year is not None:
            ok &= (seg.arr["year"] > 0) & (seg.arr["year"] <= max_year)
        for doc_id in exclude_ids:
            hit = self.where_.get(doc_id)
            if hit is not None and hit[0] == pos:
                ok[hit[1]] = False
        return ok

    def _query_counts(self, qs: Sequence[OverlapDoc], memo: TextMemo | None
                      ) -> tuple[sp.csr_matrix, sp.csr_matrix | None, np.ndarray]:
        """The queries' term counts (``_counts``) and cross terms, each distinct text hashed
        once (a proposal and its what-if variants share theirs), and each query's distinct
        text number; rows are hashed one by one, so a row copied from another query's is the
        row hashing gives."""
        pairs = [(q.text, q.title) for q in qs]
        first: dict[tuple[str, str], int] = {}
        for pair in pairs:
            first.setdefault(pair, len(first))
        key = (self.n_features, self.ngram_max, self.title_boost, self._n_cross, tuple(first))
        found = None if memo is None else memo.get(key)
        if found is None:
            texts = [text for text, _ in first]
            found = (ot.field_counts(self._hasher, texts, [title for _, title in first],
                                     self.title_boost),
                     self._cross.counts(texts, as_query=True) if self._n_cross else None)
            if memo is not None:
                memo[key] = found
        pos = np.array([first[pair] for pair in pairs], np.int64)
        if len(first) == len(pairs):
            return found[0], found[1], pos
        return found[0][pos], None if found[1] is None else found[1][pos], pos

    def _encode(self, qs: Sequence[OverlapDoc], memo: TextMemo | None = None
                ) -> dict[str, Any]:
        """Query-side arrays (one entry per query): text rows, equipment, codes, applicability."""
        w = self.component_weights()
        max_df = int(max(self.candidate_max_df * len(self), _PRUNE_FLOOR))
        idf, n_lit = self._idf(), self.n_features
        counts, cross, text_of = self._query_counts(qs, memo)
        full, q_self, gen = ot.encode_queries(
            counts, idf[:n_lit], self.df_[:n_lit], k1=self.k1,
            b=self.b, length_scale=self.length_scale_, max_df=max_df)
        x_self = np.zeros(len(qs))
        if cross is not None:
            x_full, x_self, x_gen = ot.encode_queries(
                cross, idf[n_lit:], self.df_[n_lit:], k1=self.k1, b=0.0, length_scale=1.0,
                max_df=max_df)
            full = side_by_side(full, x_full)
            gen = side_by_side(gen, x_gen)
        eq = self._equipment(qs, grow=False)
        total = np.array([sum(1 for c in q.equipment if c) for q in qs], np.float32)
        applies = [applicable_components(q) for q in qs]
        cats = {"province": [q.province for q in qs], "region": [q.region for q in qs],
                "area": [q.technology_area for q in qs],
                "group": [agency_key(q.group) for q in qs]}
        gen.data *= w["text"]  # gen is ours: scaled in place, as gen * w would, without a copy
        # Each requested unit's share of the equipment weight; one multiply per stored value,
        # as diag(w / total) @ eq gives, without building the diagonal matrix.
        per_unit = (w["equipment"] / np.maximum(total, 1)).astype(np.float32)
        eq_gen = sp.csr_matrix((eq.data * np.repeat(per_unit, np.diff(eq.indptr)), eq.indices,
                                eq.indptr), shape=eq.shape, dtype=np.float32)
        return {
            "full": full, "self": q_self, "gen": gen, "x_self": x_self, "text_of": text_of,
            "eq": eq, "eq_total": total, "dense": self._dense([q.text for q in qs]),
            "eq_gen": eq_gen,
            **{f: np.array([self._code(f, v, grow=False) for v in vs], np.int32)
               for f, vs in cats.items()},
            "log_budget": np.array([oc.log10_budget(q.budget_vnd) for q in qs], np.float32),
            "applies": {c: np.array([a[c] for a in applies], bool) for c in oc.COMPONENTS},
        }

    def _candidates(self, enc: dict[str, Any], seg: Segment, ok: np.ndarray,
                    n_queries: int, per_kind: bool) -> tuple[np.ndarray, np.ndarray]:
        """(query number, row) pairs: up to n_candidates rows of ``seg`` per query (per query
        and kind with ``per_kind``), grouped by query."""
        w = self.component_weights()
        dense_w = w["text"] * self.dense_share
        # Place/area/budget/agency/dense add at most this much: rows whose term score is further
        # than that below the n-th best cannot enter the top n, so they are not scored.
        ctx_max = w["place"] + w["area"] + w["budget"] + w["agency"] + dense_w
        gen = enc["gen"] @ seg.inv
        if enc["eq_gen"].nnz and seg.eq_inv.shape[0]:
            gen = gen + enc["eq_gen"][:, : seg.eq_inv.shape[0]] @ seg.eq_inv
        gen = sp.csr_matrix(gen)
        if dense_w > 0:  # a sentence-embedding product per query: kept query by query
            return self._candidates_by_query(gen, enc, seg, ok, n_queries, per_kind, ctx_max,
                                             dense_w)
        q = np.repeat(np.arange(n_queries), np.diff(gen.indptr))
        keep = ok[gen.indices]
        q, idx, val = q[keep], gen.indices[keep], gen.data[keep]
        if per_kind:  # the groups of one query and kind, numbered query by query
            kinds, kind = np.unique(seg.arr["kind"][idx], return_inverse=True)
            group, n_groups = q * kinds.size + kind.ravel(), n_queries * kinds.size
        else:
            group, n_groups = q, n_queries
        # What _top_candidates does to each group, for every group at once (same float32
        # arithmetic, element by element): the near cut, the context, the top rows.
        n = self.n_candidates
        if (np.bincount(group, minlength=n_groups) > n).any():
            nth = kth_largest_per_group(group, val, n, n_groups).astype(np.float32)
            near = np.flatnonzero(~np.isfinite(nth[group])
                                  | (val >= nth[group] - ctx_max - 1e-6))
            q, idx, val, group = q[near], idx[near], val[near], group[near]
        val = val + oc.context_score_pairs(
            {f: enc[f][q] for f in ("province", "region", "area", "log_budget", "group")},
            {c: a[q] for c, a in enc["applies"].items()},
            {f: seg.arr[f][idx] for f in ("province", "region", "area", "log_budget", "group")},
            w, self.budget_span_decades)
        top = top_per_group(group, idx, val, n, n_groups)
        top = top[np.argsort(q[top], kind="stable")]
        return q[top], idx[top].astype(np.int64)

    def _candidates_by_query(self, gen: sp.csr_matrix, enc: dict[str, Any], seg: Segment,
                             ok: np.ndarray, n_queries: int, per_kind: bool, ctx_max: float,
                             dense_w: float) -> tuple[np.ndarray, np.ndarray]:
        """``_candidates`` one query (and kind) at a time."""
        pq_parts, row_parts = [], []
        for i in range(n_queries):
            idx = gen.indices[gen.indptr[i] : gen.indptr[i + 1]]
            val = gen.data[gen.indptr[i] : gen.indptr[i + 1]]
            keep = ok[idx]
            idx, val = idx[keep], val[keep]
            q = {f: enc[f][i] for f in ("province", "region", "area", "log_budget", "group")}
            q["applies"] = {c: a[i] for c, a in enc["applies"].items()}
            groups = [(idx, val)]
            if per_kind:
                kind = seg.arr["kind"][idx]
                groups = [(idx[kind == c], val[kind == c]) for c in np.unique(kind)]
            for g_idx, g_val in groups:
                top = self._top_candidates(g_idx, g_val, q, seg, enc, i, ctx_max, dense_w)
                pq_parts.append(np.full(top.size, i))
                row_parts.append(top)
        if not pq_parts:  # per kind, a query with no candidate row adds no group at all
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(pq_parts), np.concatenate(row_parts).astype(np.int64)

    def _top_candidates(self, idx: np.ndarray, val: np.ndarray, q: dict[str, Any],
                        seg: Segment, enc: dict[str, Any], i: int, ctx_max: float,
                        dense_w: float) -> np.ndarray:
        """The n_candidates rows among ``idx`` (term scores ``val``) best by term + context."""
        if val.size > self.n_candidates:
            nth = np.partition(val, val.size - self.n_candidates)[-self.n_candidates]
            near = val >= nth - ctx_max - 1e-6
            idx, val = idx[near], val[near]
        val = val + oc.context_score(q, {f: seg.arr[f][idx] for f in q if f != "applies"},
                                     self.component_weights(), self.budget_span_decades)
        if dense_w > 0:
            val += dense_w * np.maximum(seg.arr["dense"][idx] @ enc["dense"][i], 0)
        return top_rows(idx, val, self.n_candidates)

    def _text(self, seg: Segment, rows: np.ndarray, enc: dict[str, Any],
              pq: np.ndarray) -> np.ndarray:
        """(len(rows),) text component of each (row of ``seg``, query ``pq``) pair. Queries
        with the same text (a proposal and its what-if variants) have the same text score
        against a row, so each distinct (text, row) pair is scored once."""
        key = enc["text_of"][pq] * len(seg.ids) + rows
        distinct, first, back = np.unique(key, return_index=True, return_inverse=True)
        if distinct.size == key.size:
            return self._text_pairs(seg, rows, enc, pq)
        sim: np.ndarray = self._text_pairs(seg, rows[first], enc, pq[first])[back]
        return sim

    def _text_pairs(self, seg: Segment, rows: np.ndarray, enc: dict[str, Any],
                    pq: np.ndarray) -> np.ndarray:
        num32, num_x = pair_dots(seg.rows, rows, enc["full"], pq, self.n_features,
                                 compiled=rows.size >= _COMPILED_MIN_PAIRS or kernel_loaded(),
                                 inv=seg.inv, finite=seg.all_finite())
        num = num32.astype(np.float64)
        idf_lit, idf_x = self._idf_parts()
        d_self = seg.norms(rows, idf_lit) if self.text_similarity == "cosine" else None
        sim = ot.text_similarity(num, enc["self"][pq], d_self)
        if num_x is not None:
            # A query and a document of different languages: the larger of the two cosines.
            m = np.flatnonzero(num_x > 0)
            d_x = (self_scores(seg.rows[rows[m]], idf_x) if self.text_similarity == "cosine"
                   else None)
            sim_x = ot.text_similarity(num_x[m], enc["x_self"][pq[m]], d_x)
            sim[m] = np.maximum(sim[m], sim_x)
        if self.dense_share > 0:
            cos = np.einsum("ij,ij->i", seg.arr["dense"][rows], enc["dense"][pq])
            sim = (1 - self.dense_share) * sim + self.dense_share * np.clip(cos, 0.0, 1.0)
        return sim

    def _query_chunk(
        self, qs: Sequence[OverlapDoc], k: int, kinds: Collection[str] | None,
        max_year: int | None, exclude_ids: Collection[str], per_kind: bool = False,
        text_memo: TextMemo | None = None,
    ) -> list[list[OverlapMatch]]:
        enc = self._encode(qs, text_memo)
        n_eq = len(self.vocab_["equipment"])
        q_cols = np.unique(enc["eq"].indices)
        # Requested units in the requested categories, dense (n_queries, len(q_cols)): a few
        # dozen categories at most, so dense beats sparse fancy indexing per pair.
        q_units = enc["eq"][:, q_cols].toarray()
        found: list[dict[str, np.ndarray]] = []
        for pos, seg in enumerate(self.segments_):
            pq, rr = self._candidates(enc, seg, self._allowed(pos, kinds, max_year, exclude_ids),
                                      len(qs), per_kind)
            if pq.size == 0:
                continue
            held = np.zeros((rr.size, n_eq), np.float32)
            held[:, : seg.eq.shape[1]] = seg.eq[rr].toarray()
            cover, shared = oc.equipment_shared(q_units[pq], enc["eq_total"][pq],
                                                held[:, q_cols])
            parts = {
                "text": self._text(seg, rr, enc, pq), "equipment": cover,
                "place": oc.place_score(enc["province"][pq], enc["region"][pq],
                                        seg.arr["province"][rr], seg.arr["region"][rr]),
                "area": oc.area_score(enc["area"][pq], seg.arr["area"][rr]),
                "budget": oc.budget_score(enc["log_budget"][pq], seg.arr["log_budget"][rr],
                                          self.budget_span_decades),
                "agency": oc.agency_score(enc["group"][pq], seg.arr["group"][rr]),
            }
            total = oc.combine(parts, {c: a[pq] for c, a in enc["applies"].items()},
                               self.component_weights())
            found.append({"q": pq, "total": total, "id": seg.ids[rr],
                          "kind": seg.arr["kind"][rr], "shared": shared,
                          **{f"c_{c}": np.asarray(v, np.float64) for c, v in parts.items()}})
        return self._rank(found, len(qs), k, q_cols, per_kind)

    def _rank(self, found: list[dict[str, np.ndarray]], n_queries: int, k: int,
              q_cols: np.ndarray, per_kind: bool) -> list[list[OverlapMatch]]:
        """Best ``k`` per query (per query and kind) by total score, then doc_id, at least
        ``min_score``."""
        out: list[list[OverlapMatch]] = [[] for _ in range(n_queries)]
        if not found:
            return out
        f = {key: np.concatenate([d[key] for d in found]) for key in found[0]}
        # A document indexed without a kind (code -1) is a kind of its own, after the others.
        n_kinds = len(self.vocab_["kind"]) + 1 if per_kind else 1
        kind_of = np.where(f["kind"] < 0, n_kinds - 1, f["kind"]) if per_kind else 0
        group = f["q"] * n_kinds + kind_of
        best = best_per_group(group, f["total"], f["id"], k, n_queries * n_kinds)
        sel = best[f["total"][best] >= self.min_score]
        codes = [self.vocab_["equipment"][c] for c in q_cols]
        comps = list(zip(*(f[f"c_{c}"][sel].tolist() for c in oc.COMPONENTS), strict=True))
        # The shared units of all kept matches at once, row by row (as np.flatnonzero of
        # each row would list them), rather than a search of every match's row.
        shared = f["shared"][sel]
        at, col = np.nonzero(shared)
        units: list[dict[str, int]] = [{} for _ in range(sel.size)]
        for j, c, n in zip(at.tolist(), col.tolist(), shared[at, col].astype(np.int64).tolist(),
                           strict=True):
            units[j][codes[c]] = n
        kinds = self.vocab_["kind"]
        for q, doc_id, kind, total, comp, eq in zip(
                f["q"][sel].tolist(), f["id"][sel].tolist(), f["kind"][sel].tolist(),
                f["total"][sel].tolist(), comps, units, strict=True):
            out[q].append(OverlapMatch(doc_id=doc_id, kind=kinds[kind] if kind >= 0 else "",
                                       score=total,
                                       components=dict(zip(oc.COMPONENTS, comp, strict=True)),
                                       shared_equipment=eq))
        return out

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
