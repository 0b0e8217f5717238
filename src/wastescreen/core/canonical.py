"""Canonical JSON and hashes: the same content always gives the same bytes and SHA-256."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel


def canonical_json(value: Any, *, allow_nan: bool = True) -> str:
    """Sorted keys, no spaces, UTF-8 kept: the form that is hashed. ``allow_nan=False``
    refuses NaN and infinities (``ValueError``) instead of writing them."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=allow_nan)


def sha256_hex(value: Any, *, allow_nan: bool = True) -> str:
    """SHA-256 (hex) of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value, allow_nan=allow_nan).encode("utf-8")).hexdigest()
