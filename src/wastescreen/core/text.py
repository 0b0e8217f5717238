"""Vietnamese-aware text normalisation shared by validation, import and overlap search."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
# White space that ``_SPACE`` would change: any but a plain space, or two spaces in a row.
# Most texts have none, and searching for it costs far less than rebuilding the text.
_SPACE_TO_COLLAPSE = re.compile(r"[^\S ]|  ")
# đ/Đ are letters of their own, not d plus a combining mark, so NFD does not strip them.
_STROKE = str.maketrans({"đ": "d", "Đ": "D"})
# Characters no stored text has a use for: C0/C1 control characters that are not white space
# (NUL, ESC, DEL ...; white space such as tab or newline is collapsed by ``nfc`` instead) and
# lone surrogates (no UTF-8 form, so no database can store them). PostgreSQL refuses NUL in
# any text, which made such input an unhandled database error rather than a refusal.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")
# In a short value travelling in a URL (path or query parameter) every control character is
# nonsense, white space ones included.
_PARAM_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def nfc(text: str) -> str:
    """NFC-normalise and collapse runs of white space; the form every stored text takes."""
    text = unicodedata.normalize("NFC", text)
    if _SPACE_TO_COLLAPSE.search(text) is not None:
        text = _SPACE.sub(" ", text)
    return text.strip()


def fold(text: str) -> str:
    """Case- and diacritic-folded form: "Phòng Thí Nghiệm" -> "phong thi nghiem"."""
    decomposed = unicodedata.normalize("NFD", nfc(text).translate(_STROKE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def control_character(text: str, *, parameter: bool = False) -> str | None:
    """The first character of ``text`` that no stored text may hold, as ``U+XXXX``, or None.

    ``parameter``: the stricter rule of URL parameters (white-space controls refused too)."""
    hit = (_PARAM_CONTROL if parameter else _CONTROL).search(text)
    return None if hit is None else f"U+{ord(hit.group()):04X}"


def format_character(text: str) -> str | None:
    """The first invisible format character of ``text`` (zero-width space or joiner, BOM,
    bidirectional controls: Unicode category Cf), as ``U+XXXX``, or None. Names that differ
    only by such characters look identical, so a name may not contain them."""
    for ch in text:
        if unicodedata.category(ch) == "Cf":
            return f"U+{ord(ch):04X}"
    return None


def without_control_characters(text: str) -> str:
    """``text`` less every character ``control_character(..., parameter=True)`` refuses: for
    names a client chose that are kept but not validated (an uploaded file's name)."""
    return _PARAM_CONTROL.sub("", text)
