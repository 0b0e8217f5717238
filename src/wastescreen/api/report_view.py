"""The review report of a stored screening, as an HTTP response (HTML or PDF)."""

from __future__ import annotations

from fastapi import Response

from wastescreen.api.errors import ApiError
from wastescreen.core.labels.messages import msg
from wastescreen.core.locale_format import Lang
from wastescreen.reporting.render import DecisionView, render_report_html, render_report_pdf
from wastescreen.screening.issued import decision_view as decision_view_of
from wastescreen.screening.review import ScreeningView
from wastescreen.screening.revisions import note_of
from wastescreen.storage.tables import as_utc

# The report is one self-contained page: inline styles, no script, nothing fetched.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; "
              "frame-ancestors 'none'")


def decision_view(view: ScreeningView) -> DecisionView | None:
    return None if view.decision is None else decision_view_of(view.decision)


def report_html(view: ScreeningView, lang: Lang) -> str:
    """The report of ``view`` as HTML."""
    return render_report_html(
        view.result, lang=lang, screening_id=view.row.id,
        submitted_at=as_utc(view.row.created_at).isoformat(timespec="seconds"),
        decision=decision_view(view), proposal=view.proposal,
        history=[decision_view_of(d) for d in view.decisions],
        revision=note_of(view.revision), superseded_by=view.revised_by)


def render_screening_report(view: ScreeningView, *, fmt: str, lang: Lang) -> Response:
    """HTML (``text/html``) or PDF (``application/pdf``) of the report as issued."""
    if fmt == "pdf":
        try:
            pdf = render_report_pdf(
                view.result, lang=lang, screening_id=view.row.id,
                submitted_at=as_utc(view.row.created_at).isoformat(timespec="seconds"),
                decision=decision_view(view), proposal=view.proposal,
                history=[decision_view_of(d) for d in view.decisions],
                revision=note_of(view.revision), superseded_by=view.revised_by)
        except (ImportError, OSError) as exc:  # WeasyPrint without its system libraries
            raise ApiError(503, "pdf_unavailable", msg("pdf_unavailable"),
                           field="format") from exc
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="wastescreen-{view.row.id}.pdf"'})
    return Response(report_html(view, lang), media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": REPORT_CSP})
