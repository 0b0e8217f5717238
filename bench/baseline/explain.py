"""Frozen: ``Explainer.explain_first`` as it was (contributions and margins of every row, the
proposal's and its what-if variants', from one DMatrix), as a function of a live explainer."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from wastescreen.models.calibration import combine_any
from wastescreen.models.explain import Explainer, Explanation


def explain_first(self: Explainer, x: npt.NDArray[np.float32]
                  ) -> tuple[Explanation, npt.NDArray[np.float64]]:
    """Row 0 of an encoded (n_rows, n_features) matrix explained, and the overall score
    (n_rows - 1,) of the other rows."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    contribs, margins = self._predict(x)
    first = self._explanation({t: c[:1] for t, c in contribs.items()},
                              {t: m[:1] for t, m in margins.items()}, True)
    rest = combine_any([self.bundle.models[t].calibration.apply(m[1:])
                        for t, m in margins.items()])
    return first, np.asarray(rest, dtype=np.float64)
