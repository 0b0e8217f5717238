"""Evidence a reviewer can check by hand: what each match is, where, how used, how it ended."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from wastescreen.core.reference import region_of
from wastescreen.features.build import ProposalMatches
from wastescreen.features.match_likelihood import MatchLikelihood
from wastescreen.features.overlap_index import OverlapMatch
from wastescreen.features.registry_context import RegistryContext


def distance_class(province: str, other: str | None) -> str:
    """same_province, same_region, elsewhere, or unknown (no province on the other side)."""
    if not other:
        return "unknown"
    if other == province:
        return "same_province"
    return "same_region" if region_of(other) == region_of(province) else "elsewhere"


def _base(match: OverlapMatch, code: str, likelihood: MatchLikelihood | None
          ) -> dict[str, Any]:
    return {"score": round(float(match.score), 6), "code": code,
            "likelihood": None if likelihood is None else round(float(likelihood(match)), 6),
            "components": {k: round(float(v), 6) for k, v in match.components.items()},
            "shared_equipment": dict(match.shared_equipment)}


def match_evidence(matches: ProposalMatches, context: RegistryContext, province: str,
                   peer_details: Mapping[str, Mapping[str, Any]] | None = None,
                   likelihood: MatchLikelihood | None = None
                   ) -> list[dict[str, Any]]:
    """One dict per match. With ``likelihood`` (components -> the chance a match is the same
    or overlapping work), each carries it and the list is ordered by it across kinds, most
    likely first (ties by overlap score, then code); without, best first within labs,
    programs, then same-cycle proposals.

    ``peer_details``: proposal id -> ``title``, ``agency``, ``province``, ``budget_vnd`` (the
    proposals of the cycle), used for the ``proposal`` kind.
    """
    out: list[dict[str, Any]] = []
    for m in matches.labs:
        code = m.doc_id.removeprefix("lab:")
        lab = context.lab_record(code)
        if lab is None:
            continue
        util = float(lab["utilisation"])
        out.append({**_base(m, code, likelihood), "kind": "lab", "name": lab["name"],
                    "host": lab["host"], "province": lab["province"],
                    "distance": distance_class(province, lab["province"]),
                    "utilisation": None if math.isnan(util) else util,
                    "open_for_shared_use": bool(lab["open_for_shared_use"]),
                    "budget_vnd": int(lab["investment_vnd"])})
    for m in matches.programs:
        code = m.doc_id.removeprefix("program:")
        prog = context.program_record(code)
        if prog is None:
            continue
        prov = prog["province"] if isinstance(prog["province"], str) else ""
        out.append({**_base(m, code, likelihood), "kind": "program", "name": prog["title"],
                    "host": prog["managing_agency"], "province": prov,
                    "distance": distance_class(province, prov),
                    "budget_vnd": int(prog["budget_vnd"]),
                    "period": f"{prog['start_year']}–{prog['end_year']}",
                    "status": prog["status"], "outcome": prog["outcome"]})
    for m in matches.peers:
        peer = None if peer_details is None else peer_details.get(m.doc_id)
        if peer is None:
            continue
        out.append({**_base(m, m.doc_id, likelihood), "kind": "proposal", "name": peer["title"],
                    "host": peer["agency"], "province": peer["province"],
                    "distance": distance_class(province, peer["province"]),
                    "budget_vnd": int(peer["budget_vnd"])})
    if likelihood is None:
        return out
    return sorted(out, key=lambda e: (-e["likelihood"], -e["score"], e["kind"], e["code"]))
