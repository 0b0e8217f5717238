"""Vietnamese-aware text normalisation shared by validation, import and overlap search."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
# đ/Đ are letters of their own, not d plus a combining mark, so NFD does not strip them.
_STROKE = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(text: str) -> str:
    """NFC-normalise and collapse runs of white space; the form every stored text takes."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """Case- and diacritic-folded form: "Phòng Thí Nghiệm" -> "phong thi nghiem"."""
    decomposed = unicodedata.normalize("NFD", nfc(text).translate(_STROKE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()
