"""The one label catalogue (Vietnamese and English): everything a reader sees that is not data.

``report`` holds the words of the review report and the labels of codes (bands, kinds of waste,
project types, statuses, decisions, fields); ``pages`` the words of the web pages; ``rules`` what
each validation rule means, for pages, CLI and API alike.
"""

from __future__ import annotations

from wastescreen.core.locale_format import Lang


def pair(vi: str, en: str) -> dict[Lang, str]:
    """One label in both languages."""
    return {"vi": vi, "en": en}
