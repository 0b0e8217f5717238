"""The API's language: Vietnamese unless the caller's ``Accept-Language`` prefers English.

Only what is said to a person follows it (error messages); codes, field names and rule codes
stay as they are. ``Accept-Language: en-US,en;q=0.9`` is English, ``vi`` or ``fr`` or none is
Vietnamese; among languages we speak, the caller's first by quality wins (``en;q=0.4, vi`` is
Vietnamese).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from wastescreen.core.locale_format import LANGS, Lang

DEFAULT: Lang = "vi"


def _quality(params: list[str]) -> float:
    for p in params:
        name, _, value = p.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def accept_language(header: str | None) -> Lang:
    """The language to answer in for an ``Accept-Language`` header value."""
    best: tuple[float, int, Lang] | None = None
    for order, part in enumerate((header or "")[:500].split(",")):
        tag, *params = part.split(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGS:
            continue
        q = _quality(params)
        lang: Lang = "en" if primary == "en" else "vi"
        if q > 0 and (best is None or (q, -order) > (best[0], best[1])):
            best = (q, -order, lang)
    return best[2] if best else DEFAULT


def request_lang(request: Request) -> Lang:
    """The dependency: the language of ``request`` (its ``Accept-Language``)."""
    return accept_language(request.headers.get("accept-language"))


ApiLang = Annotated[Lang, Depends(request_lang)]
