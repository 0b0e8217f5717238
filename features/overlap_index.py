"""Overlap search: which registry labs, programs and same-cycle proposals a proposal duplicates.

Two steps per query. (1) Candidates: a sparse product of the query's distinctive terms (document
frequency <= ``candidate_max_df`` of the documents) and its equipment categories with an inverted
index gives the ``n_candidates`` best rows per segment. (2) Exact scoring of those rows on five
components in [0, 1] (text, equipment, place, area, budget), combined by ``weights`` over the
components the query carries; a reviewer sees the components and the shared equipment units.

Storage is log-structured: ``add`` appends a segment (small segments merge geometrically, so no
insert rebuilds the index), ``remove`` and replacement mark rows dead. Rows hold BM25 weights that
depend only on the row and the fixed ``length_scale_``; IDF comes at query time from exact document
frequencies. So after ``add``/``remove`` the results equal those of a refit on the same documents
with ``length_scale=length_scale_``, except for the order of candidates exactly tied at the
``n_candidates`` cut-off.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from features import overlap_components as oc
from features.overlap_text import TextHasher, bm25_idf, bm25_rows

DEFAULT_WEIGHTS: Mapping[str, float] = {
    "text": 0.6, "equipment": 0.15, "place": 0.1, "area": 0.1, "budget": 0.05,
}
FORMAT = "wastescreen-overlap-index/1"
_CATS = ("kind", "province", "region", "area", "group")  # int32 codes per row, -1 = unknown
_PRUNE_FLOOR = 1000  # postings this short are cheap: never prune a term below this df
_CHUNK = 256  # queries per sparse product in query_many: bounds the candidate matrix in memory


@dataclass(frozen=True)
class OverlapDoc:
    """What is indexed and what is queried.

    ``equipment`` repeats a category code once per unit (("MASS_SPECTROMETER",) * 2 = two units).
    ``year`` is when the item started / was approved / was submitted (0 = unknown); ``group`` is a
    free label (budget cycle, agency); ``budget_vnd`` 0 = unknown.
    """

    doc_id: str
    kind: str
    text: str
    equipment: tuple[str, ...] = ()
    province: str = ""
    region: str = ""
    technology_area: str = ""
    budget_vnd: int = 0
    year: int = 0
    group: str = ""


@dataclass(frozen=True)
class OverlapMatch:
    """One match: ``score`` and every component in [0, 1]; shared equipment units per category."""

    doc_id: str
    kind: str
    score: float
    components: dict[str, float]
    shared_equipment: dict[str, int]


@dataclass
class _Segment:
    ids: np.ndarray  # (n,) str doc ids
    rows: sp.csr_matrix  # (n, n_features) BM25 document weights
    inv: sp.csr_matrix  # (n_features, n) the same, transposed: the inverted index
    eq: sp.csr_matrix  # (n, n_equipment) units per equipment category
    eq_inv: sp.csr_matrix  # (n_equipment, n) 1 where a row holds the category
    cat: dict[str, np.ndarray]  # _CATS -> (n,) int32
    year: np.ndarray  # (n,) int32
    log_budget: np.ndarray  # (n,) float32 log10 VND, NaN unknown
    alive: np.ndarray  # (n,) bool
    self_score: np.ndarray | None = None  # (n,) sum of idf * weight^2, cached per idf state

    @classmethod
    def build(cls, ids: np.ndarray, rows: sp.csr_matrix, eq: sp.csr_matrix,
              cat: dict[str, np.ndarray], year: np.ndarray, log_budget: np.ndarray) -> _Segment:
        presence = eq.copy()
        presence.data = np.ones_like(presence.data)
        return cls(ids, rows, rows.T.tocsr(), eq, presence.T.tocsr(), cat, year, log_budget,
                   np.ones(len(ids), bool))


def _with_cols(m: sp.csr_matrix, n_cols: int) -> sp.csr_matrix:
    return sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], n_cols))


def _merge(segs: Sequence[_Segment], n_eq: int) -> _Segment:
    """One segment holding the live rows of ``segs`` in order (dead rows are dropped here)."""
    keep = [s.alive for s in segs]
    return _Segment.build(
        np.concatenate([s.ids[k] for s, k in zip(segs, keep, strict=True)]),
        sp.vstack([s.rows[k] for s, k in zip(segs, keep, strict=True)], format="csr"),
        sp.vstack([_with_cols(s.eq, n_eq)[k] for s, k in zip(segs, keep, strict=True)],
                  format="csr"),
        {c: np.concatenate([s.cat[c][k] for s, k in zip(segs, keep, strict=True)]) for c in _CATS},
        np.concatenate([s.year[k] for s, k in zip(segs, keep, strict=True)]),
        np.concatenate([s.log_budget[k] for s, k in zip(segs, keep, strict=True)]),
    )


def _top(idx: np.ndarray, val: np.ndarray, n: int) -> np.ndarray:
    """The n rows with the highest values; exact ties at the cut-off go to the lowest rows."""
    if val.size <= n:
        return idx
    thr = val[np.argpartition(-val, n - 1)[:n]].min()
    above = idx[val > thr]
    return np.concatenate([above, np.sort(idx[val == thr])[: n - above.size]])


class OverlapIndex:
    """Explainable similarity search over labs, programs and proposals (scikit-learn style).

    ``weights`` per component (text should dominate); ``min_score`` drops weaker matches;
    ``n_features`` hashed text columns; ``ngram_max`` longest syllable n-gram; ``k1``/``b`` BM25;
    ``length_scale`` BM25 length normaliser in distinct terms (None: mean of the fitted docs);
    ``n_candidates`` rows per segment scored exactly; ``candidate_max_df`` terms in more than this
    share of documents are left out of candidate generation (still scored); ``budget_span_decades``
    log10 budget gap that scores 0.
    """

    def __init__(
        self, *, weights: Mapping[str, float] | None = None, min_score: float = 0.0,
        n_features: int = 2**21, ngram_max: int = 2, k1: float = 1.2, b: float = 0.75,
        length_scale: float | None = None, n_candidates: int = 200,
        candidate_max_df: float = 0.05, budget_span_decades: float = 2.0,
        text_similarity: str = "cosine", candidate_terms: int = 0,
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
        self.candidate_terms = candidate_terms

    def get_params(self) -> dict[str, Any]:
        names = ("weights", "min_score", "n_features", "ngram_max", "k1", "b", "length_scale",
                 "n_candidates", "candidate_max_df", "budget_span_decades", "text_similarity",
                 "candidate_terms")
        return {n: getattr(self, n) for n in names}

    # -- building ---------------------------------------------------------------------------
    def fit(self, docs: Sequence[OverlapDoc]) -> OverlapIndex:
        """Index ``docs`` from scratch (a later duplicate doc_id replaces an earlier one)."""
        self._hasher = TextHasher(self.n_features, self.ngram_max)
        docs = list({d.doc_id: d for d in docs}.values())
        counts = self._hasher.counts([d.text for d in docs])
        if self.length_scale is not None:
            self.length_scale_ = float(self.length_scale)
        else:
            self.length_scale_ = float(np.diff(counts.indptr).mean()) if docs else 1.0
        self.vocab_: dict[str, list[str]] = {c: [] for c in (*_CATS, "equipment")}
        self._codes: dict[str, dict[str, int]] = {c: {} for c in self.vocab_}
        self.df_ = np.zeros(self.n_features, np.int64)
        self._idf_cache: np.ndarray | None = None
        self.segments_: list[_Segment] = []
        self.where_: dict[str, tuple[int, int]] = {}
        self._append(docs, counts)
        return self

    def add(self, docs: Sequence[OverlapDoc]) -> OverlapIndex:
        """Insert or replace ``docs`` without rebuilding (hashed terms: nothing is out of
        vocabulary; document frequencies stay exact; ``length_scale_`` stays as fitted)."""
        if not hasattr(self, "df_"):
            return self.fit(docs)
        docs = list({d.doc_id: d for d in docs}.values())
        self._append(docs, self._hasher.counts([d.text for d in docs]))
        return self

    def remove(self, doc_ids: Iterable[str]) -> OverlapIndex:
        """Drop documents by id (unknown ids are ignored); rows are purged at the next merge."""
        self._kill([i for i in dict.fromkeys(doc_ids) if i in self.where_])
        return self

    def __len__(self) -> int:
        return len(getattr(self, "where_", {}))

    def _code(self, field: str, value: str, *, grow: bool) -> int:
        if not value:
            return oc.UNKNOWN
        codes = self._codes[field]
        if value not in codes:
            if not grow:
                return oc.UNSEEN
            codes[value] = len(codes)
            self.vocab_[field].append(value)
        return codes[value]

    def _equipment(self, docs: Sequence[OverlapDoc], *, grow: bool) -> sp.csr_matrix:
        """(len(docs), n_equipment) units per category; categories unknown to the index are
        dropped here (callers count them in the requested total)."""
        r, c = [], []
        for i, d in enumerate(docs):
            for code in d.equipment:
                j = self._code("equipment", code, grow=grow)
                if j >= 0:
                    r.append(i)
                    c.append(j)
        m = sp.csr_matrix((np.ones(len(r), np.float32), (r, c)),
                          shape=(len(docs), len(self.vocab_["equipment"])))
        m.sum_duplicates()
        return m

    def _append(self, docs: Sequence[OverlapDoc], counts: sp.csr_matrix) -> None:
        self._kill([d.doc_id for d in docs if d.doc_id in self.where_])
        if not docs:
            return
        rows = bm25_rows(counts, k1=self.k1, b=self.b, length_scale=self.length_scale_)
        values = {"kind": [d.kind for d in docs], "province": [d.province for d in docs],
                  "region": [d.region for d in docs], "area": [d.technology_area for d in docs],
                  "group": [d.group for d in docs]}
        cat = {f: np.array([self._code(f, v, grow=True) for v in vs], np.int32)
               for f, vs in values.items()}
        seg = _Segment.build(
            np.array([d.doc_id for d in docs], dtype=str), rows,
            self._equipment(docs, grow=True), cat,
            np.array([d.year for d in docs], np.int32),
            np.array([oc.log10_budget(d.budget_vnd) for d in docs], np.float32))
        self.df_ += np.bincount(rows.indices, minlength=self.n_features)
        self._idf_cache = None
        self.segments_.append(seg)
        self._register(len(self.segments_) - 1)
        # Geometric merging keeps O(log n) segments and rewrites each row O(log n) times.
        while len(self.segments_) > 1 and (
            len(self.segments_[-2].ids) <= 2 * len(self.segments_[-1].ids)
        ):
            tail = self.segments_[-2:]
            self.segments_[-2:] = [_merge(tail, len(self.vocab_["equipment"]))]
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
            cols = seg.rows.indices[seg.rows.indptr[row] : seg.rows.indptr[row + 1]]
            self.df_[cols] -= 1
            self._idf_cache = None

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
                   exclude_ids: Collection[str] = ()) -> list[list[OverlapMatch]]:
        """``query`` for each of ``qs`` with the same filters, in batches of sparse products;
        row i equals ``query(qs[i], ...)`` exactly (query is this with one row)."""
        out: list[list[OverlapMatch]] = []
        for start in range(0, len(qs), _CHUNK):
            out.extend(self._query_chunk(qs[start : start + _CHUNK], k, kinds, max_year,
                                         exclude_ids))
        return out

    def _allowed(self, pos: int, kinds: Collection[str] | None, max_year: int | None,
                 exclude_ids: Collection[str]) -> np.ndarray:
        seg = self.segments_[pos]
        ok = seg.alive.copy()
        if kinds is not None:
            wanted = [self._codes["kind"][x] for x in kinds if x in self._codes["kind"]]
            ok &= np.isin(seg.cat["kind"], wanted)
        if max_year is not None:
            ok &= (seg.year > 0) & (seg.year <= max_year)
        for doc_id in exclude_ids:
            hit = self.where_.get(doc_id)
            if hit is not None and hit[0] == pos:
                ok[hit[1]] = False
        return ok

    def _encode(self, qs: Sequence[OverlapDoc]) -> dict[str, Any]:
        """Query-side arrays: BM25 text rows (full and candidate-generation), equipment units."""
        a = bm25_rows(self._hasher.counts([q.text for q in qs]), k1=self.k1, b=self.b,
                      length_scale=self.length_scale_)
        df = self.df_[a.indices]
        full = a.copy()
        full.data = a.data * self._idf()[a.indices]
        self_score = np.asarray(full.multiply(a).sum(axis=1), np.float64).ravel()
        # Common terms carry little evidence but have the longest postings: leave them out of
        # candidate generation, unless a query has nothing else.
        rare = (df > 0) & (df <= max(self.candidate_max_df * len(self), _PRUNE_FLOOR))
        row_of = np.repeat(np.arange(len(qs)), np.diff(a.indptr))
        has_rare = np.bincount(row_of[rare], minlength=len(qs)) > 0
        use = (rare | ~has_rare[row_of]) & (df > 0)
        # ...and, if candidate_terms > 0, only that many of its highest-weighted terms (this
        # cost 1-5 points of parent recall on the World Bank pairs: off by default).
        if self.candidate_terms > 0:
            order = np.lexsort((-np.where(use, full.data, -np.inf), row_of))
            place = np.empty_like(order)
            place[order] = np.arange(order.size) - a.indptr[row_of[order]]
            use &= place < self.candidate_terms
        gen = full.copy()
        w = self._weights()
        gen.data = np.where(use, gen.data, 0).astype(np.float32)
        gen.data *= (w["text"] / np.maximum(self_score, 1e-12))[row_of].astype(np.float32)
        gen.eliminate_zeros()
        eq = self._equipment(qs, grow=False)
        total = np.array([sum(1 for c in q.equipment if c) for q in qs], np.float32)
        eq_gen = sp.diags(w["equipment"] / np.maximum(total, 1)) @ eq
        cat = {"province": [q.province for q in qs], "region": [q.region for q in qs],
               "area": [q.technology_area for q in qs]}
        return {
            "full": full, "self": self_score, "gen": sp.csr_matrix(gen),
            "eq": eq, "eq_gen": sp.csr_matrix(eq_gen, dtype=np.float32), "eq_total": total,
            **{f: np.array([self._code(f, v, grow=False) for v in vs], np.int32)
               for f, vs in cat.items()},
            "log_budget": np.array([oc.log10_budget(q.budget_vnd) for q in qs], np.float32),
            "applies": {
                "text": np.ones(len(qs), bool), "equipment": total > 0,
                "place": np.array([bool(q.province or q.region) for q in qs]),
                "area": np.array([bool(q.technology_area) for q in qs]),
                "budget": np.array([q.budget_vnd > 0 for q in qs]),
            },
        }

    def _idf(self) -> np.ndarray:
        """(n_features,) float32 BM25 idf of the current documents, recomputed after changes."""
        if self._idf_cache is None:
            self._idf_cache = bm25_idf(self.df_, len(self))
            for seg in self.segments_:
                seg.self_score = None
        return self._idf_cache

    def _weights(self) -> dict[str, float]:
        w = dict(DEFAULT_WEIGHTS if self.weights is None else self.weights)
        return {c: float(w.get(c, 0.0)) for c in oc.COMPONENTS}

    def _query_chunk(
        self, qs: Sequence[OverlapDoc], k: int, kinds: Collection[str] | None,
        max_year: int | None, exclude_ids: Collection[str],
    ) -> list[list[OverlapMatch]]:
        if not qs or not hasattr(self, "df_"):
            return [[] for _ in qs]
        enc = self._encode(qs)
        n_eq = len(self.vocab_["equipment"])
        q_cols = np.unique(enc["eq"].indices)
        w = self._weights()
        ctx_max = w["place"] + w["area"] + w["budget"]
        found: list[dict[str, np.ndarray]] = []
        for pos, seg in enumerate(self.segments_):
            ok = self._allowed(pos, kinds, max_year, exclude_ids)
            gen = enc["gen"] @ seg.inv
            if enc["eq_gen"].nnz and seg.eq_inv.shape[0]:
                gen = gen + enc["eq_gen"][:, : seg.eq_inv.shape[0]] @ seg.eq_inv
            gen = sp.csr_matrix(gen)
            pq_parts, row_parts = [], []
            for i in range(len(qs)):
                idx = gen.indices[gen.indptr[i] : gen.indptr[i + 1]]
                val = gen.data[gen.indptr[i] : gen.indptr[i + 1]]
                keep = ok[idx]
                idx, val = idx[keep], val[keep]
                if val.size > self.n_candidates:
                    # Place/area/budget add at most ctx_max: rows whose text part is further than
                    # that below the n-th best cannot enter the top n, so skip scoring them.
                    nth = np.partition(val, val.size - self.n_candidates)[-self.n_candidates]
                    near = val >= nth - ctx_max - 1e-6
                    idx, val = idx[near], val[near]
                top = _top(idx, val + self._context(enc, i, seg, idx),
                           self.n_candidates)
                pq_parts.append(np.full(top.size, i))
                row_parts.append(top)
            pq, rr = np.concatenate(pq_parts), np.concatenate(row_parts).astype(np.int64)
            if pq.size == 0:
                continue
            parts = {"text": self._text(seg, rr, enc["full"][pq], enc["self"][pq])}
            cover, shared = oc.equipment_shared(
                enc["eq"][pq][:, q_cols].toarray(), enc["eq_total"][pq],
                _with_cols(seg.eq, n_eq)[rr][:, q_cols])
            parts["equipment"] = cover
            parts["place"] = oc.place_score(enc["province"][pq], enc["region"][pq],
                                            seg.cat["province"][rr], seg.cat["region"][rr])
            parts["area"] = oc.area_score(enc["area"][pq], seg.cat["area"][rr])
            parts["budget"] = oc.budget_score(enc["log_budget"][pq], seg.log_budget[rr],
                                              self.budget_span_decades)
            total = oc.combine(parts, {c: a[pq] for c, a in enc["applies"].items()},
                               self._weights())
            found.append({"q": pq, "total": total, "id": seg.ids[rr],
                          "kind": seg.cat["kind"][rr], "shared": shared,
                          **{f"c_{c}": np.asarray(v, np.float64) for c, v in parts.items()}})
        return self._rank(found, len(qs), k, q_cols)

    def _text(self, seg: _Segment, rows: np.ndarray, queries: sp.csr_matrix,
              q_self: np.ndarray) -> np.ndarray:
        """Text similarity of (query, candidate) pairs (n_pairs,) in [0, 1] from BM25 weights a:
        "cosine" of sqrt(idf)*a vectors, or "coverage" = sum idf*a_q*a_d / sum idf*a_q^2 (how much
        of the query the document holds, capped at 1)."""
        num = np.asarray(seg.rows[rows].multiply(queries).sum(axis=1), np.float64).ravel()
        if self.text_similarity == "coverage":
            return np.minimum(1.0, num / np.maximum(q_self, 1e-12))
        if seg.self_score is None:  # once per segment after any change of the idf
            sq = seg.rows.multiply(seg.rows).tocsr()
            sq.data *= self._idf()[sq.indices]
            seg.self_score = np.asarray(sq.sum(axis=1), np.float64).ravel()
        d_self = seg.self_score[rows]
        return np.minimum(1.0, num / np.maximum(np.sqrt(q_self * d_self), 1e-12))

    def _context(self, enc: dict[str, Any], i: int, seg: _Segment, rows: np.ndarray) -> np.ndarray:
        """Weighted place + area + budget of query i against ``rows`` (n,), so that candidates
        are chosen by (nearly) the score they will be ranked by, not by text alone."""
        w, app = self._weights(), enc["applies"]
        out = np.zeros(rows.size, np.float32)
        if app["place"][i]:
            out += w["place"] * oc.place_score(enc["province"][i], enc["region"][i],
                                               seg.cat["province"][rows], seg.cat["region"][rows])
        if app["area"][i]:
            out += w["area"] * oc.area_score(enc["area"][i], seg.cat["area"][rows])
        if app["budget"][i]:
            out += w["budget"] * oc.budget_score(enc["log_budget"][i], seg.log_budget[rows],
                                                 self.budget_span_decades)
        return out

    def _rank(self, found: list[dict[str, np.ndarray]], n_queries: int, k: int,
              q_cols: np.ndarray) -> list[list[OverlapMatch]]:
        """Best ``k`` per query by total score, then doc_id, at least ``min_score``."""
        out: list[list[OverlapMatch]] = [[] for _ in range(n_queries)]
        if not found:
            return out
        f = {key: np.concatenate([d[key] for d in found]) for key in found[0]}
        order = np.lexsort((f["id"], -f["total"], f["q"]))
        bounds = np.searchsorted(f["q"][order], np.arange(n_queries + 1))
        place = np.arange(order.size) - bounds[f["q"][order]]
        sel = order[(place < k) & (f["total"][order] >= self.min_score)]
        codes = [self.vocab_["equipment"][c] for c in q_cols]
        comps = list(zip(*(f[f"c_{c}"][sel].tolist() for c in oc.COMPONENTS), strict=True))
        shared = f["shared"][sel]
        kinds = self.vocab_["kind"]
        for j, (q, doc_id, kind, total) in enumerate(zip(
                f["q"][sel].tolist(), f["id"][sel].tolist(), f["kind"][sel].tolist(),
                f["total"][sel].tolist(), strict=True)):
            out[q].append(OverlapMatch(
                doc_id=doc_id, kind=kinds[kind], score=total,
                components=dict(zip(oc.COMPONENTS, comps[j], strict=True)),
                shared_equipment={codes[c]: int(shared[j, c]) for c in np.flatnonzero(shared[j])}))
        return out

    # -- persistence (no pickle: scipy/numpy .npz with allow_pickle=False, and JSON) ---------
    def save(self, directory: Path) -> None:
        """Write ``index.json`` (format, parameters, length scale, vocabularies), ``text.npz``
        and ``equipment.npz`` (scipy CSR of the live rows) and ``rows.npz`` (per-row arrays)."""
        directory.mkdir(parents=True, exist_ok=True)
        seg = self._merged()
        sp.save_npz(directory / "text.npz", seg.rows)
        sp.save_npz(directory / "equipment.npz", seg.eq)
        np.savez(directory / "rows.npz", allow_pickle=False, ids=seg.ids, year=seg.year,
                 log_budget=seg.log_budget, **{f"cat_{c}": seg.cat[c] for c in _CATS})
        meta = {"format": FORMAT, "params": self.get_params(),
                "length_scale_": self.length_scale_, "vocab_": self.vocab_}
        (directory / "index.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                              encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> OverlapIndex:
        """Read what ``save`` wrote; refuses another format version."""
        meta = json.loads((directory / "index.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{directory}: not a {FORMAT} index")
        self = cls(**meta["params"])
        self._hasher = TextHasher(self.n_features, self.ngram_max)
        self.length_scale_ = float(meta["length_scale_"])
        self.vocab_ = {c: list(v) for c, v in meta["vocab_"].items()}
        self._codes = {c: {v: i for i, v in enumerate(vs)} for c, vs in self.vocab_.items()}
        with np.load(directory / "rows.npz", allow_pickle=False) as z:
            arrays = {name: z[name] for name in z.files}
        rows = sp.csr_matrix(sp.load_npz(directory / "text.npz"), dtype=np.float32)
        seg = _Segment.build(arrays["ids"], rows,
                             sp.csr_matrix(sp.load_npz(directory / "equipment.npz")),
                             {c: arrays[f"cat_{c}"] for c in _CATS}, arrays["year"],
                             arrays["log_budget"])
        self.df_ = np.bincount(rows.indices, minlength=self.n_features).astype(np.int64)
        self._idf_cache = None
        self.segments_ = [seg] if len(seg.ids) else []
        self.where_ = {}
        if self.segments_:
            self._register(0)
        return self

    def _merged(self) -> _Segment:
        n_eq = len(self.vocab_["equipment"])
        if self.segments_:
            return _merge(self.segments_, n_eq)
        empty = sp.csr_matrix((0, self.n_features), dtype=np.float32)
        return _Segment.build(np.array([], dtype=str), empty,
                              sp.csr_matrix((0, n_eq), dtype=np.float32),
                              {c: np.array([], np.int32) for c in _CATS},
                              np.array([], np.int32), np.array([], np.float32))
