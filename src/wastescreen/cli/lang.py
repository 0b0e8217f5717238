"""The command line's language: ``--lang`` before the command, else ``WASTESCREEN_LANG``, else
Vietnamese. ``say`` words a message of ``core.labels.cli`` (or a shared ``Msg``) in it."""

from __future__ import annotations

import os
import sys

from wastescreen.core.labels.cli import TEXT
from wastescreen.core.labels.cli_help import HELP
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


def _argv_lang(argv: list[str]) -> Lang:
    """The language ``--help`` is written in, read before the commands are built: ``--lang``
    among ``argv``, else ``WASTESCREEN_LANG``, else Vietnamese."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1] == "en" else "vi"
        if arg.startswith("--lang="):
            return "en" if arg.removeprefix("--lang=") == "en" else "vi"
    return "en" if os.environ.get("WASTESCREEN_LANG") == "en" else "vi"


_HELP_LANG = _argv_lang(sys.argv[1:])


def helps(key: str) -> str:
    """The ``--help`` text ``key`` of ``core.labels.cli_help``."""
    return HELP[key][_HELP_LANG]
