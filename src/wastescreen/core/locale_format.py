"""Numbers, percentages, VND, dates and times in the reader's locale (Vietnamese by default).

The one place where a value becomes text for a person: Vietnamese writes 1.234.567,8, "3,4 %",
"120 tỷ đồng" or "8.853.000.000 đồng", "12/03/2026" and "14:30 ngày 12/03/2026 (giờ Việt
Nam)"; English writes 1,234,567.8, "3.4%", "VND 120 billion" or "VND 8,853,000,000", "12 Mar
2026" and "12 Mar 2026, 14:30 (Viet Nam time)". Times are shown in Asia/Ho_Chi_Minh whatever
the server's zone; a stored time without a zone is UTC (the database keeps UTC).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal
from zoneinfo import ZoneInfo

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


def signed_points(delta: float, lang: Lang) -> str:
    """A change of a 0–1 share in percentage points: -0.04 -> "−4 điểm phần trăm" / "−4 pp"."""
    body = number(abs(100 * delta), lang, 0)
    unit = " điểm phần trăm" if lang == "vi" else " pp"
    return ("\u2212" if delta < 0 else "+") + body + unit


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


def vnd_exact(amount: float, lang: Lang) -> str:
    """Whole VND written out: 8853000000 -> "8.853.000.000 đồng" / "VND 8,853,000,000"."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "—"
    body = number(round(amount), lang)
    return f"{body} đồng" if lang == "vi" else f"VND {body}"


VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")


def _as_date(value: dt.date | str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return local_time(value).date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def date_text(value: dt.date | str | None, lang: Lang) -> str:
    """A day: "12/03/2026" (vi) or "12 Mar 2026" (en); an ISO string is read first (text that
    is no date is shown as it is); a datetime is taken in Viet Nam's time."""
    if value is None or value == "":
        return "—"
    day = _as_date(value)
    if day is None:
        return str(value)
    if lang == "vi":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def local_time(value: dt.datetime) -> dt.datetime:
    """``value`` in Asia/Ho_Chi_Minh (a naive value is UTC, as the database stores it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(VIETNAM)


def datetime_text(value: dt.datetime | str | None, lang: Lang) -> str:
    """A moment as a person in Viet Nam reads it: "14:30 ngày 12/03/2026 (giờ Việt Nam)" or
    "12 Mar 2026, 14:30 (Viet Nam time)"; an ISO string is read first (text that is no time
    is shown as it is, a bare date as a date)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if len(value) <= 10:  # a bare date: no time of day to convert
            return date_text(parsed.date(), lang)
        value = parsed
    at = local_time(value)
    if lang == "vi":
        return f"{at:%H:%M} ngày {date_text(at.date(), lang)} (giờ Việt Nam)"
    return f"{date_text(at.date(), lang)}, {at:%H:%M} (Viet Nam time)"


def yes_no(flag: bool, lang: Lang) -> str:
    if lang == "vi":
        return "có" if flag else "không có"
    return "yes" if flag else "no"
