"""Numbers, percentages and VND in the reader's locale (Vietnamese by default, or English).

Vietnamese writes 1.234.567,8 and "120 tỷ đồng"; English writes 1,234,567.8 and "VND 120 billion".
"""

from __future__ import annotations

import math
from typing import Literal

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")


def number(value: float, lang: Lang, digits: int = 0) -> str:
    """``value`` with thousands separators and ``digits`` decimals in the locale's marks."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return text


def percent(share: float, lang: Lang, digits: int = 0) -> str:
    """A 0–1 share as a percentage: 0.125 -> "12,5 %" (vi) or "12.5%" (en)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    body = number(100 * share, lang, digits)
    return f"{body} %" if lang == "vi" else f"{body}%"


def vnd(amount: float, lang: Lang) -> str:
    """Whole VND, shortened to million/billion: 120e9 -> "120 tỷ đồng" / "VND 120 billion"."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "—"
    for size, vi_word, en_word in ((1e9, "tỷ", "billion"), (1e6, "triệu", "million")):
        if abs(amount) >= size:
            digits = 0 if abs(amount) >= 100 * size else 1 if abs(amount) >= 10 * size else 2
            body = number(amount / size, lang, digits)
            return f"{body} {vi_word} đồng" if lang == "vi" else f"VND {body} {en_word}"
    body = number(amount, lang)
    return f"{body} đồng" if lang == "vi" else f"VND {body}"


def yes_no(flag: bool, lang: Lang) -> str:
    if lang == "vi":
        return "có" if flag else "không có"
    return "yes" if flag else "no"
