"""Measured outcome rates of a demo portfolio: the figures quoted in :mod:`.mechanisms`.

``python -m wastescreen.demo_portfolio.rates [SEED] [N_PROPOSALS]`` prints the base rate of each
outcome, duplication by derivation, and duplication of text copies by how close they are to
their source (copies of a registry program split by whether it was live — ongoing or planned —
in the proposal's cycle, and same-cycle copies).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from wastescreen.demo_portfolio import DemoPortfolio, generate_portfolio
from wastescreen.demo_portfolio.mechanisms import OUTCOMES

BINS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01))


@dataclass(frozen=True)
class Rate:
    """Share of ``n`` proposals with the outcome (nan when ``n`` is 0)."""

    n: int
    rate: float

    def __str__(self) -> str:
        return f"{self.rate:6.1%} of {self.n:,}" if self.n else "     — of 0"


def _rate(flag: np.ndarray, mask: np.ndarray) -> Rate:
    n = int(mask.sum())
    return Rate(n, float(flag[mask].mean()) if n else float("nan"))


def measure(p: DemoPortfolio) -> dict[str, Rate]:
    """Named rates: ``base:OUTCOME``, ``derivation:KIND`` (duplication; "" is original), and
    ``SOURCE:[LO,HI)`` for text copies by closeness, SOURCE being ``program_live``,
    ``program_ended`` or ``same_cycle``; ``SOURCE:>=0.9`` collects the near-verbatim ones."""
    out: dict[str, Rate] = {}
    every = np.ones(len(p.outcomes), dtype=np.bool_)
    for name in OUTCOMES:
        out[f"base:{name}"] = _rate(np.array([getattr(o, name) for o in p.outcomes]), every)
    dup = np.array([o.duplication_found for o in p.outcomes])
    derivation = np.array(p.derivation)
    for kind in ("", "program", "lab", "same_cycle"):
        out[f"derivation:{kind}"] = _rate(dup, derivation == kind)
    end_year = {x.program_code: x.end_year for x in p.programs}
    live = np.array([d == "program" and end_year[src] >= prop.cycle
                     for d, src, prop in zip(p.derivation, p.derived_from, p.proposals,
                                             strict=True)])
    closeness = p.quantities["copy_closeness"]
    sources = {"program_live": live, "program_ended": (derivation == "program") & ~live,
               "same_cycle": derivation == "same_cycle"}
    for source, mask in sources.items():
        for lo, hi in BINS:
            inside = mask & (closeness >= lo) & (closeness < hi)
            out[f"{source}:[{lo},{min(hi, 1.0)})"] = _rate(dup, inside)
        out[f"{source}:>=0.9"] = _rate(dup, mask & (closeness >= 0.9))
    return out


def main(argv: list[str]) -> None:
    seed = int(argv[0]) if argv else 57
    n = int(argv[1]) if len(argv) > 1 else 30_000
    print(f"demo portfolio, seed {seed}, {n:,} proposals (synthetic)")
    for name, rate in measure(generate_portfolio(seed, n_proposals=n)).items():
        print(f"  {name:32s} {rate}")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
