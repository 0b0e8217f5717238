"""The review report as it was issued: rendered when a submission is filed and at each
decision, stored (compressed) with its SHA-256 and the version of the templates that rendered
it, and recorded in the audit trail, so an auditor can see what the reviewer saw even after
the templates change."""

from __future__ import annotations

import hashlib
import zlib
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from wastescreen import __version__
from wastescreen.core.locale_format import Lang
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import ScreeningResult
from wastescreen.screening.revisions import note_of, revision_view
from wastescreen.storage.audit_log import append_event
from wastescreen.storage.screenings import decisions_of
from wastescreen.storage.tables import DecisionRow, IssuedReportRow, ScreeningRow, as_utc

if TYPE_CHECKING:
    from wastescreen.reporting.render import DecisionView

LANG: Lang = "vi"  # issued in the language of the administration


@lru_cache(maxsize=1)
def template_version() -> str:
    """SHA-256 over the package version and every report template and stylesheet."""
    digest = hashlib.sha256(__version__.encode())
    folder = resources.files("wastescreen").joinpath("report_templates")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".html", ".css")):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()


def decision_view(d: DecisionRow) -> DecisionView:
    """A stored decision as the report prints it."""
    # The renderer (Jinja2) is loaded on first use: a pre-check issues no report.
    from wastescreen.reporting.render import DecisionView

    return DecisionView(decision=d.decision, rationale=d.rationale, override=d.override,
                        decided_by=d.decided_by, decided_at=as_utc(d.created_at),
                        needs_confirmation=d.needs_confirmation, confirms=d.confirms is not None)


def issue_report(session: Session, row: ScreeningRow, result: ScreeningResult,
                 proposal: Proposal, occasion: str, *, actor: str) -> IssuedReportRow:
    """Render the report as a reviewer sees it now, store it and record its hash; commits."""
    from wastescreen.reporting.render import render_report_html

    history = [decision_view(d) for d in decisions_of(session, row.id)]
    html = render_report_html(
        result, lang=LANG, screening_id=row.id, proposal=proposal,
        submitted_at=as_utc(row.created_at).isoformat(timespec="seconds"),
        decision=history[-1] if history else None, history=history,
        revision=note_of(revision_view(session, row, result)))
    data = html.encode("utf-8")
    issued = IssuedReportRow(screening_id=row.id, occasion=occasion, lang=LANG,
                             sha256=hashlib.sha256(data).hexdigest(),
                             template_version=template_version(),
                             html_zlib=zlib.compress(data, 6))
    session.add(issued)
    session.flush()
    append_event(session, actor=actor, action="report.issued", subject=row.id,
                 details={"occasion": occasion, "sha256": issued.sha256, "lang": LANG,
                          "template_version": issued.template_version, "report_id": issued.id})
    session.commit()
    return issued


def issued_reports(session: Session, screening_id: str) -> list[IssuedReportRow]:
    """The reports issued for a screening, oldest first."""
    return list(session.execute(select(IssuedReportRow).where(
        IssuedReportRow.screening_id == screening_id).order_by(IssuedReportRow.id)).scalars())


def issued_html(report: IssuedReportRow) -> str:
    """The stored HTML (its SHA-256 is checked by ``audit verify``)."""
    return zlib.decompress(report.html_zlib).decode("utf-8")
