"""The registry's history: every content a lab or program had, by the revision that made it.

Registry rows are updated in place (the live registry is the newest content), and each change
also keeps the new content as a version (``RegistryVersionRow``). An item seeded in bulk has no
version until it is first changed; then its seeded content is kept as revision 0 beside the
new one. So ``load_registry_at(R)`` gives the registry exactly as any screening at revision R
saw it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from wastescreen.domain.registry import Lab, Program
from wastescreen.storage.tables import RegistryRevisionRow, RegistryVersionRow

Kind = Literal["lab", "program"]


def keep_version(session: Session, kind: Kind, code: str, content: Mapping[str, Any],
                 before: Mapping[str, Any] | None) -> None:
    """Keep ``content`` as the item's newest version (its revision is filled in by
    ``assign_pending``); ``before``: the content it replaces, kept as revision 0 when the item
    had no version yet (it was seeded in bulk)."""
    if before is not None and not session.execute(select(exists().where(
            RegistryVersionRow.kind == kind, RegistryVersionRow.code == code))).scalar():
        session.add(RegistryVersionRow(kind=kind, code=code, revision_id=0,
                                       content=dict(before)))
    session.add(RegistryVersionRow(kind=kind, code=code, revision_id=None, content=dict(content)))


def assign_pending(session: Session, revision_id: int) -> None:
    """Give the versions kept since the last revision the id of the one now recorded."""
    session.flush()
    session.execute(update(RegistryVersionRow).where(RegistryVersionRow.revision_id.is_(None))
                    .values(revision_id=revision_id))


def _as_of(session: Session, kind: Kind, revision: int) -> dict[str, dict[str, Any]]:
    """Code -> content of each item's newest version at or before ``revision``, and the codes
    that have versions only after it (they did not exist yet) mapped to {}."""
    out: dict[str, dict[str, Any]] = {}
    rows = session.execute(select(RegistryVersionRow.code, RegistryVersionRow.revision_id,
                                  RegistryVersionRow.content)
                           .where(RegistryVersionRow.kind == kind,
                                  RegistryVersionRow.revision_id.is_not(None))
                           .order_by(RegistryVersionRow.code, RegistryVersionRow.revision_id,
                                     RegistryVersionRow.id))
    for code, rev, content in rows:
        if rev <= revision:
            out[code] = dict(content)
        else:
            out.setdefault(code, {})
    return out


def registry_at(session: Session, revision: int, labs: list[Lab], programs: list[Program]
                ) -> tuple[list[Lab], list[Program]]:
    """The registry at ``revision`` from today's items (``labs``, ``programs``) and the kept
    versions: an item with versions takes its content at that revision (and is left out when
    it came later); an item without any is as seeded."""
    lab_versions, program_versions = _as_of(session, "lab", revision), _as_of(
        session, "program", revision)
    labs_at = [Lab.model_validate(lab_versions[lab.lab_code]) if lab.lab_code in lab_versions
               else lab for lab in labs if lab_versions.get(lab.lab_code, True)]
    programs_at = [Program.model_validate(program_versions[p.program_code])
                   if p.program_code in program_versions else p for p in programs
                   if program_versions.get(p.program_code, True)]
    return labs_at, programs_at


def revision_date(session: Session, revision: int) -> str:
    row = session.get(RegistryRevisionRow, revision)
    return row.created_at.date().isoformat() if row is not None else ""
