"""The one mapping from validation errors to what a user is told: field, rule and message.

Every entry point (API, pages, CLI, batch files) turns a refused input into ``FieldError``s here,
so the same mistake is named the same way everywhere. ``field`` is the dotted path of the
failing value (``budget``, ``kpis.1.metric``); ``column`` is the flat-format column (the CSV
column or form input) that holds it; ``rule`` is a stable code (pydantic's error type or the
domain's own); the message is in the reader's language (``core.labels.rules``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from wastescreen.core.labels.rules import rule_message
from wastescreen.core.locale_format import Lang
from wastescreen.domain.flat_format import BUDGET_PREFIX, FlatFormatError

# Where a request's error location starts with where the value travelled, not what it is.
_CARRIERS = ("body", "query", "path", "header", "cookie")


@dataclass(frozen=True)
class FieldError:
    """One refused value: ``field`` (dotted path), ``rule`` (code), ``detail`` (the validator's
    English text, kept for logs and as the fallback message)."""

    field: str
    rule: str
    detail: str

    @property
    def column(self) -> str:
        """The flat column (form input, CSV header) holding the value: ``budget.equipment_vnd``
        is ``budget_equipment_vnd``, ``kpis.1.metric`` is ``kpis``."""
        parts = self.field.split(".") if self.field else []
        if not parts:
            return ""
        if parts[0] == "budget" and len(parts) > 1:
            return BUDGET_PREFIX + parts[1]
        return parts[0]

    def message(self, lang: Lang) -> str:
        return rule_message(self.rule, lang, self.detail)

    def text(self, lang: Lang) -> str:
        """The message (so that a ``core.labels.messages.Msg`` can name this error)."""
        return self.message(lang)

    def as_dict(self, lang: Lang | None = None) -> dict[str, str]:
        """``{"field", "rule", "message"}`` as the API and batch results carry it (the
        validator's own text when no language is asked for)."""
        text = self.detail if lang is None else self.message(lang)
        return {"field": self.field, "rule": self.rule, "message": text}


def dotted(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _CARRIERS:
        parts = parts[1:]
    return ".".join(parts)


def errors_of(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """Pydantic's error dicts (``exc.errors()``) as field errors; inputs are never echoed."""
    return [FieldError(dotted(e.get("loc", ())), str(e.get("type", "invalid")),
                       str(e.get("msg", ""))) for e in errors]


def field_errors(exc: ValidationError | FlatFormatError) -> list[FieldError]:
    """The field errors of a failed validation or an unreadable flat-format cell."""
    if isinstance(exc, FlatFormatError):
        return [FieldError(exc.field, "invalid_json", str(exc))]
    return errors_of(exc.errors())
