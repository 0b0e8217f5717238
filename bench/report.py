"""Benchmark: rendering the review report (HTML and PDF) of the fixed sample screening.

Ours: the module's single Jinja2 environment, loaded once. Baseline, measured in the same run:
the naive way, a fresh ``jinja2.Environment`` and template load on every render (same view,
same templates), and the PDF from that naive HTML.

Run from the repository root: ``.venv/bin/python -m bench.report``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from functools import partial

import jinja2
import weasyprint
from markupsafe import Markup

from bench.common import median_ms, print_table, write_results
from wastescreen.reporting.render import build_view, render_report_html, render_report_pdf
from wastescreen.reporting.sample import sample_decision, sample_result

HTML_RUNS = 200
PDF_RUNS = 10
HTML_TARGET_MS = 10.0


def _paired_medians_ms(ours: Callable[[], object], base: Callable[[], object],
                       runs: int) -> tuple[float, float]:
    """Medians of ``ours`` and ``base`` run alternately, so that load on a shared machine
    weighs on both alike."""
    ours(), base()
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        for fn, times in ((ours, a), (base, b)):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(a), statistics.median(b)


def main() -> None:
    result, decision = sample_result(), sample_decision()
    sid, submitted = "bench-0001", "2026-03-10"
    ours_html = partial(render_report_html, result, screening_id=sid, submitted_at=submitted,
                        decision=decision)
    ours_pdf = partial(render_report_pdf, result, screening_id=sid, submitted_at=submitted,
                       decision=decision)

    def naive_html() -> str:
        env = jinja2.Environment(loader=jinja2.PackageLoader("wastescreen.report_templates", ""),
                                 autoescape=True, trim_blocks=True, lstrip_blocks=True)
        view = build_view(result, lang="vi", screening_id=sid, submitted_at=submitted,
                          decision=decision, model_card_url="/v1/models/current")
        for name, key in (("report.css", "stylesheet"), ("report-narrow.css", "stylesheet_narrow"),
                          ("report-browser-print.css", "stylesheet_browser_print")):
            css, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
            env.globals[key] = Markup(css)
        return env.get_template("report.html").render(view)

    def naive_pdf() -> bytes:
        pdf: bytes = weasyprint.HTML(string=naive_html()).write_pdf()
        return pdf

    assert naive_html() == ours_html()  # same output; only the cost differs
    html_ms, base_html_ms = _paired_medians_ms(ours_html, naive_html, HTML_RUNS)
    html_en_ms = median_ms(partial(ours_html, lang="en"), HTML_RUNS, warmup=3)
    pdf_ms, base_pdf_ms = _paired_medians_ms(ours_pdf, naive_pdf, PDF_RUNS)
    size_kb = len(ours_html().encode("utf-8")) / 1024
    pdf_kb = len(ours_pdf()) / 1024

    print_table("review report rendering (fixed sample: 9 evidence rows, 3 waterfalls)", [
        ("HTML median, vi (ms)", f"{base_html_ms:.2f}", f"{html_ms:.2f}",
         f"<= {HTML_TARGET_MS:.0f}"),
        ("HTML median, en (ms)", "", f"{html_en_ms:.2f}", f"<= {HTML_TARGET_MS:.0f}"),
        ("PDF median (ms)", f"{base_pdf_ms:.0f}", f"{pdf_ms:.0f}", ""),
        ("HTML size (KiB) / PDF size (KiB)", "", f"{size_kb:.0f} / {pdf_kb:.0f}", ""),
    ])
    out = write_results("report", {
        "html_median_ms": round(html_ms, 3),
        "html_en_median_ms": round(html_en_ms, 3),
        "pdf_median_ms": round(pdf_ms, 1),
        "html_runs": HTML_RUNS,
        "pdf_runs": PDF_RUNS,
        "html_target_ms": HTML_TARGET_MS,
        "html_kib": round(size_kb, 1),
        "pdf_kib": round(pdf_kb, 1),
        "baseline": {
            "what": "fresh jinja2.Environment + template load per render (same view and output); "
                    "PDF: WeasyPrint on that HTML; ours and baseline run alternately",
            "html_median_ms": round(base_html_ms, 3),
            "pdf_median_ms": round(base_pdf_ms, 1),
        },
    })
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
