"""``nfc`` gives the text the collapsing of every white-space run would give, also where it
skips that step (a text whose only white space is single plain spaces)."""

from __future__ import annotations

import random
import re
import unicodedata

from wastescreen.core.text import nfc

# Plain, doubled and other white space (tab, newline, no-break space, U+2028, the
# information separators str.isspace counts), Vietnamese letters in both normal forms.
_PIECES = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u2028", "\x1c", "\x1f",
           "a", "Phòng", unicodedata.normalize("NFD", "thí nghiệm"), "đ", "x", "1"]


def _collapsed(text: str) -> str:
    """The rule itself: NFC, every run of white space one space, no space at either end."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def test_nfc_is_the_collapsed_nfc_form() -> None:
    rng = random.Random(57)
    texts = ["", " ", "a b", "a  b", "a\tb", " a b ", "a\u00a0b", "Phòng thí nghiệm"]
    texts += ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 12)))
              for _ in range(3000)]
    for text in texts:
        assert nfc(text) == _collapsed(text), repr(text)
    assert nfc("a \u00a0 b\n\nc") == "a b c"
    assert nfc(unicodedata.normalize("NFD", " thí  nghiệm ")) == "thí nghiệm"
