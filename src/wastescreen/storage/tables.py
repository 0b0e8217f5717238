"""The relational schema. One schema for SQLite and PostgreSQL, migrated with Alembic.

Money is stored as BigInteger VND; free-form structures (equipment lists, results) as JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class (for plain INSERTs on hot paths)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(stamp: dt.datetime) -> dt.datetime:
    """SQLite hands timestamps back without their zone; every stored one is UTC."""
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class LabRow(Base):
    __tablename__ = "labs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lab_code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    host: Mapped[str] = mapped_column(String(500))
    province: Mapped[str] = mapped_column(String(100), index=True)
    region: Mapped[str] = mapped_column(String(10))
    technology_area: Mapped[str] = mapped_column(String(40), index=True)
    technology_area_version: Mapped[str] = mapped_column(String(20))
    field: Mapped[str] = mapped_column(Text, default="")
    year_established: Mapped[int] = mapped_column(Integer)
    investment_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    capacity_hours_per_year: Mapped[int] = mapped_column(Integer, default=0)
    utilisation: Mapped[float | None] = mapped_column(Float, nullable=True)
    utilisation_measured_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    utilisation_measured_by: Mapped[str] = mapped_column(String(500), default="")
    open_for_shared_use: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    equipment: Mapped[list[LabEquipmentRow]] = relationship(
        back_populates="lab", cascade="all, delete-orphan", order_by="LabEquipmentRow.id"
    )


class LabEquipmentRow(Base):
    __tablename__ = "lab_equipment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    category: Mapped[str] = mapped_column(String(40), index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    specification: Mapped[str] = mapped_column(Text, default="")
    lab: Mapped[LabRow] = relationship(back_populates="equipment")


class ProgramRow(Base):
    __tablename__ = "programs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_code: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    managing_agency: Mapped[str] = mapped_column(String(500), index=True)
    province: Mapped[str | None] = mapped_column(String(100), nullable=True)
    technology_area: Mapped[str] = mapped_column(String(40), index=True)
    technology_area_version: Mapped[str] = mapped_column(String(20))
    field: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    budget_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RegistryRevisionRow(Base):
    """One row per change set of the registry; the newest id is the registry snapshot id."""

    __tablename__ = "registry_revisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    summary: Mapped[str] = mapped_column(Text)


class RegistryVersionRow(Base):
    """Every content a lab or program had, by the registry revision that made it.

    ``revision_id`` 0 is the registry as first seeded (written when an item seeded in bulk is
    first changed, so its earlier content is kept); None while the revision of the change set
    that wrote it is not recorded yet (``registry_store.record_revision`` fills it in)."""

    __tablename__ = "registry_versions"
    __table_args__ = (Index("ix_registry_versions_item", "kind", "code", "revision_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(80))
    revision_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProposalRow(Base):
    """A proposal: ``kind`` is historical (training data), submission or precheck."""

    __tablename__ = "proposals"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    reference_code: Mapped[str] = mapped_column(String(80), default="")
    cycle: Mapped[int] = mapped_column(Integer, index=True)
    agency: Mapped[str] = mapped_column(String(500), index=True)
    province: Mapped[str] = mapped_column(String(100))
    technology_area: Mapped[str] = mapped_column(String(40))
    project_type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500))
    total_budget_vnd: Mapped[int] = mapped_column(BigInteger)
    submitted_on: Mapped[dt.date] = mapped_column(Date, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    input_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    outcome: Mapped[ProposalOutcomeRow | None] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", uselist=False
    )


class ProposalOutcomeRow(Base):
    __tablename__ = "proposal_outcomes"
    proposal_id: Mapped[str] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    approved: Mapped[bool] = mapped_column(Boolean)
    observed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    idle_assets: Mapped[bool] = mapped_column(Boolean)
    duplication_found: Mapped[bool] = mapped_column(Boolean)
    outputs_not_delivered: Mapped[bool] = mapped_column(Boolean)
    # When the outcome became known to this system (a screening counts only those recorded by
    # then, so it can be reproduced after later outcomes arrive).
    recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                            nullable=True, default=utcnow)
    proposal: Mapped[ProposalRow] = relationship(back_populates="outcome")


class ScreeningRow(Base):
    __tablename__ = "screenings"
    __table_args__ = (
        UniqueConstraint("api_key_id", "idempotency_key", name="uq_screening_idempotency"),
        Index("ix_screenings_queue", "cycle", "status", "overall_score"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    cycle: Mapped[int] = mapped_column(Integer)
    agency: Mapped[str] = mapped_column(String(500), index=True)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    overall_score: Mapped[float] = mapped_column(Float)
    # The final band: at least what the most severe fired red flag warrants (``model_band`` is
    # the model's own; None for screenings stored before red flags existed).
    band: Mapped[str] = mapped_column(String(10), index=True)
    model_band: Mapped[str | None] = mapped_column(String(10), nullable=True)
    fired_flags: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    # Everything the result depends on besides the proposal (``screening.inputs``): what
    # ``wastescreen reproduce`` re-runs it from.
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    model_version: Mapped[str] = mapped_column(String(80))
    registry_snapshot: Mapped[int] = mapped_column(Integer)
    input_hash: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The screening of the version this one revises (a proposal sent back for revision); that
    # one's status is then "revised" and it leaves the queue, the portfolio and the peers.
    revises: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)


class FlagAnswerRow(Base):
    """An agency's justification for a red flag that fired on the version it revises, filed
    with the revised version (``screening_id``)."""

    __tablename__ = "flag_answers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id"), index=True)
    flag_id: Mapped[str] = mapped_column(String(10))
    justification: Mapped[str] = mapped_column(Text)
    answered_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DecisionRow(Base):
    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id"), index=True)
    decision: Mapped[str] = mapped_column(String(20))
    rationale: Mapped[str] = mapped_column(Text)
    override: Mapped[bool] = mapped_column(Boolean)
    decided_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # An approval that needs a second reviewer (a high red flag fired on the screening), and
    # the decision a second reviewer's approval confirms.
    needs_confirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    confirms: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AuditEventRow(Base):
    """Append-only; ``hash`` = SHA-256 over the event and ``prev_hash`` (a hash chain)."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # HMAC-SHA256 of ``hash`` under a key kept outside the database (None: written before the
    # trail was sealed; the sealing event's MAC covers the chain up to it).
    mac: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(20))
    agency: Mapped[str | None] = mapped_column(String(500), nullable=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    holder: Mapped[str] = mapped_column(String(200), default="")  # the person who holds it
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class IssuedReportRow(Base):
    """The review report as it was issued (HTML, zlib-compressed) when a submission was filed
    and at each decision, with the template version that rendered it."""

    __tablename__ = "issued_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id"), index=True)
    occasion: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str] = mapped_column(String(5))
    sha256: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[str] = mapped_column(String(64))
    html_zlib: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BatchJobRow(Base):
    """A batch of proposals screened in the background; ``results`` holds one dict per row."""

    __tablename__ = "batch_jobs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    agency: Mapped[str | None] = mapped_column(String(500), nullable=True)
    filename: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    results: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                            nullable=True)
    # The validated rows as accepted (``screening.batch_jobs``), so that a job interrupted by a
    # restart is run again; ``lease_until`` is how long the run ``lease_owner`` holds it.
    inputs: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                            nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(36), nullable=True)


class ModelVersionRow(Base):
    __tablename__ = "model_versions"
    version: Mapped[str] = mapped_column(String(80), primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    card: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AgencyRow(Base):
    """A known agency: the registry's managing and host agencies, and those an admin added.

    ``name_key`` is the name's identity (``core.agency.agency_key``): one row per agency,
    however its name is spelled; ``name`` is how it is shown and stored elsewhere."""

    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    name_key: Mapped[str] = mapped_column(String(500), unique=True)
    source: Mapped[str] = mapped_column(String(20))  # registry | admin | demo | migrated
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PageSessionRow(Base):
    """A signed-in page session. The cookie holds a random id; only its SHA-256 is kept, so the
    table gives nothing to sign in with. Valid while not revoked, not expired and its key is
    active."""

    __tablename__ = "page_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)


class RateCounterRow(Base):
    """Requests counted per bucket (``key:3``, ``auth-fail:203.0.113.5`` ...) and per fixed
    window (``window_no`` = Unix time // window length), shared by every worker."""

    __tablename__ = "rate_counters"
    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_no: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


# The portfolio's and the indicators' reads of a cycle, answered from this index alone on SQLite
# (a covering index: the rows themselves carry ~15 KB of result each, and reading them was the
# cost); PostgreSQL keeps the results out of line anyway.
Index("ix_screenings_portfolio", ScreeningRow.cycle, ScreeningRow.kind, ScreeningRow.agency,
      ScreeningRow.band, ScreeningRow.overall_score, ScreeningRow.proposal_id, ScreeningRow.id)


class SubmissionFactsRow(Base):
    """What the portfolio groups a formal submission by, copied from the proposal when the
    submission is stored (a proposal never changes): a compact row instead of the proposal's
    payload. The agency, score and band are read from ``screenings``."""

    __tablename__ = "submission_facts"
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"),
                                             primary_key=True)
    managing_level: Mapped[str] = mapped_column(String(20))
    province: Mapped[str] = mapped_column(String(100))
    technology_area: Mapped[str] = mapped_column(String(40))
    total_budget_vnd: Mapped[int] = mapped_column(BigInteger)


class ProposalOverlapRow(Base):
    """A same-cycle proposal that a formal submission's screening found overlapping it
    (``other_id``, a proposal id) with its overlap ``score`` (0–1), copied from the result's
    evidence when the screening is stored: the portfolio's clusters are read from here, not
    from every stored result."""

    __tablename__ = "proposal_overlaps"
    # A cycle's strong overlaps are found by (cycle, score) without touching any other row.
    __table_args__ = (Index("ix_proposal_overlaps_cycle_score", "cycle", "score"),)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"),
                                             primary_key=True)
    other_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    cycle: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
