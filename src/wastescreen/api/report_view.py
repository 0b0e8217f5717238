"""The review report of a stored screening, as an HTTP response (HTML or PDF)."""

from __future__ import annotations

from fastapi import Response

from wastescreen.api.errors import ApiError
from wastescreen.api.schemas import ScreeningOut
from wastescreen.core.locale_format import Lang
from wastescreen.reporting.render import DecisionView, render_report_html, render_report_pdf

# The report is one self-contained page: inline styles, no script, nothing fetched.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; "
              "frame-ancestors 'none'")


def decision_view(out: ScreeningOut) -> DecisionView | None:
    d = out.decision
    if d is None:
        return None
    return DecisionView(decision=d.decision, rationale=d.rationale, override=d.override,
                        decided_by=d.decided_by, decided_at=d.decided_at)


def render_screening_report(out: ScreeningOut, *, fmt: str, lang: Lang) -> Response:
    """HTML (``text/html``) or PDF (``application/pdf``) of the report as issued."""
    kwargs = {"lang": lang, "screening_id": out.id,
              "submitted_at": out.created_at.isoformat(timespec="seconds"),
              "decision": decision_view(out)}
    if fmt == "pdf":
        try:
            pdf = render_report_pdf(out.result, **kwargs)  # type: ignore[arg-type]
        except (ImportError, OSError) as exc:  # WeasyPrint without its system libraries
            raise ApiError(503, "pdf_unavailable", "PDF rendering needs Pango and HarfBuzz on "
                           "the server (see the README); the HTML report is available",
                           field="format") from exc
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="wastescreen-{out.id}.pdf"'})
    html = render_report_html(out.result, **kwargs)  # type: ignore[arg-type]
    return Response(html, media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": REPORT_CSP})
