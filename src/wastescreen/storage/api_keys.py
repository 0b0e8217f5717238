"""API keys: created once and shown once; only a SHA-256 of each key is stored.

Keys are 32 random bytes (URL-safe base64), so a fast hash is enough: there is nothing to
brute-force that a slow password hash would protect.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from wastescreen.storage import rate_limits
from wastescreen.storage.agencies import require_known
from wastescreen.storage.audit_log import append_event
from wastescreen.storage.tables import ApiKeyRow, PageSessionRow, table_of

KEY_PREFIX = "ws_"


class Role(StrEnum):
    AGENCY = "agency"
    REVIEWER = "reviewer"
    AUDITOR = "auditor"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is calling: key id, role and (for the agency role) the agency."""

    key_id: int
    role: Role
    agency: str | None
    label: str
    holder: str = ""

    @property
    def actor(self) -> str:
        return f"key:{self.key_id}:{self.role.value}"

    @property
    def person(self) -> str:
        """Who acts, as a decision names them: the holder's name and the key."""
        return f"{self.holder} ({self.actor})" if self.holder else self.actor


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(session: Session, role: Role, *, agency: str | None = None, label: str = "",
               actor: str = "cli", holder: str = "") -> tuple[str, ApiKeyRow]:
    """Create a key; returns the plain key (never stored) and its row. Commits.

    An agency key belongs to a known agency (``storage.agencies``), stored under its known
    spelling: ``UnknownAgency`` (which says how to add one) or ``AgencyNameError``
    otherwise; both are ``ValueError``s or ``LookupError``s naming the field ``agency``."""
    if role is Role.AGENCY and not agency:
        raise ValueError("an agency key needs --agency")
    if role is not Role.AGENCY and agency:
        raise ValueError("only agency keys belong to an agency")
    if agency is not None:
        agency = require_known(session, agency)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKeyRow(key_hash=hash_key(key), prefix=key[:10], role=role.value, agency=agency,
                    label=label, holder=holder)
    session.add(row)
    session.flush()
    append_event(session, actor=actor, action="key.create", subject=f"key:{row.id}",
                 details={"role": role.value, "agency": agency, "label": label,
                          "holder": holder, "prefix": row.prefix})
    session.commit()
    return key, row


def revoke_key(session: Session, key_id: int, *, actor: str = "cli") -> bool:
    """Revoke a key by id; False when there is no such active key. Commits."""
    row = session.get(ApiKeyRow, key_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = dt.datetime.now(dt.UTC)
    # Its page sessions end with it (they would fail anyway: a session needs an active key).
    session.execute(update(PageSessionRow).where(PageSessionRow.api_key_id == key_id,
                                                 PageSessionRow.revoked_at.is_(None))
                    .values(revoked_at=row.revoked_at))
    append_event(session, actor=actor, action="key.revoke", subject=f"key:{key_id}", details={})
    session.commit()
    return True


# Built once with a bound parameter, and of the table's columns rather than an ORM entity or
# its attributes: this runs for every API request, and building the statement (with its cache
# key), loading an entity into the session's identity map or the ORM's compile and loading
# steps for its attributes each cost more than the query itself.
_KEYS = table_of(ApiKeyRow)
_KEY_COLUMNS = (_KEYS.c.id, _KEYS.c.role, _KEYS.c.agency, _KEYS.c.label, _KEYS.c.holder,
                _KEYS.c.revoked_at)
_BY_HASH = select(*_KEY_COLUMNS).where(_KEYS.c.key_hash == bindparam("key_hash"))
_BY_HASH_AND_COUNT = select(*_KEY_COLUMNS, rate_limits.COUNT_COLUMN).where(
    _KEYS.c.key_hash == bindparam("key_hash"))


@dataclass(frozen=True)
class KeyCheck:
    """A key looked up with a rate-limit bucket's count read in the same statement.

    ``known``: the key exists (active or revoked); ``principal``: its holder when active;
    ``count``: the bucket's count in the current window, None when nothing was counted or
    when the key is unknown (no row carried it)."""

    known: bool
    principal: Principal | None
    count: int | None


def _principal(row: Any) -> Principal | None:
    if row.revoked_at is not None:
        return None
    return Principal(key_id=row.id, role=Role(row.role), agency=row.agency, label=row.label,
                     holder=row.holder or "")


def authenticate(session: Session, key: str) -> Principal | None:
    """The principal of an active key, or None. Read from the database on every call, so a
    revocation (by any process) holds from the next request on."""
    row = session.execute(_BY_HASH, {"key_hash": hash_key(key)}).one_or_none()
    return None if row is None else _principal(row)


def check_key(session: Session, key: str, bucket: str, *, now: float) -> KeyCheck:
    """``authenticate``, and the count of rate-limit ``bucket`` in the window of ``now`` read
    in the same statement (one round trip for every API request's key check)."""
    row = session.execute(_BY_HASH_AND_COUNT, {"key_hash": hash_key(key),
                                               **rate_limits.count_params(bucket, now)}
                          ).one_or_none()
    if row is None:
        return KeyCheck(known=False, principal=None, count=None)
    return KeyCheck(known=True, principal=_principal(row), count=row.window_count)


def list_keys(session: Session) -> list[ApiKeyRow]:
    return list(session.execute(select(ApiKeyRow).order_by(ApiKeyRow.id)).scalars())
