"""The known agencies: the registry's managing and host agencies, plus those an admin adds.

An agency is identified by its folded name (``core.agency.agency_key``); the first spelling
known is the one shown and stored. Keys may only be made for known agencies, and a proposal
naming a known agency in another spelling is stored under the known one.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from wastescreen.core.agency import agency_key, agency_name_problem
from wastescreen.core.text import nfc
from wastescreen.domain.proposal import Proposal
from wastescreen.storage.audit_log import append_event
from wastescreen.storage.dialect import upsert_insert
from wastescreen.storage.tables import AgencyRow, LabRow, ProgramRow, table_of, utcnow

ADD_HINT = ('add it with `wastescreen agencies add "{name}"` or `POST /v1/agencies` (admin), '
            "or check its spelling against `wastescreen agencies list`")


class AgencyNameError(ValueError):
    """A name that cannot be an agency's (zero-width or control characters, or empty)."""

    field = "agency"

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


class UnknownAgency(LookupError):
    """A key was asked for an agency nobody knows; the message says how to add it."""

    field = "agency"
    rule = "unknown_agency"

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown agency '{name}': " + ADD_HINT.format(name=name))


_AGENCIES = table_of(AgencyRow)
# Of the table's columns (not the mapped class's): every screening runs it, and the ORM's
# compile and loading steps would double its CPU.
_BY_KEY = select(_AGENCIES.c.name).where(_AGENCIES.c.name_key == bindparam("key"))


def checked_name(name: str) -> str:
    """``name`` in its stored form (NFC, trimmed, spaces collapsed); ``AgencyNameError``
    when it cannot name an agency."""
    problem = agency_name_problem(name)
    if problem is not None:
        raise AgencyNameError(*problem)
    return nfc(name)


def known_name(session: Session, name: str) -> str | None:
    """The known spelling of the agency ``name`` identifies, or None when none is known."""
    found = session.execute(_BY_KEY, {"key": agency_key(name)}).scalar_one_or_none()
    return None if found is None else str(found)


def canonical_name(session: Session, name: str) -> str:
    """The known spelling of ``name``'s agency, or ``name`` (NFC) when it is not known."""
    return known_name(session, name) or nfc(name)


def with_known_agency(session: Session, proposal: Proposal) -> Proposal:
    """``proposal`` under its agency's known spelling (itself when already so, or unknown):
    every spelling of one agency is stored as one, so lists, filters and access agree."""
    known = known_name(session, proposal.agency)
    if known is None or known == proposal.agency:
        return proposal
    return proposal.model_copy(update={"agency": known})


def require_known(session: Session, name: str) -> str:
    """The known spelling of ``name``'s agency; ``AgencyNameError`` or ``UnknownAgency``."""
    found = known_name(session, checked_name(name))
    if found is None:
        raise UnknownAgency(nfc(name))
    return found


def ensure_agencies(session: Session, names: Iterable[str], source: str) -> list[str]:
    """Add each name not yet known (names that cannot be an agency's are skipped); returns
    those added. Does not commit; safe when another process adds the same name."""
    added = []
    for raw in names:
        if agency_name_problem(raw) is not None or known_name(session, raw) is not None:
            continue
        name = nfc(raw)
        # ON CONFLICT DO NOTHING: another process may add the same agency meanwhile.
        done = session.execute(
            upsert_insert(session, table_of(AgencyRow))
            .values(name=name, name_key=agency_key(name), source=source, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["name_key"]))
        if done.rowcount:  # type: ignore[attr-defined]
            added.append(name)
    return added


def add_agency(session: Session, name: str, *, actor: str, source: str = "admin"
               ) -> tuple[str, bool]:
    """Make ``name`` known (audited); returns (the known spelling, whether it was added).
    ``AgencyNameError`` for a name that cannot be an agency's. Commits."""
    name = checked_name(name)
    added = ensure_agencies(session, [name], source)
    if added:
        append_event(session, actor=actor, action="agency.add", subject=name,
                     details={"source": source})
    session.commit()
    return (added[0], True) if added else (known_name(session, name) or name, False)


def sync_registry_agencies(session: Session) -> list[str]:
    """Make every managing agency of a program and host of a lab known; returns those added.
    Flushes, does not commit (call after a registry write, in its transaction)."""
    names = set(session.execute(select(ProgramRow.managing_agency).distinct()).scalars())
    names |= set(session.execute(select(LabRow.host).distinct()).scalars())
    return ensure_agencies(session, sorted(names), "registry")


def list_agencies(session: Session) -> list[AgencyRow]:
    return list(session.execute(select(AgencyRow).order_by(AgencyRow.name_key)).scalars())
