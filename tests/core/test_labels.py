"""The one label catalogue: every message exists in Vietnamese and English, with the same
values named in both; and numbers, money, percentages and dates follow one locale rule."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import string
from typing import Any

import pytest

import wastescreen.core.labels as labels
from wastescreen.core.labels.messages import MESSAGES, msg
from wastescreen.core.labels.rules import rule_message
from wastescreen.core.locale_format import (
    date_text,
    datetime_text,
    number,
    percent,
    vnd,
    vnd_exact,
)


def _catalogues() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for info in pkgutil.iter_modules(labels.__path__):
        module = importlib.import_module(f"{labels.__name__}.{info.name}")
        for name, value in vars(module).items():
            if (not name.startswith("_") and isinstance(value, dict) and value
                    and all(isinstance(v, dict) for v in value.values())):
                found.append((f"{info.name}.{name}", value))
    return found


CATALOGUES = _catalogues()


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_the_catalogue_is_found() -> None:
    names = {n for n, _ in CATALOGUES}
    assert {"messages.MESSAGES", "rules.RULES", "pages.TEXT", "report.UI", "cli.TEXT",
            "cli_help.HELP", "problems.PROBLEMS"} <= names


@pytest.mark.parametrize(("name", "table"), CATALOGUES, ids=[n for n, _ in CATALOGUES])
def test_every_message_key_exists_in_both_languages(name: str, table: dict[str, Any]) -> None:
    for key, entry in table.items():
        assert set(entry) == {"vi", "en"}, f"{name}[{key!r}]: {sorted(entry)}"
        assert entry["vi"].strip() and entry["en"].strip(), f"{name}[{key!r}] is empty"
        assert _fields(entry["vi"]) == _fields(entry["en"]), (
            f"{name}[{key!r}] names different values in vi and en")


def test_a_message_is_said_in_the_readers_language_with_locale_numbers() -> None:
    too_many = msg("file_too_many_rows", name="a.csv", n=12_345, max=500)
    assert too_many.text("vi") == "a.csv: 12.345 dòng; mỗi lô tối đa 500 dòng."
    assert too_many.text("en") == "a.csv: 12,345 rows; at most 500 per batch."
    assert str(too_many) == too_many.text("en")  # what logs read
    with pytest.raises(KeyError):
        msg("no_such_message")
    assert set(MESSAGES) >= {"payload_too_large", "not_found_route", "file_not_utf8"}


def test_an_unknown_rule_is_said_in_vietnamese_too() -> None:
    assert rule_message("budget_breakdown_mismatch", "vi", "x").startswith("Tổng các khoản")
    assert rule_message("some_new_rule", "vi", "Input should be X") == (
        "Giá trị không hợp lệ. (some_new_rule)")
    assert rule_message("some_new_rule", "en", "Input should be X") == "Input should be X"


def test_one_locale_rule_for_numbers_money_percentages_and_dates() -> None:
    assert vnd_exact(8_853_000_000, "vi") == "8.853.000.000 đồng"
    assert vnd_exact(8_853_000_000, "en") == "VND 8,853,000,000"
    assert vnd(8_853_000_000, "vi") == "8,85 tỷ đồng" and vnd(8_853_000_000, "en") == (
        "VND 8.85 billion")
    assert percent(0.034, "vi", 1) == "3,4 %" and percent(0.034, "en", 1) == "3.4%"
    assert number(1234567.8, "vi", 1) == "1.234.567,8"
    assert date_text(dt.date(2026, 3, 1), "vi") == "01/03/2026"
    assert date_text("2026-03-01", "en") == "1 Mar 2026"
    assert date_text("not a date", "vi") == "not a date" and date_text(None, "vi") == "—"
    # Stored times are UTC (naive from the database); people read them in Viet Nam's time.
    stored = dt.datetime(2026, 11, 30, 20, 47, 14)
    assert datetime_text(stored, "vi") == "03:47 ngày 01/12/2026 (giờ Việt Nam)"
    assert datetime_text(stored.replace(tzinfo=dt.UTC), "en") == (
        "1 Dec 2026, 03:47 (Viet Nam time)")
    assert datetime_text("2026-03-10", "en") == "10 Mar 2026"


def test_the_model_card_texts_are_the_ones_training_writes() -> None:
    from wastescreen.core.labels.model_card import TEXT as M
    from wastescreen.screening.training import INTENDED_USE, LIMITS

    assert M["intended_use_text"]["en"] == INTENDED_USE
    assert M["limits_text"]["en"] == LIMITS
