"""What the overlap search reads of the index it searches (``overlap_index.OverlapIndex``), as a
protocol: ``overlap_query`` and ``overlap_candidates`` are typed against it, so the index can
hand its queries to them without the modules importing each other in a circle."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from wastescreen.features.overlap_docs import OverlapDoc
from wastescreen.features.overlap_glossary import CrossHasher
from wastescreen.features.overlap_segment import Segment
from wastescreen.features.overlap_text import TextHasher


class SearchableIndex(Protocol):
    """The fitted state and parameters of an ``OverlapIndex`` that a query reads."""

    # parameters
    min_score: float
    n_features: int
    ngram_max: int
    k1: float
    b: float
    n_candidates: int
    candidate_max_df: float
    budget_span_decades: float
    text_similarity: str
    dense_share: float
    title_boost: float
    # fitted state
    length_scale_: float
    vocab_: dict[str, list[str]]
    df_: np.ndarray
    segments_: list[Segment]
    where_: dict[str, tuple[int, int]]
    _codes: dict[str, dict[str, int]]
    _hasher: TextHasher
    _cross: CrossHasher

    def __len__(self) -> int: ...

    @property
    def _n_cross(self) -> int: ...

    def component_weights(self) -> dict[str, float]: ...

    def _idf(self) -> np.ndarray: ...

    def _idf_parts(self) -> tuple[np.ndarray, np.ndarray]: ...

    def _code(self, name: str, value: str, *, grow: bool) -> int: ...

    def _equipment(self, docs: Sequence[OverlapDoc], *, grow: bool) -> sp.csr_matrix: ...

    def _dense(self, texts: Sequence[str]) -> np.ndarray: ...
