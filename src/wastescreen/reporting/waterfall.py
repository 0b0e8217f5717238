"""Inline SVG waterfall of one target's exact SHAP contributions, from base rate to score.

The chart is plain SVG built here in Python: no script, no external font or image, every text
and attribute escaped with :func:`markupsafe.escape`. It reads in black and white: bars that
raise the risk are solid, bars that lower it are hollow, and each bar's signed value is written.

Each bar carries ``data-start`` / ``data-end`` (log-odds) so tests and auditors can check that
the bars add up: the first starts at ``base_margin``, the model's contributions end at
``margin``, and a last bar, the calibration (measured on later proposals), takes the margin to
the calibrated score that the report shows, so what a reader adds up is what the score says.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from wastescreen.core.locale_format import Lang, number, percent
from wastescreen.domain.result import TargetScore

OTHER = "__other__"
CALIBRATION = "__calibration__"
# Sized for a 390 px phone at 1:1 (the report caps the chart near this width elsewhere): a
# label longer than LABEL_CHARS wraps onto a second (or third) line above its bar.
WIDTH = 360
PAD = 6
FONT = 12
LINE = 14  # label line height
LABEL_CHARS = 40  # DejaVu Sans at 12 px: ~6.9 px a character, beside the signed value
CHAR = 6.9
BAR_H = 11
GAP = 7  # below a bar
HEAD = 38  # base-rate row
AXIS = 30
RAISE_FILL = "#8c1d18"
LOWER_STROKE = "#1d5a35"
INK = "#1a1a1a"
GRID = "#b8b8b8"
_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)


@dataclass(frozen=True)
class Step:
    """One bar: a feature (or the lump of the others) moving the margin from start to end."""

    key: str
    label: str
    shap: float
    start: float
    end: float
    count: int = 1


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def final_logit(target: TargetScore) -> float:
    """The calibrated probability shown for ``target``, on the log-odds axis."""
    p = min(max(target.probability, 1e-6), 1.0 - 1e-6)
    return _logit(p)


def waterfall_steps(target: TargetScore, label_for: Callable[[str, float | None], str],
                    other_label: str, top: int = 8, calibration_label: str = "") -> list[Step]:
    """The ``top`` largest contributions by size (largest first), then the rest lumped, then
    (with ``calibration_label``) the calibration from the model's margin to the shown score.

    ``label_for(feature, value)`` names one feature with its value; ``other_label`` names the
    lump and receives the number of features in it as ``{n}``.
    """
    ranked = sorted(target.contributions, key=lambda c: (-abs(c.shap), c.feature))
    shown = [c for c in ranked[:top] if c.shap != 0.0]
    rest = [c for c in ranked[:top] if c.shap == 0.0] + ranked[top:]
    steps: list[Step] = []
    running = target.base_margin
    for c in shown:
        steps.append(Step(c.feature, label_for(c.feature, c.value), c.shap, running,
                          running + c.shap))
        running += c.shap
    if rest:
        total = math.fsum(c.shap for c in rest)
        steps.append(Step(OTHER, other_label.format(n=len(rest)), total, running,
                          running + total, count=len(rest)))
        running += total
    final = final_logit(target)
    if calibration_label and abs(final - running) > 1e-9:
        steps.append(Step(CALIBRATION, calibration_label, final - running, running, final))
    return steps


def _signed(x: float, lang: Lang) -> str:
    body = number(abs(x), lang, 2)
    return f"+{body}" if x >= 0 else f"\u2212{body}"


def _f(x: float) -> str:
    """A coordinate: short, locale-free, never in exponent form."""
    return f"{x:.2f}"


def _ticks(lo: float, hi: float) -> list[float]:
    inside = [p for p in _TICKS if lo <= _logit(p) <= hi]
    while len(inside) > 7:
        inside = inside[::2]
    return inside


# A number and its unit stay on one line ("18 %", "25,4 tỷ đồng", "VND 25.4 billion").
_UNITS = frozenset(("%", "đồng", "tỷ", "triệu", "billion", "million", "pp"))


def _units_kept(words: list[str]) -> list[str]:
    kept: list[str] = []
    for word in words:
        if kept and (word in _UNITS or kept[-1] == "VND"):
            kept[-1] = f"{kept[-1]} {word}"
        else:
            kept.append(word)
    return kept


def wrap(text: str, width: int = LABEL_CHARS, lines: int = 3) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken at spaces (a word longer than
    a line is cut); at most ``lines``, the last ending in "…" when text is left over."""
    out: list[str] = []
    current = ""
    for word in _units_kept(text.split()):
        while len(word) > width:
            if current:
                out.append(current)
                current = ""
            out.append(word[:width])
            word = word[width:]
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        out.append(current)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return out or [""]


def waterfall_svg(target: TargetScore, steps: Sequence[Step], *, lang: Lang, title: str,
                  base_label: str, final_label: str, raises: str, lowers: str) -> Markup:
    """The SVG element for ``target`` and its ``steps`` (from :func:`waterfall_steps`): each
    step's label (wrapped) above its bar, the signed contribution at the right."""
    end = steps[-1].end if steps else target.margin
    points = [target.base_margin, target.margin, end] + [s.end for s in steps]
    lo, hi = min(points), max(points)
    span = max(hi - lo, 1.0)
    lo, hi = lo - 0.08 * span, hi + 0.08 * span
    x0, x1 = PAD + 4, WIDTH - PAD - 4

    def sx(v: float) -> float:
        return x0 + (v - lo) / (hi - lo) * (x1 - x0)

    labels = [wrap(s.label) for s in steps]
    # the top of each row: its label lines, then its bar
    tops = [HEAD]
    for lines in labels:
        tops.append(tops[-1] + LINE * len(lines) + BAR_H + GAP)
    chart_bottom = tops[-1] + LINE + BAR_H + GAP
    height = chart_bottom + AXIS

    def bar_y(i: int) -> int:
        lines = len(labels[i]) if i < len(labels) else 1
        return tops[i] + LINE * lines

    def vline(x: str, stroke: str, width: float, extra: str = "") -> str:
        """A vertical line through the bar zone of every row only, never across a label."""
        d = " ".join(f"M{x} {bar_y(i) - 2}v{BAR_H + 4}" for i in range(len(tops)))
        return (f'<path d="{d}" fill="none" stroke="{stroke}" stroke-width="{width}"'
                f"{extra}/>")
    e = escape
    out: list[str] = [
        f'<svg class="waterfall" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'font-family="DejaVu Sans, Noto Sans, Arial, sans-serif" font-size="{FONT}" '
        f'data-target="{e(target.target)}" data-base="{target.base_margin!r}" '
        f'data-margin="{target.margin!r}" data-final="{end!r}" aria-label="{e(title)}">',
        f"<title>{e(title)}</title>",
    ]
    # probability grid
    for p in _ticks(lo, hi):
        x = _f(sx(_logit(p)))
        out.append(vline(x, GRID, 0.8))
        out.append(f'<text x="{x}" y="{chart_bottom + 15}" text-anchor="middle" '
                   f'font-size="10.5" fill="{INK}">{e(percent(p, lang))}</text>')
    out.append(f'<line x1="{x0}" y1="{chart_bottom}" x2="{x1}" y2="{chart_bottom}" '
               f'stroke="{INK}" stroke-width="0.8"/>')
    # base rate
    bx = _f(sx(target.base_margin))
    out.append(f'<text x="{PAD}" y="15" fill="{INK}">{e(base_label)}: '
               f'<tspan font-weight="bold">{e(percent(sigmoid(target.base_margin), lang))}'
               f"</tspan></text>")
    out.append(f'<path d="M{_f(float(bx) - 5)} 21h10l-5 8z" fill="{INK}"/>')
    out.append(vline(bx, INK, 1.2, f' class="wf-base" data-value="{target.base_margin!r}"'))
    # contributions
    for i, s in enumerate(steps):
        top, y = tops[i], bar_y(i)
        left, right = sorted((sx(s.start), sx(s.end)))
        width = max(right - left, 1.0)
        up = s.shap >= 0
        plain = s.key in (OTHER, CALIBRATION)  # not one feature: grey, either way
        fill = (RAISE_FILL if not plain else "#6b6b6b") if up else "#ffffff"
        stroke = RAISE_FILL if up and not plain else (LOWER_STROKE if not plain
                                                      else "#6b6b6b")
        direction = raises if up else lowers
        for n, line in enumerate(labels[i]):
            # a white ground under the label: the dashed line from the bar above runs here
            out.append(f'<rect x="{PAD - 1}" y="{top + LINE * n}" '
                       f'width="{_f(min(CHAR * len(line) + 3, WIDTH - 2 * PAD - 44))}" '
                       f'height="{LINE}" fill="#ffffff"/>')
            out.append(f'<text x="{PAD}" y="{top + LINE * n + 11}" fill="{INK}">'
                       f"{e(line)}</text>")
        out.append(f'<text x="{WIDTH - PAD}" y="{top + 11}" text-anchor="end" '
                   f'font-weight="bold" fill="{INK}">{e(_signed(s.shap, lang))}</text>')
        out.append(
            f'<rect class="wf-bar" x="{_f(left)}" y="{y}" width="{_f(width)}" '
            f'height="{BAR_H}" fill="{fill}" stroke="{stroke}" stroke-width="1.4" '
            f'data-feature="{e(s.key)}" data-shap="{s.shap!r}" data-start="{s.start!r}" '
            f'data-end="{s.end!r}"><title>{e(s.label)}: {e(_signed(s.shap, lang))} '
            f"({e(direction)})</title></rect>")
        ex = _f(sx(s.end))  # the next bar (or the total) starts where this one ends
        out.append(f'<line x1="{ex}" y1="{y + BAR_H}" x2="{ex}" y2="{bar_y(i + 1)}" '
                   f'stroke="{GRID}" stroke-width="0.8" stroke-dasharray="2 2"/>')
    # final score
    top = tops[-1]
    left, right = sorted((sx(target.base_margin), sx(end)))
    mx = _f(sx(end))
    out.append(f'<text x="{PAD}" y="{top + 11}" fill="{INK}">{e(final_label)}: '
               f'<tspan font-weight="bold">{e(percent(target.probability, lang))}</tspan>'
               f"</text>")
    out.append(f'<rect class="wf-total" x="{_f(left)}" y="{bar_y(len(steps))}" '
               f'width="{_f(max(right - left, 1.0))}" height="{BAR_H}" fill="{INK}" '
               f'fill-opacity="0.25" stroke="{INK}" stroke-width="1.4" '
               f'data-start="{target.base_margin!r}" data-end="{end!r}"/>')
    out.append(vline(mx, INK, 1.6, f' class="wf-margin" data-value="{end!r}"'))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every interpolated text is escaped above
