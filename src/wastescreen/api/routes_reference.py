"""Published reference: the red-flag catalogue, open to anyone (agencies read the rules before
they file)."""

from __future__ import annotations

import copy
from typing import Any

from fastapi import APIRouter

from wastescreen.features.red_flags import catalogue_document

router = APIRouter(prefix="/v1", tags=["reference"])


@router.get("/flags")
def flags() -> dict[str, Any]:
    """The red-flag catalogue in force: each flag's rule, threshold, severity, policy basis,
    when it does not apply and the evidence it cites, with the catalogue's version."""
    return copy.deepcopy(catalogue_document())
