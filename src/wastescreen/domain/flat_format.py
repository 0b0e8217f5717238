"""The flat (one row per proposal) form used by CSV/XLSX batches and training files.

Scalar fields keep their names; the budget breakdown becomes ``budget_equipment_vnd`` ...
``budget_other_vnd``; the lists (``equipment``, ``kpis``, ``researchers``) are JSON arrays in
one cell each. Empty cells mean "not given". Outcome columns of a training file
(``observed_on``, ``idle_assets``, ``duplication_found``, ``outputs_not_delivered``,
``approved``) are read by ``outcome_from_flat``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from wastescreen.domain.outcome import ProposalOutcome
from wastescreen.domain.proposal import BudgetBreakdown, Proposal

BUDGET_PREFIX = "budget_"
LIST_FIELDS = ("equipment", "kpis", "researchers")
OUTCOME_FIELDS = ("approved", "observed_on", "idle_assets", "duplication_found",
                  "outputs_not_delivered")
BUDGET_FIELDS = tuple(BudgetBreakdown.model_fields)
FLAT_COLUMNS: tuple[str, ...] = tuple(
    name for field in Proposal.model_fields
    for name in ([f"{BUDGET_PREFIX}{b}" for b in BUDGET_FIELDS] if field == "budget" else [field])
)


class FlatFormatError(ValueError):
    """A cell that cannot be read; ``field`` names the column."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas
        return None
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def proposal_payload_from_flat(row: Mapping[str, Any]) -> dict[str, Any]:
    """A dict ready for ``Proposal.model_validate``; unknown columns are kept so that the
    validator rejects them by name (outcome columns and ``proposal_id`` are dropped)."""
    payload: dict[str, Any] = {}
    budget: dict[str, Any] = {}
    for key, raw in row.items():
        value = _cell(raw)
        if key in OUTCOME_FIELDS or key == "proposal_id" or value is None:
            continue
        if key.startswith(BUDGET_PREFIX) and key[len(BUDGET_PREFIX):] in BUDGET_FIELDS:
            budget[key[len(BUDGET_PREFIX):]] = value
        elif key in LIST_FIELDS:
            try:
                payload[key] = json.loads(value) if isinstance(value, str) else value
            except json.JSONDecodeError as exc:
                raise FlatFormatError(key, f"not a JSON array ({exc.msg})") from exc
        else:
            payload[key] = value
    payload["budget"] = budget
    return payload


def proposal_to_flat(proposal: Proposal) -> dict[str, Any]:
    """The flat row of a proposal (inverse of ``proposal_payload_from_flat``)."""
    data = proposal.model_dump(mode="json")
    row: dict[str, Any] = {}
    for key, value in data.items():
        if key == "budget":
            row.update({f"{BUDGET_PREFIX}{k}": v for k, v in value.items()})
        elif key in LIST_FIELDS:
            row[key] = json.dumps(value, ensure_ascii=False)
        else:
            row[key] = value
    return row


def outcome_from_flat(row: Mapping[str, Any]) -> ProposalOutcome:
    """The outcome record carried by a training-file row."""
    data = {k: _cell(row.get(k)) for k in OUTCOME_FIELDS}
    if data["approved"] is None:
        data["approved"] = True
    return ProposalOutcome.model_validate(data)
