"""Page sessions: the cookie holds an opaque random id, never the API key.

Only the id's SHA-256 is stored (like the keys: 32 random bytes need no slow hash). A session
ends at its expiry, at sign-out, and when its key is revoked (``api_keys.revoke_key``); each
request checks all three in one query, so any worker's sign-out or revocation holds at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from wastescreen.storage.api_keys import Principal, Role
from wastescreen.storage.tables import ApiKeyRow, PageSessionRow, as_utc, table_of, utcnow

SESSION_PREFIX = "wss_"
_INSERT = insert(table_of(PageSessionRow))
_LOOKUP = (select(ApiKeyRow.id, ApiKeyRow.role, ApiKeyRow.agency, ApiKeyRow.label,
                  PageSessionRow.expires_at)
           .join(ApiKeyRow, ApiKeyRow.id == PageSessionRow.api_key_id)
           .where(PageSessionRow.id_hash == bindparam("id_hash"),
                  PageSessionRow.revoked_at.is_(None), ApiKeyRow.revoked_at.is_(None)))


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def open_session(session: Session, key_id: int, max_age_s: int) -> str:
    """A new session of key ``key_id`` lasting ``max_age_s`` seconds; returns its id (shown
    to the browser only). Commits."""
    session_id = SESSION_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    # Sessions past their expiry are of no use to anyone: dropped here, at each sign-in.
    session.execute(delete(PageSessionRow).where(PageSessionRow.expires_at < now))
    session.execute(_INSERT, {"id_hash": _hash(session_id), "api_key_id": key_id,
                              "created_at": now,
                              "expires_at": now + dt.timedelta(seconds=max_age_s)})
    session.commit()
    return session_id


def session_principal(session: Session, session_id: str) -> Principal | None:
    """The principal of a live session (not expired, not ended, its key active), or None."""
    row = session.execute(_LOOKUP, {"id_hash": _hash(session_id)}).one_or_none()
    if row is None or as_utc(row.expires_at) <= utcnow():
        return None
    return Principal(key_id=row.id, role=Role(row.role), agency=row.agency, label=row.label)


def close_session(session: Session, session_id: str) -> None:
    """End a session (sign-out). Commits."""
    session.execute(update(PageSessionRow)
                    .where(PageSessionRow.id_hash == _hash(session_id),
                           PageSessionRow.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))
    session.commit()
