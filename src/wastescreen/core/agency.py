"""An agency's identity: its name folded (NFC, trimmed, inner white space collapsed,
case-folded), used alike for API keys, proposals, access checks and the overlap index.

"Viện Công nghệ Mẫu 07 ", its NFD form, one with a no-break space or a double space, and
"VIỆN CÔNG NGHỆ MẪU 07" are one agency. Accents are kept: "Vien" is another name. A name with
a zero-width or other invisible format character, or a control character, is refused rather
than folded, so that two agencies can never look identical.
"""

from __future__ import annotations

import unicodedata

from wastescreen.core.text import control_character, format_character, nfc


def agency_key(name: str) -> str:
    """The folded form that identifies an agency (compare these, never the names)."""
    return unicodedata.normalize("NFC", nfc(name).casefold())


def agency_name_problem(name: str) -> tuple[str, str] | None:
    """Why ``name`` cannot name an agency, as (rule, message), or None when it can."""
    if (char := control_character(name, parameter=True)) is not None:
        return "control_character", f"an agency name may not contain the control character {char}"
    if (char := format_character(name)) is not None:
        return "format_character", ("an agency name may not contain the invisible character "
                                    f"{char} (such as a zero-width space)")
    if not nfc(name):
        return "empty_text", "an agency name must not be empty"
    return None
