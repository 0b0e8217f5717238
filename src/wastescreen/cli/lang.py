"""The command line's language: ``--lang`` before the command, else ``WASTESCREEN_LANG``, else
Vietnamese. ``say`` words a message of ``core.labels.cli`` (or a shared ``Msg``) in it."""

from __future__ import annotations

from wastescreen.core.labels.cli import TEXT
from wastescreen.core.labels.messages import Msg, fill
from wastescreen.core.locale_format import LANGS, Lang
from wastescreen.core.settings import get_settings

_chosen: list[Lang] = []


def set_lang(lang: str | None) -> Lang:
    """Choose the language for this run (None: the setting's); returns it."""
    value = lang or get_settings().lang
    chosen: Lang = "en" if value == "en" else "vi"
    if value not in LANGS:
        raise ValueError(value)
    _chosen[:] = [chosen]
    return chosen


def current() -> Lang:
    """The language of this run."""
    return _chosen[0] if _chosen else set_lang(None)


def say(key: str | Msg, **values: object) -> str:
    """The message ``key`` (of ``core.labels.cli``) or ``Msg`` in this run's language."""
    if isinstance(key, Msg):
        return key.text(current())
    return fill(TEXT[key][current()], current(), values)
